import Foundation
import LarderAPI
import RunModel

/// The motivating case as two synthetic runs with explicit numbers: a Whisper flow (3 videos,
/// `tiny` and `large` models) first run with the default 1-CPU/4Gi requests, every pod packed on
/// one 32-CPU node (A), then with `@kubernetes(cpu=8, memory=2048)` / `(cpu=22, memory=12288)`
/// spread over two nodes (B). Used by `runcmp example` and the report in docs/runcmp.
public enum ExampleRuns {
    static let busyNode = "ip-10-10-27-207.us-west-2.compute.internal"
    static let idleNode = "ip-10-10-3-12.us-west-2.compute.internal"
    static let videos = ["https://youtu.be/bbc-6min-1", "https://youtu.be/bbc-6min-2", "https://youtu.be/bbc-6min-3"]

    static let transcripts = [
        "Hello and welcome to 6 Minute English. I'm Neil, and joining me today is Sam. Today we're talking about sleep, "
            + "and why so many of us don't get enough of it.",
        "In this programme we're discussing the future of cities. More than half of the world's population now lives in "
            + "urban areas, and that number is growing every year.",
        "Have you ever wondered why some people remember faces so easily? Scientists think the answer may lie in a small "
            + "part of the brain.",
    ]
    static let transcriptsB = [
        transcripts[0],
        "In this programme we are discussing the future of cities. More than half of the world's population now lives in "
            + "urban areas and that number grows every year.",
        "Have you ever wondered why some people remember faces so easily? Scientists think that the answer may lie in a "
            + "small part of the brain.",
    ]

    /// Whisper checkpoints as the tasks fetch them through the node's Larder (sizes of the Hugging Face files).
    static let modelFiles: [String: [(path: String, bytes: Int64)]] = [
        "tiny": [("config.json", 1_983), ("tokenizer.json", 2_480_466), ("model.safetensors", 151_061_672)],
        "large": [("config.json", 1_272), ("tokenizer.json", 2_480_466), ("model.safetensors", 3_087_130_976)],
    ]

    /// What one task of `step` fetched: each file one after the other, the checkpoint taking `seconds`.
    static func modelFetches(_ step: String, outcome: FetchOutcome, seconds: Double) -> [SyntheticRuns.FetchSpec] {
        var offset = 0.4
        return (modelFiles[step] ?? []).map { file in
            let duration = file.bytes > 100_000_000 ? seconds : (outcome == .hit ? 0.004 : 0.3)
            defer { offset += duration + 0.05 }
            return SyntheticRuns.FetchSpec(ref: "hf://openai/whisper-\(step == "tiny" ? "tiny" : "large-v3")@main", path: file.path,
                                           bytes: file.bytes, outcome: outcome, offset: offset, seconds: duration)
        }
    }

    /// Runs A and B of the example. A's tasks download the checkpoints from upstream (every task a miss, the
    /// node's cache bypassed); B's are served from the node's store.
    public static func whisper() throws -> (RunDocument, RunDocument) {
        let gib: Int64 = 1 << 30
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        func spec(_ step: String, _ task: Int, _ video: Int?, node: String, offset: Double, duration: Double, cpu: Double?,
                  memory: Int64?, cores: Double, peak: Double, busy: Double, pressure: Double?, text: String? = nil,
                  fetches: [SyntheticRuns.FetchSpec] = []) -> SyntheticRuns.TaskSpec {
            var result = SyntheticRuns.TaskSpec(
                step: step, task: "\(task)", input: video.map { ["url": videos[$0]] } ?? [:], node: node, nodeCPUs: 32,
                offset: offset, duration: duration, requestCPU: cpu, requestMemory: memory, cores: cores,
                peakMemory: Int64(peak * Double(gib)), busy: busy, pressure: pressure, transcript: text)
            result.fetches = fetches
            return result
        }
        var a: [SyntheticRuns.TaskSpec] = [
            spec("start", 1, nil, node: busyNode, offset: 0, duration: 21, cpu: 1, memory: 4 * gib, cores: 0.4, peak: 0.3, busy: 0.05, pressure: nil),
        ]
        var b: [SyntheticRuns.TaskSpec] = [
            spec("start", 1, nil, node: busyNode, offset: 0, duration: 19, cpu: 1, memory: 4 * gib, cores: 0.4, peak: 0.3, busy: 0.04, pressure: nil),
        ]
        for video in 0..<3 {
            a.append(spec("transcribe", 2 + video, video, node: busyNode, offset: 48 + Double(video) * 2, duration: 35 + Double(video) * 4,
                          cpu: 1, memory: 4 * gib, cores: 0.9, peak: 0.4, busy: 0.1, pressure: nil))
            b.append(spec("transcribe", 2 + video, video, node: video == 1 ? idleNode : busyNode, offset: 40 + Double(video),
                          duration: 22 + Double(video) * 2, cpu: 1, memory: 4 * gib, cores: 0.9, peak: 0.4, busy: 0.08, pressure: nil))
            a.append(spec("tiny", 5 + video, video, node: busyNode, offset: 150 + Double(video) * 3, duration: [1010, 1090, 1150][video],
                          cpu: 1, memory: 4 * gib, cores: [6.1, 6.4, 6.6][video], peak: [1.5, 1.6, 1.6][video], busy: 0.99,
                          pressure: [38.5, 41.3, 40.2][video], text: transcripts[video],
                          fetches: modelFetches("tiny", outcome: .miss, seconds: [14.8, 16.1, 15.2][video])))
            a.append(spec("large", 8 + video, video, node: busyNode, offset: 151 + Double(video) * 3, duration: [2560, 2690, 2720][video],
                          cpu: 1, memory: 4 * gib, cores: [12.5, 12.8, 13.1][video], peak: [11.4, 11.7, 11.6][video], busy: 0.98,
                          pressure: [44.0, 46.2, 45.1][video], text: transcripts[video],
                          fetches: modelFetches("large", outcome: .miss, seconds: [309.6, 325.2, 318.4][video])))
            b.append(spec("tiny", 5 + video, video, node: video == 2 ? idleNode : busyNode, offset: 75 + Double(video) * 2,
                          duration: [68, 71, 74][video], cpu: 8, memory: 2 * gib, cores: [7.2, 7.4, 7.3][video],
                          peak: [1.5, 1.6, 1.6][video], busy: 0.62, pressure: [2.1, 1.8, 2.4][video], text: transcripts[video],
                          fetches: modelFetches("tiny", outcome: .hit, seconds: [0.11, 0.12, 0.1][video])))
            b.append(spec("large", 8 + video, video, node: video == 2 ? busyNode : idleNode, offset: 76 + Double(video) * 2,
                          duration: [182, 190, 196][video], cpu: 22, memory: 12 * gib, cores: [13.4, 13.6, 13.9][video],
                          peak: [11.4, 11.7, 11.6][video], busy: 0.71, pressure: [3.0, 2.6, 3.3][video], text: transcriptsB[video],
                          fetches: modelFetches("large", outcome: .hit, seconds: [2.1, 2.3, 2.2][video])))
            a.append(spec("join", 11 + video, video, node: busyNode, offset: 2880 + Double(video) * 3, duration: 8, cpu: 1, memory: 4 * gib,
                          cores: 0.5, peak: 0.2, busy: 0.3, pressure: nil))
            b.append(spec("join", 11 + video, video, node: busyNode, offset: 276 + Double(video), duration: 6, cpu: 1, memory: 4 * gib,
                          cores: 0.5, peak: 0.2, busy: 0.2, pressure: nil))
        }
        a.append(spec("end", 14, nil, node: busyNode, offset: 2875 + 12, duration: 8, cpu: 1, memory: 4 * gib, cores: 0.3, peak: 0.2, busy: 0.05, pressure: nil))
        b.append(spec("end", 14, nil, node: busyNode, offset: 290, duration: 8, cpu: 1, memory: 4 * gib, cores: 0.3, peak: 0.2, busy: 0.05, pressure: nil))
        return (try SyntheticRuns.document(flow: "SixMinVideos", run: "1796000000", start: start, tasks: a),
                try SyntheticRuns.document(flow: "SixMinVideos", run: "1796003600", start: start.addingTimeInterval(3600), tasks: b))
    }
}
