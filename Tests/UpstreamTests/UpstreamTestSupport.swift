import Foundation
@_exported import LarderTestSupport
import Logging
import Synchronization
import Testing
import Upstream

/// The running fixture of the current suite.
func currentFixture() throws -> UpstreamFixture {
    try #require(UpstreamFixture.current, "suite must use .upstreamFixture")
}

/// A configuration with short delays so failure paths stay fast.
func testConfiguration(
    blockSize: Int = 64 * 1024,
    maxBufferedBlocks: Int = 4,
    maxAttempts: Int = 4,
    initialBackoff: Duration = .milliseconds(20),
    stallTimeout: Duration = .seconds(10),
    maxRedirects: Int = 10
) -> UpstreamConfiguration {
    UpstreamConfiguration(
        connectTimeout: .seconds(2),
        stallTimeout: stallTimeout,
        maxAttempts: maxAttempts,
        initialBackoff: initialBackoff,
        maxRedirects: maxRedirects,
        blockSize: blockSize,
        maxBufferedBlocks: maxBufferedBlocks
    )
}

/// A logger that drops everything.
let quietLogger = Logger(label: "upstream-tests", factory: { _ in SwiftLogNoOpLogHandler() })


/// Body bytes and block sizes read so far, kept when the stream throws.
struct BodyRead {
    var bytes: [UInt8] = []
    var blockSizes: [Int] = []
    var error: (any Error)?
}

/// Reads the whole body, recording the size of every block and any error thrown.
func readBody(_ response: UpstreamResponse, perBlock: (() async throws -> Void)? = nil) async -> BodyRead {
    var result = BodyRead()
    do {
        for try await block in response {
            result.bytes += block
            result.blockSizes.append(block.count)
            try await perBlock?()
        }
    } catch {
        result.error = error
    }
    return result
}

/// Records that every block but the last has exactly `blockSize` bytes and the last is not empty.
func expectExactBlocks(_ sizes: [Int], blockSize: Int, total: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(sizes.reduce(0, +) == total, sourceLocation: sourceLocation)
    #expect(sizes.dropLast().allSatisfy { $0 == blockSize }, "inner blocks \(Set(sizes.dropLast()))", sourceLocation: sourceLocation)
    if let last = sizes.last {
        #expect(last > 0 && last <= blockSize, sourceLocation: sourceLocation)
    }
    #expect(sizes.count == (total + blockSize - 1) / blockSize, sourceLocation: sourceLocation)
}

/// Captures log records for assertions.
final class LogRecorder: Sendable {
    /// One captured log call.
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    /// All records captured so far.
    var records: [Record] { storage.withLock { $0 } }

    /// A logger at trace level writing into this recorder.
    func logger() -> Logger {
        var logger = Logger(label: "upstream-tests", factory: { _ in RecordingHandler(recorder: self) })
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }
}

private struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var flat: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            flat[key] = "\(value)"
        }
        recorder.append(.init(level: event.level, message: "\(event.message)", metadata: flat))
    }
}

/// Records an issue unless `actual` equals `expected`, describing the first difference.
///
/// `#expect(a == b)` on multi-megabyte arrays would make swift-testing diff them on failure,
/// which takes minutes; this reports lengths and the first differing offset instead.
func expectSameBytes(
    _ actual: [UInt8],
    _ expected: some Collection<UInt8>,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let expected = Array(expected)
    guard actual != expected else { return }
    let common = min(actual.count, expected.count)
    let firstDifference = (0..<common).first { actual[$0] != expected[$0] } ?? common
    Issue.record(
        "bodies differ: \(actual.count) bytes vs \(expected.count) expected, first difference at offset \(firstDifference)",
        sourceLocation: sourceLocation
    )
}
