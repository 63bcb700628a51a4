import Foundation
import LarderTestSupport
import Synchronization
import Testing

/// One line of the fault-suite table: what a scenario injected and what it checked.
struct FaultRow: Sendable {
    /// The scenario's name.
    var scenario: String
    /// Faults injected (kills, dropped connections, hostile requests, …).
    var faults: Int = 0
    /// Requests sent to the server.
    var requests: Int = 0
    /// Bytes read back from the server and compared with their digest.
    var bytesVerified: Int64 = 0
    /// Bytes of responses that completed (the client took them as whole) that differ from the truth: must be 0.
    var wrongBytes: Int64 = 0
    /// Bytes of responses that were aborted (the client saw the connection close before the declared length) and
    /// that differ from the truth: a fill streams committed chunks before the whole object can be verified, then
    /// aborts the response when verification fails, so no client can take them as content.
    var abortedBytes: Int64 = 0
    /// Acknowledged writes (blobs, run records, pinned data) missing afterwards: must be 0.
    var dataLost: Int = 0
}

/// Counts of one scenario, updated by many concurrent clients.
final class FaultTally: Sendable {
    private let row: Mutex<FaultRow>

    init(_ scenario: String) { row = Mutex(FaultRow(scenario: scenario)) }

    func fault(_ count: Int = 1) { row.withLock { $0.faults += count } }
    func request(_ count: Int = 1) { row.withLock { $0.requests += count } }
    func verified(_ bytes: Int) { row.withLock { $0.bytesVerified += Int64(bytes) } }
    func wrong(_ bytes: Int) { row.withLock { $0.wrongBytes += Int64(max(1, bytes)) } }
    func aborted(_ bytes: Int) { row.withLock { $0.abortedBytes += Int64(bytes) } }
    func lost(_ count: Int = 1) { row.withLock { $0.dataLost += count } }
    var snapshot: FaultRow { row.withLock { $0 } }

    /// Adds the scenario's row to the table (and checks its two must-be-zero columns).
    func finish(sourceLocation: SourceLocation = #_sourceLocation) {
        let row = snapshot
        #expect(row.wrongBytes == 0, "\(row.scenario): \(row.wrongBytes) wrong bytes served", sourceLocation: sourceLocation)
        #expect(row.dataLost == 0, "\(row.scenario): \(row.dataLost) acknowledged writes lost", sourceLocation: sourceLocation)
        FaultTable.add(row)
    }
}

/// The rows of this run, printed and written to `.build/fault-suite.md` once the suite ends.
enum FaultTable {
    private static let rows = Mutex<[FaultRow]>([])

    /// Where the table is written (the lead pastes it into the README).
    static let path = BuiltExecutable.repositoryRoot.appendingPathComponent(".build/fault-suite.md").path

    static func add(_ row: FaultRow) { rows.withLock { $0.append(row) } }

    /// The table in Markdown.
    static func render() -> String {
        let rows = rows.withLock { $0 }
        var lines = ["| scenario | faults injected | requests | bytes verified | wrong bytes served | data lost | unverified bytes in aborted responses |",
                     "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for row in rows {
            lines.append("| \(row.scenario) | \(row.faults) | \(row.requests) | \(row.bytesVerified) | \(row.wrongBytes) | \(row.dataLost) | \(row.abortedBytes) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Prints the table and writes it to ``path``.
    static func publish() {
        let text = render()
        print("\nFault suite (\(ISO8601DateFormatter().string(from: Date()))):\n" + text)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// Prints and writes the fault table once every scenario of the suite ran.
struct FaultTableTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        defer { FaultTable.publish() }
        try await function()
    }
}

extension Trait where Self == FaultTableTrait {
    /// Publishes the fault table after the suite.
    static var faultTable: Self { Self() }
}

/// The fault suite: every scenario runs against a real `larder serve` process, one at a time (they measure time
/// and memory, and the machine has few cores). The table is printed at the end.
@Suite("Fault suite", .serialized, .faultTable, .timeLimit(.minutes(5)))
struct FaultSuite {}

/// A value shared by concurrent clients (a `Mutex` in a class, so escaping closures can capture it).
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
