import Foundation
import LarderAPI
@testable import RunCompare
import RunFixtures
import RunModel

/// Run documents built from explicit numbers: the motivating case in small.
///
/// A: `tiny` and `large` for 3 videos, requests 1 CPU / 4 GiB, all on node-a (32 CPUs), using
/// ~6.5 and ~12.8 cores; B: requests 8 / 2 GiB and 22 / 12 GiB, spread over node-a and node-b.
/// Fetches: A's tasks download their model from upstream (every task a miss, ~11 % of `large`'s time);
/// B's `large` tasks hit the node's cache and B's `tiny` tasks recorded no fetches.
enum Fixtures {
    static let gib: Int64 = 1 << 30
    static let videos = ["v1", "v2", "v3"]
    static let textsA = ["the quick brown fox jumps over the lazy dog", "hello and welcome to six minute english",
                         "scientists think the answer lies in the brain"]
    static let textsB = ["the quick brown fox jumps over the lazy dog", "hello and welcome to 6 minute english",
                         "scientists think that the answer lies in a brain"]

    static func spec(_ step: String, _ task: Int, video: Int, node: String, offset: Double, duration: Double,
                     cpu: Double, memory: Int64, cores: Double, peak: Int64, busy: Double, pressure: Double?,
                     text: String, fetches: [SyntheticRuns.FetchSpec] = []) -> SyntheticRuns.TaskSpec {
        var result = SyntheticRuns.TaskSpec(
            step: step, task: "\(task)", input: ["url": videos[video]], node: node, nodeCPUs: 32, offset: offset,
            duration: duration, requestCPU: cpu, requestMemory: memory, cores: cores, peakMemory: peak, busy: busy,
            pressure: pressure, transcript: text)
        result.fetches = fetches
        return result
    }

    /// A model download: a small config file, then the checkpoint taking `seconds`.
    static func model(_ name: String, bytes: Int64, outcome: FetchOutcome, seconds: Double) -> [SyntheticRuns.FetchSpec] {
        [SyntheticRuns.FetchSpec(ref: "hf://org/\(name)@main", path: "config.json", bytes: 2_000, outcome: outcome, offset: 0.5,
                                 seconds: outcome == .hit ? 0.01 : 0.3),
         SyntheticRuns.FetchSpec(ref: "hf://org/\(name)@main", path: "model.bin", bytes: bytes, outcome: outcome, offset: 1,
                                 seconds: seconds)]
    }

    static func runA() throws -> RunDocument {
        var specs: [SyntheticRuns.TaskSpec] = []
        for v in 0..<3 {
            specs.append(spec("tiny", 1 + v, video: v, node: "node-a", offset: Double(v), duration: [1000, 1060, 1120][v],
                              cpu: 1, memory: 4 * gib, cores: [6.2, 6.5, 6.6][v], peak: 1_700_000_000, busy: 0.98, pressure: 40,
                              text: textsA[v], fetches: model("tiny", bytes: 151_000_000, outcome: .miss, seconds: [20, 22, 21][v])))
            specs.append(spec("large", 4 + v, video: v, node: "node-a", offset: Double(v) + 0.5, duration: [2600, 2700, 2750][v],
                              cpu: 1, memory: 4 * gib, cores: [12.6, 12.8, 13.0][v], peak: 12_600_000_000, busy: 0.99, pressure: 45,
                              text: textsA[v], fetches: model("large", bytes: 3_100_000_000, outcome: .miss, seconds: [300, 310, 290][v])))
        }
        return try SyntheticRuns.document(flow: "Whisper", run: "100", start: Date(timeIntervalSince1970: 1_800_000_000), tasks: specs)
    }

    static func runB() throws -> RunDocument {
        var specs: [SyntheticRuns.TaskSpec] = []
        for v in 0..<3 {
            specs.append(spec("tiny", 1 + v, video: v, node: v == 1 ? "node-b" : "node-a", offset: Double(v), duration: [70, 72, 75][v],
                              cpu: 8, memory: 2 * gib, cores: [7.1, 7.3, 7.2][v], peak: 1_700_000_000, busy: 0.6, pressure: 2,
                              text: textsA[v]))
            specs.append(spec("large", 4 + v, video: v, node: v == 1 ? "node-a" : "node-b", offset: Double(v) + 0.5,
                              duration: [180, 190, 195][v], cpu: 22, memory: 12 * gib, cores: [13.5, 13.6, 13.8][v],
                              peak: 12_600_000_000, busy: 0.7, pressure: 3, text: textsB[v],
                              fetches: model("large", bytes: 3_100_000_000, outcome: .hit, seconds: [0.4, 0.5, 0.4][v])))
        }
        return try SyntheticRuns.document(flow: "Whisper", run: "200", start: Date(timeIntervalSince1970: 1_800_003_600), tasks: specs)
    }

    static func report(normalization: TextNormalization = .basic) throws -> ComparisonReport {
        RunComparer.compare(LoadedRun(document: try runA()), LoadedRun(document: try runB()),
                            options: ComparisonOptions(normalization: normalization))
    }

    /// The repository root (three levels above this file).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// This test target's directory.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// A minimal task record.
    static func record(step: String, task: String, attempt: Int = 0, input: [String: String] = [:], node: String = "n",
                       start: Double = 0, duration: Double = 10, cpu: Double? = 1, p95: Double = 1, status: Int = 0) throws -> TaskRecord {
        let begin = Date(timeIntervalSince1970: 1_800_000_000 + start)
        return TaskRecord(
            identity: try TaskIdentity(flow: "F", run: "R", step: step, task: task, attempt: attempt), input: input,
            node: NodeDescription(name: node, cpuCount: 4), start: begin, end: begin.addingTimeInterval(duration),
            durationSeconds: duration, exit: ExitOutcome(status: status), requests: ResourceAmounts(cpu: cpu, memoryBytes: gib),
            usage: ResourceUsage(cpuSeconds: p95 * duration, avgCores: p95, p95Cores: p95, maxCores: p95, peakMemoryBytes: gib / 2,
                                 samples: [], sampleIntervalSeconds: 1),
            command: ["true"])
    }
}
