import Foundation
import RunModel
import RunRecorder
import Testing

@Suite struct SpoolTests {
    static func record(task: String) throws -> TaskRecord {
        var record = try TaskRecordTests.sampleRecord()
        record.identity = try TaskIdentity(pathspec: "SixMinVideos/1680000000/tiny/\(task)")
        return record
    }

    @Test func entriesSurviveARestartAndCanBeRemoved() throws {
        let root = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spoolDirectory = root + "/spool"
        let binary = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try binary.write(to: URL(fileURLWithPath: root + "/out.bin"))
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: root + "/stdout.txt"))

        let record = try Self.record(task: "1")
        let spool = try Spool(directory: spoolDirectory)
        let entry = try spool.enqueue(record: record, artifacts: [(name: "out", path: root + "/out.bin"), (name: "stdout", path: root + "/stdout.txt")])
        try FileManager.default.removeItem(atPath: root + "/out.bin")

        let reopened = try Spool(directory: spoolDirectory)
        let pending = try reopened.pending()
        #expect(pending == [entry])
        let found = try #require(pending.first)
        #expect(try found.record.encoded() == record.encoded())
        #expect(found.artifacts.map(\.name) == ["out", "stdout"])
        #expect(found.artifacts.map(\.size) == [100_000, 6])
        #expect(try Data(contentsOf: URL(fileURLWithPath: found.artifacts[0].path)) == binary)
        #expect(found.artifacts[0].path.hasPrefix(spoolDirectory + "/"))

        try reopened.remove(found)
        #expect(try Spool(directory: spoolDirectory).pending().isEmpty)
        try reopened.remove(found)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spoolDirectory).isEmpty)
    }

    @Test func pendingIsInEnqueueOrderAndIgnoresIncompleteEntries() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try Spool(directory: directory)
        for task in ["3", "1", "2"] {
            try spool.enqueue(record: Self.record(task: task), artifacts: [])
        }
        try FileManager.default.createDirectory(atPath: directory + "/.incoming-crashed", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/00000000000000000000-corrupt", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/00000000000000000000-corrupt/record.json"))
        #expect(try Spool(directory: directory).pending().map(\.record.identity.task) == ["3", "1", "2"])
    }

    @Test func failedEnqueueLeavesNothingBehind() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try Spool(directory: directory)
        #expect(throws: TaskRecorderError.self) {
            try spool.enqueue(record: Self.record(task: "1"), artifacts: [(name: "missing", path: directory + "/nope")])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        #expect(try spool.pending().isEmpty)
    }
}

extension SpoolTests {
    @Test func quarantinedEntriesLeaveTheQueueButStayOnDiskWithTheirReason() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try Spool(directory: directory)
        let entries = try ["1", "2", "3"].map { try spool.enqueue(record: Self.record(task: $0), artifacts: []) }
        let moved = try spool.quarantine(entries[1], reason: "server answered 400 (invalid_name)")
        #expect(moved.directory == directory + "/quarantine/" + entries[1].id)
        #expect(FileManager.default.fileExists(atPath: moved.directory + "/record.json"))

        let reopened = try Spool(directory: directory)
        #expect(try reopened.pending().map(\.record.identity.task) == ["1", "3"])
        #expect(reopened.quarantined() == [QuarantinedEntry(id: entries[1].id, directory: moved.directory,
                                                            reason: "server answered 400 (invalid_name)")])
    }

    @Test func spooledCopiesKeepAKnownExtension() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("{\"a\": 1}".utf8).write(to: URL(fileURLWithPath: directory + "/result.json"))
        try Data([0, 1, 2]).write(to: URL(fileURLWithPath: directory + "/weights.bin"))
        let spool = try Spool(directory: directory + "/spool")
        let entry = try spool.enqueue(record: Self.record(task: "1"),
                                      artifacts: [(name: "r", path: directory + "/result.json"), (name: "w", path: directory + "/weights.bin")])
        #expect(entry.artifacts.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["0.json", "1"])
        #expect(ArtifactMediaType.detect(path: entry.artifacts[0].path) == ArtifactMediaType.json)
    }
}
