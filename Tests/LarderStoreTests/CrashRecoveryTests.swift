import Foundation
import LarderAPI
import LarderTestSupport
import LMDB
import Testing
@testable import LarderStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lines `child` wrote to standard output so far that are complete (end with a newline), or all of them once it
/// exited.
private func outputLines(of child: ChildProcess) -> [String] {
    let text = child.stdout
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if child.isRunning || text.hasSuffix("\n") { lines.removeLast() }
    return lines
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
    let executable = BuiltExecutable.path("larder-crash-writer")
    try #require(FileManager.default.isExecutableFile(atPath: executable), "larder-crash-writer not found at \(executable)")
    let child = try ChildProcess.launch(executable, [directory.path] + (publishFirst ? ["--publish-first"] : []))
    var killed = false
    defer {
        if !killed { child.kill() }
    }

    func progress() -> Int64 {
        outputLines(of: child).last(where: { $0.hasPrefix("progress ") }).flatMap { Int64($0.dropFirst("progress ".count)) } ?? 0
    }
    let reached = await eventually(timeout: .seconds(30)) { progress() >= threshold || !child.isRunning }
    #expect(reached && child.isRunning, "crash writer: \(outputLines(of: child).suffix(3)) \(child.stderr)")
    try #require(child.isRunning, "the crash writer exited early: \(child.stderr)")

    child.signal(SIGKILL)
    killed = true
    #expect(await eventually(timeout: .seconds(10)) { !child.isRunning })
    #expect(child.process.terminationReason == .uncaughtSignal)
    #expect(child.status == SIGKILL)

    let lines = outputLines(of: child)
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
