import Foundation
import LarderAPI
@testable import LarderServer
import LarderStore
import RunModel
import Testing

/// SplitMix64: a seeded generator, so any failing input is reproduced from the seed printed with it.
struct FuzzGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension FaultSuite {
    /// A seeded random-input loop over the request-path parsers, bounded in time (`LARDER_FUZZ_SECONDS`, default 3).
    /// Inputs are assembled from fragments the parsers care about, so they reach deep branches. A crash kills the
    /// test process: the seed and input printed before each batch reproduce it; add it to ``regressions``.
    @Suite("Seeded random input over the request-path parsers")
    struct ParserFuzz {
        static let fragments: [String] = [
            "", "0", "1", "9", "-", "=", ",", " ", "bytes=", "bytes", "sha256:", "sha512:", "a", "f", "F", "%", "%2F", "%2f",
            "%zz", "%FF", "%00", "%", "..", ".", "/", "//", "main", "resolve", "api", "models", "datasets", "spaces", "tree",
            "revision", "paths-info", "_import", "refs/pr/1", "e", "E", "+", "Ki", "Mi", "Gi", "Ei", "m", "u", "n", "k", "M",
            "1e308", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "0x10", "\u{0}", "\u{FEFF}", "é",
            "🦙", "\r\n", "\t", "?", "#", "~", "\\", "@", ":",
            String(repeating: "a", count: 64), String(repeating: "0", count: 63), String(repeating: "f", count: 65),
        ]

        /// Inputs that once broke a parser (none so far); they run first, every time.
        static let regressions: [String] = [
            "bytes=-9223372036854775808", "bytes=9223372036854775807-", "bytes=-9223372036854775807", "1e308Ei", "-0",
            "sha256:" + String(repeating: "0", count: 64) + "\u{0}", "%", "api/models/%", "a/resolve/main/%2e%2e",
        ]

        static func input(_ generator: inout FuzzGenerator) -> String {
            let count = Int(generator.next() % 8) + 1
            var text = ""
            for _ in 0..<count {
                if generator.next() % 5 == 0 {
                    text.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: generator.next() % 128)))
                } else {
                    text += fragments[Int(generator.next() % UInt64(fragments.count))]
                }
            }
            return text
        }

        /// Feeds `text` to every parser and checks what each promises.
        static func exercise(_ text: String) {
            // Range: a partial range lies within the entity.
            for length: Int64 in [0, 1, 100, Int64.max] {
                if case .partial(let range) = ByteRange.parse(text, length: length) {
                    #expect(range.start >= 0 && range.start <= range.end && range.end < length, "Range \(text.debugDescription) of \(length): \(range)")
                }
            }
            // Digests: accepted ones are exactly sha256:<64 lowercase hex> and round-trip.
            for bare in [false, true] {
                if let digest = BlobDigest(parsing: text, allowBare: bare) {
                    #expect(digest.description.count == 71 && BlobDigest(parsing: digest.description) == digest, "digest \(text.debugDescription)")
                }
            }
            // Hugging Face paths: a resolved file path never climbs out of the repository.
            if let target = try? HFRequestTarget.parse(Substring("/" + text)) {
                if case .resolve(_, _, let path) = target {
                    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                    #expect(!parts.contains("..") && !parts.contains("") && !path.hasPrefix("/"), "HF path \(text.debugDescription) → \(path)")
                }
            }
            // Run names: an accepted name is one path segment.
            if (try? TaskIdentity.validateName(text)) != nil {
                #expect(!text.contains("/") && text != ".." && text != "." && !text.isEmpty, "run name \(text.debugDescription)")
            }
            // Quantities and sizes: accepted values are finite and not negative.
            if let cores = try? Quantity.cpu(text) { #expect(cores.isFinite && cores >= 0, "cpu \(text.debugDescription) → \(cores)") }
            if let bytes = try? Quantity.memory(text) { #expect(bytes >= 0, "memory \(text.debugDescription) → \(bytes)") }
            if let size = ByteCount.parse(text) { #expect(size >= 0, "size \(text.debugDescription) → \(size)") }
            _ = text.removingPercentEncoding
        }

        @Test("random inputs never crash a parser nor break what it promises")
        func randomInputs() throws {
            let tally = FaultTally("seeded parser fuzzing")
            defer { tally.finish() }
            let seconds = Double(ProcessInfo.processInfo.environment["LARDER_FUZZ_SECONDS"] ?? "") ?? 3
            let seed = UInt64(ProcessInfo.processInfo.environment["LARDER_FUZZ_SEED"] ?? "") ?? 0x1A2D_E12F
            print("parser fuzz: seed \(seed), \(seconds) s (LARDER_FUZZ_SEED, LARDER_FUZZ_SECONDS)")
            for text in Self.regressions { Self.exercise(text) }
            var generator = FuzzGenerator(state: seed)
            let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
            var count = 0
            while ContinuousClock.now < deadline {
                for _ in 0..<200 {
                    Self.exercise(Self.input(&generator))
                    count += 1
                }
            }
            tally.fault(count)
            print("parser fuzz: \(count) inputs")
            #expect(count > 1000, "only \(count) inputs in \(seconds) s")
        }
    }
}
