import Foundation
import Testing

/// Issue 17, item 7: `larder gc --data D --max-size …` with more pinned content than the limit evicts what it
/// can and warns, instead of failing with "need 0 B, at most 0 B can be freed".
@Suite("gc over the limit (issue 17)", .timeLimit(.minutes(2)))
struct GCOverLimitTests {
    @Test("gc evicts the unpinned blob and warns that pinned content exceeds the limit")
    func gcWarnsAboutPinned() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-gc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let big = directory + "-big.bin"
        let small = directory + "-small.bin"
        defer {
            try? FileManager.default.removeItem(atPath: big)
            try? FileManager.default.removeItem(atPath: small)
        }
        try Data((0..<(20 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: big))
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: small))
        let store = ["--data", directory, "--max-size", "1MiB"]

        let putBig = try await CLI.run(["put", big] + store)
        #expect(putBig.status == 0, "stderr: \(putBig.stderr)")
        let bigDigest = putBig.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let pin = try await CLI.run(["pin", bigDigest] + store)
        #expect(pin.status == 0, "stderr: \(pin.stderr)")
        let putSmall = try await CLI.run(["put", small] + store)
        #expect(putSmall.status == 0)
        let smallDigest = putSmall.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let gc = try await CLI.run(["gc", "--data", directory, "--max-size", "10KiB"])
        #expect(gc.status == 0, "stderr: \(gc.stderr)")
        #expect(gc.stdout.contains("evicted 1 blobs"), "stdout: \(gc.stdout)")
        #expect(gc.stderr.contains("warning") && gc.stderr.contains("pinned"), "stderr: \(gc.stderr)")

        let listing = try await CLI.run(["ls", "--json"] + store)
        #expect(!listing.stdout.contains(String(smallDigest.suffix(64))), "the unpinned blob was not evicted")
        #expect(listing.stdout.contains(String(bigDigest.suffix(64))), "the pinned blob was evicted")
    }
}
