// larder-crash-writer DIR [--publish-first]
//
// A helper for LarderStoreTests: opens a store in DIR (64 KiB chunks), optionally publishes one complete blob
// (printing "published <digest>"), then starts a writer of unknown size and appends random bytes forever,
// printing "progress <committed bytes>" after each drain. The test SIGKILLs it mid-write.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LarderStore

func say(_ line: String) {
    // Unbuffered: every line reaches the pipe at once.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func randomBytes(_ count: Int, using generator: inout SystemRandomNumberGenerator) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        let word = generator.next()
        for shift in stride(from: 0, to: 64, by: 8) where i < count {
            bytes[i] = UInt8(truncatingIfNeeded: word >> UInt64(shift))
            i += 1
        }
    }
    return bytes
}

let arguments = CommandLine.arguments.dropFirst()
guard let directory = arguments.first else {
    FileHandle.standardError.write(Data("usage: larder-crash-writer DIR [--publish-first]\n".utf8))
    exit(2)
}
let publishFirst = arguments.contains("--publish-first")
// A test that dies leaves its pipe closed: the next print then ends this process (SIGPIPE) instead of
// writing forever. As a backstop, stop after this many bytes.
let limit: Int64 = 1 << 30

var configuration = StoreConfiguration(directory: directory, maxSize: 4 << 30)
configuration.chunkSize = 64 * 1024
var generator = SystemRandomNumberGenerator()

do {
    let store = try BlobStore(configuration)
    if publishFirst {
        // Three and a half chunks, so the published blob has a short last chunk.
        let bytes = randomBytes(3 * 64 * 1024 + 1000, using: &generator)
        let record = try await store.put(bytes, mediaType: "application/octet-stream", source: "crash-writer")
        say("published \(record.digest)")
    }
    let writer = try await store.makeWriter(source: "endless")
    say("started \(writer.id)")
    while writer.committedBytes < limit {
        try await writer.append(randomBytes(48 * 1024, using: &generator))
        say("progress \(writer.committedBytes)")
    }
    FileHandle.standardError.write(Data("crash writer reached its limit without being killed\n".utf8))
    exit(3)
} catch {
    FileHandle.standardError.write(Data("crash writer failed: \(error)\n".utf8))
    exit(1)
}
