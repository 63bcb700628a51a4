import Foundation
import LarderAPI
import RunModel

/// Deterministic synthetic runs for the benchmark and the example report. Every number comes
/// from the arguments and a seeded generator, never from a real cluster.
public enum SyntheticRuns {
    /// Parameters of one synthetic task.
    public struct TaskSpec: Sendable {
        /// Step name.
        public var step: String
        /// Task identifier.
        public var task: String
        /// Input values.
        public var input: [String: String]
        /// Node name and CPUs.
        public var node: String
        /// CPUs of the node.
        public var nodeCPUs: Int
        /// Seconds from the run start.
        public var offset: Double
        /// Duration.
        public var duration: Double
        /// Requested cores and memory.
        public var requestCPU: Double?
        /// Requested memory.
        public var requestMemory: Int64?
        /// Steady cores used.
        public var cores: Double
        /// Peak memory.
        public var peakMemory: Int64
        /// Node busy fraction.
        public var busy: Double?
        /// CPU pressure.
        public var pressure: Double?
        /// Transcript text (stored inline as artifact `transcript`).
        public var transcript: String?
        /// What the task fetched through Larder; empty: the record has no `fetches` section.
        public var fetches: [FetchSpec] = []

        /// Creates a spec.
        public init(step: String, task: String, input: [String: String], node: String, nodeCPUs: Int, offset: Double,
                    duration: Double, requestCPU: Double?, requestMemory: Int64?, cores: Double, peakMemory: Int64,
                    busy: Double? = nil, pressure: Double? = nil, transcript: String? = nil) {
            self.step = step; self.task = task; self.input = input; self.node = node; self.nodeCPUs = nodeCPUs
            self.offset = offset; self.duration = duration; self.requestCPU = requestCPU; self.requestMemory = requestMemory
            self.cores = cores; self.peakMemory = peakMemory; self.busy = busy; self.pressure = pressure; self.transcript = transcript
        }
    }

    /// One object a synthetic task fetched.
    public struct FetchSpec: Sendable {
        /// Warm reference (`hf://repo@revision`).
        public var ref: String
        /// File within the repository.
        public var path: String?
        /// Bytes sent to the task.
        public var bytes: Int64
        /// How the cache answered; a `miss` brought all `bytes` from upstream.
        public var outcome: FetchOutcome
        /// Seconds from the task start to the request.
        public var offset: Double
        /// Seconds until the last byte.
        public var seconds: Double

        /// Creates a fetch.
        public init(ref: String, path: String? = nil, bytes: Int64, outcome: FetchOutcome, offset: Double = 0, seconds: Double) {
            self.ref = ref; self.path = path; self.bytes = bytes; self.outcome = outcome; self.offset = offset; self.seconds = seconds
        }

        func object(taskStart: Date) -> FetchedObject {
            FetchedObject(ref: ref, path: path, bytes: bytes, upstreamBytes: outcome == .miss ? bytes : 0, outcome: outcome,
                          start: taskStart.addingTimeInterval(offset), firstByteSeconds: min(seconds, outcome == .hit ? 0.002 : 0.4),
                          seconds: seconds)
        }
    }

    /// Builds a run document (with inline transcripts) from task specs; samples are 24 points
    /// ramping up to `cores` over the first tenth of the task.
    public static func document(flow: String, run: String, start: Date, tasks: [TaskSpec]) throws -> RunDocument {
        var records: [TaskRecord] = []
        var inline: [String: String] = [:]
        for spec in tasks {
            let begin = start.addingTimeInterval(spec.offset)
            let samples = (1...24).map { index -> UsageSample in
                let t = spec.duration * Double(index) / 24
                let ramp = min(1, Double(index) / 3)
                return UsageSample(t: (t * 1000).rounded() / 1000, cores: (spec.cores * ramp * 1000).rounded() / 1000,
                                   memoryBytes: Int64(Double(spec.peakMemory) * ramp))
            }
            var artifacts: [ArtifactReference] = []
            if let text = spec.transcript {
                let digest = "sha256:" + pseudoDigest(text)
                inline[digest] = text
                artifacts.append(ArtifactReference(name: "transcript", digest: digest, size: Int64(text.utf8.count), mediaType: "text/plain"))
            }
            records.append(TaskRecord(
                identity: try TaskIdentity(flow: flow, run: run, step: spec.step, task: spec.task),
                input: spec.input, node: NodeDescription(name: spec.node, cpuCount: spec.nodeCPUs, memoryBytes: 128 << 30),
                start: begin, end: begin.addingTimeInterval(spec.duration), durationSeconds: spec.duration,
                exit: ExitOutcome(status: 0), requests: ResourceAmounts(cpu: spec.requestCPU, memoryBytes: spec.requestMemory),
                usage: ResourceUsage(cpuSeconds: spec.cores * spec.duration * 0.95, avgCores: spec.cores * 0.95,
                                     p95Cores: spec.cores, maxCores: spec.cores * 1.05, peakMemoryBytes: spec.peakMemory,
                                     samples: samples, sampleIntervalSeconds: spec.duration / 24),
                cpuPressureSomeAvg10: spec.pressure, nodeCPUBusyFraction: spec.busy, artifacts: artifacts,
                command: ["python3", "flow.py", "step", spec.step],
                fetches: spec.fetches.isEmpty ? nil : TaskFetches(summarising: spec.fetches.map { $0.object(taskStart: begin) })))
        }
        return RunDocument(flow: flow, run: run, tasks: records, inline: inline)
    }

    /// Two runs of `tasks` tasks each (steps `tiny` and `large`), with `words`-word transcripts of
    /// which about `difference` of the words differ between the runs — the benchmark input.
    public static func benchmark(tasks: Int, words: Int, difference: Double, seed: UInt64 = 42) throws -> (RunDocument, RunDocument) {
        var rng = SplitMix64(seed: seed)
        let vocabulary = (0..<5000).map { index -> String in
            var word = ""
            var value = index + 1
            while value > 0 { word.append(Character(Unicode.Scalar(UInt8(97 + value % 26)))); value /= 26 }
            return word + (index % 7 == 0 ? "s" : "")
        }
        var specsA: [TaskSpec] = [], specsB: [TaskSpec] = []
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 0..<tasks {
            let step = index % 2 == 0 ? "tiny" : "large"
            var reference: [String] = []
            reference.reserveCapacity(words)
            for _ in 0..<words { reference.append(vocabulary[Int(rng.next() % UInt64(vocabulary.count))]) }
            var hypothesis: [String] = []
            hypothesis.reserveCapacity(words + words / 10)
            for word in reference {
                let roll = Double(rng.next() % 1_000_000) / 1_000_000
                if roll < difference / 3 { continue }
                if roll < 2 * difference / 3 { hypothesis.append(vocabulary[Int(rng.next() % 5000)]); continue }
                hypothesis.append(word)
                if roll < difference { hypothesis.append(vocabulary[Int(rng.next() % 5000)]) }
            }
            let input = ["url": "https://example.invalid/video-\(index / 2)", "model": step]
            let slot = Double(index / 64) * 30
            specsA.append(TaskSpec(step: step, task: "\(index)", input: input, node: "node-\(index % 4)", nodeCPUs: 32,
                                   offset: slot, duration: 25 + Double(index % 5), requestCPU: 1, requestMemory: 4 << 30,
                                   cores: 6, peakMemory: 3 << 30, busy: 0.8, transcript: reference.joined(separator: " ")))
            specsB.append(TaskSpec(step: step, task: "\(index)", input: input, node: "node-\(index % 8)", nodeCPUs: 32,
                                   offset: slot / 2, duration: 12 + Double(index % 3), requestCPU: 8, requestMemory: 4 << 30,
                                   cores: 7, peakMemory: 3 << 30, busy: 0.6, transcript: hypothesis.joined(separator: " ")))
        }
        return (try document(flow: "Bench", run: "a", start: start, tasks: specsA),
                try document(flow: "Bench", run: "b", start: start, tasks: specsB))
    }

    /// A stand-in digest (FNV-1a, widened to 64 hex digits): synthetic artifacts only need
    /// identical texts to get identical digests.
    static func pseudoDigest(_ text: String) -> String {
        var parts: [UInt64] = [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321]
        for byte in text.utf8 {
            for index in parts.indices { parts[index] = (parts[index] ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 &+ UInt64(index) }
        }
        return parts.map { value in
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}
