/// Requested versus used resources.
public struct ResourceSection: Codable, Sendable, Equatable {
    /// Per step and run.
    public var steps: [StepResources]
    /// Per task (both runs).
    public var tasks: [TaskResources]
}

/// One step's resources in A and B.
public struct StepResources: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Usage in A.
    public var a: ResourceSummary?
    /// Usage in B.
    public var b: ResourceSummary?
}

/// Resource requests and usage of a group of tasks (a step in one run).
public struct ResourceSummary: Codable, Sendable, Equatable {
    /// Tasks summarised.
    public var tasks: Int
    /// Requested CPU (the largest request among the tasks), cores.
    public var requestCPU: Double?
    /// Requested memory (largest), bytes.
    public var requestMemoryBytes: Int64?
    /// CPU limit (largest), cores.
    public var limitCPU: Double?
    /// Mean of the tasks' average cores.
    public var avgCores: Double
    /// The usage percentile (``ReportOptions/cpuPercentile``) of the tasks' per-interval samples.
    public var percentileCores: Double
    /// Highest per-interval cores.
    public var maxCores: Double
    /// Highest peak memory, bytes.
    public var peakMemoryBytes: Int64
    /// `percentileCores / requestCPU`.
    public var cpuOverRequest: Double?
    /// `peakMemoryBytes / requestMemoryBytes`.
    public var memoryOverRequest: Double?
    /// Seconds throttled, summed.
    public var throttledSeconds: Double?
    /// Fraction of CFS periods throttled.
    public var throttledFraction: Double?
    /// Highest CPU pressure (`some avg10`, %).
    public var cpuPressure: Double?
}

/// One task's resources.
public struct TaskResources: Codable, Sendable, Equatable {
    /// `A` or `B`.
    public var side: String
    /// Step name.
    public var step: String
    /// Task identifier.
    public var task: String
    /// Attempt compared.
    public var attempt: Int
    /// Node.
    public var node: String
    /// Duration, seconds.
    public var duration: Double
    /// Requested CPU.
    public var requestCPU: Double?
    /// Requested memory.
    public var requestMemoryBytes: Int64?
    /// Average cores.
    public var avgCores: Double
    /// 95th percentile cores (as recorded).
    public var p95Cores: Double
    /// Highest cores.
    public var maxCores: Double
    /// Peak memory.
    public var peakMemoryBytes: Int64
    /// `p95Cores / requestCPU`.
    public var cpuOverRequest: Double?
    /// `peakMemoryBytes / requestMemoryBytes`.
    public var memoryOverRequest: Double?
    /// Seconds throttled.
    public var throttledSeconds: Double?
    /// CPU pressure, %.
    public var cpuPressure: Double?
    /// Node busy fraction while it ran.
    public var nodeBusyFraction: Double?
}

/// Placement of both runs.
public struct PlacementSection: Codable, Sendable, Equatable {
    /// Nodes of A.
    public var a: [NodePlacement]
    /// Nodes of B.
    public var b: [NodePlacement]
}

/// What one node did in one run.
public struct NodePlacement: Codable, Sendable, Equatable {
    /// Node name.
    public var node: String
    /// CPUs of the node, when recorded.
    public var cpuCount: Int?
    /// Memory of the node.
    public var memoryBytes: Int64?
    /// Tasks it ran.
    public var tasks: Int
    /// Most tasks running at once.
    public var peakConcurrent: Int
    /// Highest sum of concurrently running tasks' p95 cores (CPU demand).
    public var peakDemandCores: Double
    /// Duration-weighted mean of the tasks' node busy fractions.
    public var busyFraction: Double?
    /// Sum of CPU requests of the tasks running at the peak.
    public var peakRequestedCores: Double?
}

/// One finding: evidence with numbers and a concrete change.
public struct Finding: Codable, Sendable, Equatable {
    /// Position after ranking (1 = most time lost).
    public var rank: Int
    /// `cpu-under-request`, `memory-under-request`, `over-request`, `node-skew`, `noisy-neighbour`,
    /// `throttling`, `slower-step`, `faster-step`, `outputs-differ`, `failed-tasks`, `unmatched-tasks`.
    public var kind: String
    /// Which run it concerns: `A`, `B` or `both`.
    public var side: String
    /// Step, when it concerns one.
    public var step: String?
    /// One-line summary.
    public var title: String
    /// Evidence sentences with numbers.
    public var evidence: [String]
    /// The concrete change to make, when there is one.
    public var action: String?
    /// Estimated wall seconds lost (0 when it is about quality or cost, not time).
    public var estimatedSecondsLost: Double
    /// True when the time lost is not established: a duration difference that is not significant
    /// (Mann–Whitney U, p ≥ α) or could not be tested (< 3 tasks a side).
    public var uncertain: Bool?
    /// How far the time lost can be trusted, 0…1: `1 − p` of the Mann–Whitney U test for a slower
    /// step, 0.5 when it could not be tested; absent means 1. Findings are ranked by
    /// `estimatedSecondsLost × confidence`.
    public var confidence: Double?
}

/// A per-step `@kubernetes` recommendation.
public struct Recommendation: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Requests in A.
    public var currentA: Requests?
    /// Requests in B.
    public var currentB: Requests?
    /// The usage percentile of cores (highest of the two runs).
    public var percentileCores: Double
    /// Peak memory (highest of the two runs), bytes.
    public var peakMemoryBytes: Int64
    /// Recommended cores.
    public var cpu: Double
    /// Recommended memory, MiB.
    public var memoryMiB: Int64
    /// `@kubernetes(cpu=…, memory=…)`.
    public var decorator: String
}

/// CPU and memory requests.
public struct Requests: Codable, Sendable, Equatable {
    /// Cores.
    public var cpu: Double?
    /// Bytes.
    public var memoryBytes: Int64?
}

/// Timelines of both runs for the charts.
public struct TimelinePair: Codable, Sendable, Equatable {
    /// Tasks of A.
    public var a: [TimelineTask]
    /// Tasks of B.
    public var b: [TimelineTask]
}

/// One task on a timeline.
public struct TimelineTask: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Task identifier.
    public var task: String
    /// Node.
    public var node: String
    /// Seconds from the run's first start.
    public var offset: Double
    /// Duration.
    public var duration: Double
    /// Requested CPU.
    public var requestCPU: Double?
    /// Up to 48 `[t, cores]` points (seconds since the task start); empty when not recorded.
    public var cores: [[Double]]
}
