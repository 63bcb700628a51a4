import Foundation
import LarderAPI
import LMDB
import Synchronization
import Testing
@testable import LarderStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `larder-crash-writer` helper, built next to the test bundle (it is a dependency of this test target).
func crashWriterURL(filePath: String = #filePath) -> URL? {
    let name = "larder-crash-writer"
    var directories: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
    if let first = CommandLine.arguments.first { directories.append(URL(fileURLWithPath: first).deletingLastPathComponent()) }
    // Fallback: the default build folders of the package this file belongs to.
    let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    directories.append(root.appendingPathComponent(".build/debug"))
    for directory in directories {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}

/// Collects the lines a child process writes to a pipe, on a thread of its own.
final class LineCollector: Sendable {
    private let lines = Mutex<[String]>([])
    private let ended = Atomic<Bool>(false)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                pending.append(data)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    lines.withLock { $0.append(line) }
                }
            }
            if !pending.isEmpty { lines.withLock { $0.append(String(decoding: pending, as: UTF8.self)) } }
            ended.store(true, ordering: .releasing)
        }
        thread.start()
    }

    var all: [String] { lines.withLock { $0 } }
    var isEnded: Bool { ended.load(ordering: .acquiring) }
}

struct CrashedWrite {
    /// The id of the endless write's chunks.
    var writerID: UInt64
    /// The bytes the child reported committed when it was killed.
    var committed: Int64
    /// The blob published before the endless write, when asked for.
    var published: BlobDigest?
}

/// Runs the crash writer on `directory` until it reports `threshold` bytes committed, then SIGKILLs it.
func runCrashWriter(_ directory: TestDirectory, publishFirst: Bool, threshold: Int64 = 2 << 20) async throws -> CrashedWrite {
    let executable = try #require(crashWriterURL(), "larder-crash-writer not found next to \(Bundle.main.bundleURL.path)")
    let process = Process()
    process.executableURL = executable
    process.arguments = [directory.path] + (publishFirst ? ["--publish-first"] : [])
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    let output = LineCollector(stdout.fileHandleForReading)
    let errors = LineCollector(stderr.fileHandleForReading)
    var killed = false
    defer {
        if !killed, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func progress() -> Int64 {
        output.all.last(where: { $0.hasPrefix("progress ") }).flatMap { Int64($0.dropFirst("progress ".count)) } ?? 0
    }
    let reached = await eventually(timeout: .seconds(30)) { progress() >= threshold || !process.isRunning }
    #expect(reached && process.isRunning, "crash writer: \(output.all.suffix(3)) \(errors.all)")
    try #require(process.isRunning, "the crash writer exited early: \(errors.all.joined(separator: "\n"))")

    kill(process.processIdentifier, SIGKILL)
    killed = true
    #expect(await eventually(timeout: .seconds(10)) { !process.isRunning })
    #expect(process.terminationReason == .uncaughtSignal)
    #expect(process.terminationStatus == SIGKILL)
    _ = await eventually(timeout: .seconds(5)) { output.isEnded }

    let lines = output.all
    let started = try #require(lines.first(where: { $0.hasPrefix("started ") }).flatMap { UInt64($0.dropFirst("started ".count)) },
                               "no 'started' line in \(lines.prefix(3))")
    var published: BlobDigest?
    if publishFirst {
        let line = try #require(lines.first(where: { $0.hasPrefix("published ") }), "no 'published' line in \(lines.prefix(3))")
        published = BlobDigest(parsing: line.dropFirst("published ".count))
        #expect(published != nil, "cannot parse \(line)")
    }
    return CrashedWrite(writerID: started, committed: progress(), published: published)
}

@Suite("Blob store: recovery after a crash")
struct CrashRecoveryTests {
    /// The crash writer's configuration.
    static func configuration(_ dir: TestDirectory) -> StoreConfiguration {
        dir.configuration(maxSize: 4 << 30, chunkSize: 64 * 1024, exclusive: true)
    }

    @Test("a writer killed mid-blob leaves nothing visible; reopening removes its chunks and the store works", arguments: [false, true])
    func killedWriter(publishFirst: Bool) async throws {
        let dir = try TestDirectory("killedWriter\(publishFirst)")
        defer { dir.remove() }
        let crash = try await runCrashWriter(dir, publishFirst: publishFirst)
        #expect(crash.committed >= 2 << 20)

        // The kill left committed chunks of the unfinished write and its pending entry behind.
        let leftBehind = try withRawStore(dir) { raw throws in (try raw.chunkCounts(), try raw.keys("pending")) }
        #expect((leftBehind.0[crash.writerID] ?? 0) >= 32, "only \(leftBehind.0[crash.writerID] ?? 0) chunks of the killed write on disk")
        #expect(leftBehind.1 == [RawStore.chunkKey(id: crash.writerID, index: 0).prefix(8).map { $0 }])

        var store: BlobStore? = try BlobStore(Self.configuration(dir))
        let listed = try store!.list()
        var publishedRecord: BlobRecord?
        if let published = crash.published {
            #expect(listed.map(\.digest) == [published])
            let record = try #require(listed.first)
            publishedRecord = record
            #expect(record.size == 3 * 64 * 1024 + 1000)
            #expect(record.source == "crash-writer")
            let bytes = try #require(try readBack(store!, published))
            #expect(BlobDigest(hashing: bytes) == published)
            #expect(store!.statistics.storedBytes == record.size)
        } else {
            #expect(listed.isEmpty)
            #expect(store!.statistics.storedBytes == 0)
        }
        #expect(store!.statistics.reservedBytes == 0)
        #expect(try !hasAnyChunk(store!, id: crash.writerID))

        // A new write works and does not reuse the killed write's id.
        let bytes = pseudoRandomBytes(150_000, seed: 99)
        let fresh = try await store!.put(bytes)
        #expect(fresh.id != crash.writerID)
        #expect(fresh.id != publishedRecord?.id)
        #expect(try readBack(store!, fresh.digest) == bytes)
        let report = try await store!.verify()
        #expect(report.corrupt.isEmpty)
        #expect(report.verified == (publishFirst ? 2 : 1))
        await closeAndRelease(&store)

        try withRawStore(dir) { raw throws in
            var expected = [fresh.id: fresh.chunkCount]
            if let publishedRecord { expected[publishedRecord.id] = publishedRecord.chunkCount }
            #expect(try raw.chunkCounts() == expected)
            #expect(try raw.keys("pending").isEmpty)
        }
    }
}
