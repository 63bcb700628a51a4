/// One reading of a process tree taken by ``ProcessTreeSampler``.
public struct ProcessTreeSample: Sendable, Equatable {
    /// CPU time (user + system) used by the tree since the root started, in seconds, including
    /// descendants that have already exited. Never decreases between samples of one sampler.
    public var cpuSeconds: Double
    /// Sum of the resident set sizes of the live processes in the tree, in bytes.
    public var residentBytes: Int64
    /// Number of processes (including zombies) currently in the tree.
    public var processCount: Int
    /// The root's own CPU plus what it has accounted for its descendants, in seconds; nil once
    /// the root is gone. ``TaskRecorder`` compares it with the root's `wait4` rusage.
    public var rootCPUSeconds: Double?

    /// Creates a sample.
    public init(cpuSeconds: Double, residentBytes: Int64, processCount: Int, rootCPUSeconds: Double?) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
        self.processCount = processCount
        self.rootCPUSeconds = rootCPUSeconds
    }
}
