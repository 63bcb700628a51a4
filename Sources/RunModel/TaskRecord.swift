import Foundation

/// Everything Larder records about one task attempt: when it ran, where, what it asked for and
/// what it really used.
///
/// ## JSON schema `larder.task/v1`
///
/// Keys are camelCase and sorted when encoded by ``encoded()``. Optional fields are omitted
/// when unknown. Readers ignore unknown keys; a different major version (`larder.task/v2`)
/// is rejected by ``decode(_:)``.
///
/// ```
/// {
///   "schema": "larder.task/v1",
///   "flow": "SixMinVideos", "run": "1680000000", "step": "tiny", "task": "4", "attempt": 0,
///   "input": {"video": "a.mp4"},              // foreach values identifying the task across runs
///   "node": {"name": "node-a", "cpuCount": 16, "memoryBytes": 68719476736},
///   "start": "2026-11-29T15:04:05.123456Z",   // RFC 3339, UTC, microseconds
///   "end": "2026-11-29T15:09:05.654321Z",
///   "durationSeconds": 300.530865,            // monotonic clock, not end - start
///   "exit": {"status": 0},                    // or {"signal": 9}
///   "requests": {"cpu": 1, "memoryBytes": 4294967296},   // from the pod spec (either may be absent)
///   "limits": {"cpu": 2, "memoryBytes": 8589934592},     // cgroup v2 cpu.max / memory.max; absent = unlimited or unknown
///   "usage": {
///     "cpuSeconds": 3900.1,                   // user+system CPU of the whole process tree
///     "avgCores": 12.98, "p95Cores": 13.6, "maxCores": 14.1,
///     "peakMemoryBytes": 12884901888,         // highest sampled process-tree RSS (or ru_maxrss if larger)
///     "cgroupMemoryPeakBytes": 13000000000,   // optional: cgroup memory.peak (whole container, lifetime)
///     "sampleIntervalSeconds": 1,             // between stored samples; doubles when downsampled
///     "samples": [{"t": 1.0, "cores": 12.7, "memoryBytes": 11811160064}, …]
///   },
///   "throttling": {"nrPeriods": 3000, "nrThrottled": 2900, "throttledSeconds": 250.2},  // optional
///   "cpuPressureSomeAvg10": 41.3,             // optional: highest PSI "some avg10" (%) seen; cgroup, else node
///   "nodeCPUBusyFraction": 0.97,              // optional: node-wide busy CPU fraction over the task
///   "artifacts": [{"name": "transcript", "digest": "sha256:…", "size": 1234, "mediaType": "text/plain"}],
///   "fetches": {"objects": 3, "bytes": 3100000000, …},  // optional: what the task fetched (see TaskFetches)
///   "command": ["python3", "flow.py", "step", "tiny"]
/// }
/// ```
public struct TaskRecord: Hashable, Sendable, Codable {
    /// The schema identifier written into every record.
    public static let schema = "larder.task/v1"
    /// The schema major version this build reads and writes.
    public static let schemaMajorVersion = 1

    /// Which task attempt this is (encoded as the flat `flow`/`run`/`step`/`task`/`attempt` keys).
    public var identity: TaskIdentity
    /// The foreach input values that identify the task across runs.
    public var input: [String: String]
    /// Where the task ran.
    public var node: NodeDescription
    /// Wall-clock start time.
    public var start: Date
    /// Wall-clock end time.
    public var end: Date
    /// Elapsed seconds, measured with a monotonic clock.
    public var durationSeconds: Double
    /// How the command ended.
    public var exit: ExitOutcome
    /// The resources the pod requested.
    public var requests: ResourceAmounts
    /// The limits in force (from the cgroup).
    public var limits: ResourceAmounts
    /// What the task used.
    public var usage: ResourceUsage
    /// CPU throttling of the cgroup during the task, when the cgroup exposes it.
    public var throttling: CPUThrottling?
    /// Highest CPU pressure (`some avg10`, percent) seen during the task.
    public var cpuPressureSomeAvg10: Double?
    /// Fraction of all node CPU time that was busy over the task's life (0…1).
    public var nodeCPUBusyFraction: Double?
    /// Files the task produced.
    public var artifacts: [ArtifactReference]
    /// The command line that was run.
    public var command: [String]
    /// What the task fetched through its node's Larder, when it was attributed (see ``TaskFetches``).
    public var fetches: TaskFetches?

    /// Creates a record.
    public init(
        identity: TaskIdentity, input: [String: String] = [:], node: NodeDescription,
        start: Date, end: Date, durationSeconds: Double, exit: ExitOutcome,
        requests: ResourceAmounts = ResourceAmounts(), limits: ResourceAmounts = ResourceAmounts(),
        usage: ResourceUsage, throttling: CPUThrottling? = nil, cpuPressureSomeAvg10: Double? = nil,
        nodeCPUBusyFraction: Double? = nil, artifacts: [ArtifactReference] = [], command: [String],
        fetches: TaskFetches? = nil
    ) {
        self.identity = identity
        self.input = input
        self.node = node
        self.start = start
        self.end = end
        self.durationSeconds = durationSeconds
        self.exit = exit
        self.requests = requests
        self.limits = limits
        self.usage = usage
        self.throttling = throttling
        self.cpuPressureSomeAvg10 = cpuPressureSomeAvg10
        self.nodeCPUBusyFraction = nodeCPUBusyFraction
        self.artifacts = artifacts
        self.command = command
        self.fetches = fetches
    }

    /// Encodes the record as JSON with sorted keys, so equal records give identical bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes a record, rejecting other schemas and malformed input with a ``RunModelError``.
    /// - Throws: ``RunModelError/unsupportedSchema(found:supported:)`` for an unknown schema or
    ///   major version, ``RunModelError/invalidRecord(reason:)`` for malformed JSON or fields,
    ///   or a name error for invalid flow/run/step/task names.
    public static func decode(_ data: Data) throws -> TaskRecord {
        do {
            return try JSONDecoder().decode(TaskRecord.self, from: data)
        } catch let error as RunModelError {
            throw error
        } catch let error as DecodingError {
            throw RunModelError.invalidRecord(reason: Self.describe(error))
        }
    }

    /// Checks a schema string such as `larder.task/v1` or `larder.task/v1.2`.
    static func checkSchema(_ schema: String) throws {
        let prefix = "larder.task/v"
        let unsupported = RunModelError.unsupportedSchema(found: schema, supported: "\(Self.schema) (major version \(schemaMajorVersion))")
        guard schema.hasPrefix(prefix) else { throw unsupported }
        let version = schema.dropFirst(prefix.count)
        let majorText = version.prefix { $0 != "." }
        guard let major = Int(majorText), major == schemaMajorVersion else { throw unsupported }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing \"\(key.stringValue)\"" + (parent == "top level" ? "" : " in \(parent)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return "\(context.debugDescription) (at \(path(context)))"
        @unknown default:
            return String(describing: error)
        }
    }
}
