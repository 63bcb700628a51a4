/// What the tasks of each step fetched through their node's Larder, A against B (from the records'
/// optional `fetches` sections). Absent from the report when no task of either run recorded fetches.
public struct FetchSection: Codable, Sendable, Equatable {
    /// Steps in which at least one run's tasks recorded fetches, in step order.
    public var steps: [StepFetches]
}

/// One step's fetches in A and B.
public struct StepFetches: Codable, Sendable, Equatable {
    /// Step name.
    public var step: String
    /// Tasks of the step in A (0 when the step did not run in A).
    public var tasksA: Int
    /// Tasks of the step in B.
    public var tasksB: Int
    /// Fetches in A; absent when none of the step's tasks in A recorded a `fetches` section ("not recorded").
    public var a: FetchSummary?
    /// Fetches in B; absent when not recorded.
    public var b: FetchSummary?
}

/// The fetches of one step in one run, over the tasks that recorded them.
public struct FetchSummary: Codable, Sendable, Equatable {
    /// Tasks whose record has a `fetches` section (the others are not counted).
    public var tasks: Int
    /// Objects fetched.
    public var objects: Int
    /// Bytes sent to the tasks.
    public var bytes: Int64
    /// Bytes that came from upstream because of the tasks' requests (each fill counted once).
    public var upstreamBytes: Int64
    /// Bytes of `hit` fetches ÷ `bytes`; absent when nothing was fetched.
    public var hitRatioBytes: Double?
    /// `hit` fetches ÷ `objects`; absent when nothing was fetched.
    public var hitRatioObjects: Double?
    /// Seconds the tasks spent with at least one fetch in flight, summed over the tasks.
    public var seconds: Double
    /// `seconds` ÷ `tasks`.
    public var meanSeconds: Double
    /// The longest wait of one task.
    public var maxSeconds: Double
    /// `seconds` ÷ the summed durations of the same tasks; absent when they lasted no time.
    public var share: Double?
    /// Tasks with at least one `miss` or `coalesced` fetch (they waited on upstream).
    public var upstreamTasks: Int
    /// Totals per cache outcome (`hit`, `miss`, `coalesced`, `peer`; only outcomes that occurred).
    public var byOutcome: [String: OutcomeTotals]
    /// Downloads from upstream of an object a task had already downloaded on the same node (listed items only).
    public var repeatedObjects: Int
    /// Upstream bytes of those repeated downloads.
    public var repeatedBytes: Int64
    /// The objects downloaded from upstream by more than one task on one node, most bytes first (at most 5).
    public var repeated: [RepeatedDownload]
}

/// Totals of the fetches with one cache outcome.
public struct OutcomeTotals: Codable, Sendable, Equatable {
    /// Objects.
    public var objects: Int
    /// Bytes sent to the tasks.
    public var bytes: Int64
    /// Summed fetch durations (overlapping fetches each count).
    public var seconds: Double
}

/// One object that several tasks of a step downloaded from upstream on the same node.
public struct RepeatedDownload: Codable, Sendable, Equatable {
    /// The object: its warm reference, with the file path for `hf://` references (`hf://org/model@main model.bin`).
    public var object: String
    /// The node.
    public var node: String
    /// Tasks that downloaded it from upstream there.
    public var tasks: Int
    /// Downloads from upstream there (at least `tasks`).
    public var downloads: Int
    /// Upstream bytes of the downloads after the first.
    public var repeatedBytes: Int64
}
