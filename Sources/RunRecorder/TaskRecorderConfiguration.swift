import Glibc
import RunModel

extension TaskRecorder {
    /// What to run and how to record it.
    public struct Configuration: Sendable {
        /// The task attempt being recorded.
        public var identity: TaskIdentity
        /// The foreach input values identifying the task across runs.
        public var input: [String: String]
        /// The command and its arguments; the first element is looked up on `PATH`.
        public var command: [String]
        /// The pod's resource requests.
        public var requests: ResourceAmounts
        /// The node name to record (the caller resolves `--node`, `$NODE_NAME` or the hostname).
        public var nodeName: String
        /// Time between samples, clamped to 10 ms … 1 hour.
        public var sampleInterval: Duration
        /// The most samples kept in the record; beyond it the series is downsampled by merging pairs.
        public var maxSamples: Int
        /// Whether to also copy the child's standard output into a capture file.
        public var captureStdout: Bool
        /// The child's environment; nil passes this process's environment through unchanged.
        /// The executable is looked up on this process's `PATH` either way.
        public var environment: [String: String]?
        /// Where the child's standard output is passed through to (this process's stdout by default).
        /// The descriptor is not closed.
        public var stdoutPassthroughDescriptor: Int32
        /// Directory for the stdout capture file; nil uses `$TMPDIR` or `/tmp`.
        public var captureDirectory: String?
        /// How long to keep copying stdout after the command exits while a background process
        /// still holds it open.
        public var stdoutDrainTimeout: Duration
        /// Whether to start the command as the leader of its own process group. This lets the
        /// sampler find orphaned descendants by group, and keeps a terminal's Ctrl-C from reaching
        /// the command twice. Off by default when standard input is a terminal, because a command
        /// outside the terminal's foreground group is stopped when it reads from it.
        public var ownProcessGroup: Bool
        /// The cgroup to read limits, throttling and pressure from.
        public var cgroup: CgroupReader
        /// Where node-wide CPU, memory and pressure figures come from.
        public var node: NodeCPUReader

        /// Creates a configuration with the defaults: 1 s interval, 3600 samples, no stdout capture,
        /// inherited environment, the process's own cgroup and `/proc`.
        public init(
            identity: TaskIdentity,
            command: [String],
            nodeName: String,
            input: [String: String] = [:],
            requests: ResourceAmounts = ResourceAmounts(),
            sampleInterval: Duration = .seconds(1),
            maxSamples: Int = 3600,
            captureStdout: Bool = false,
            environment: [String: String]? = nil
        ) {
            self.identity = identity
            self.command = command
            self.nodeName = nodeName
            self.input = input
            self.requests = requests
            self.sampleInterval = sampleInterval
            self.maxSamples = maxSamples
            self.captureStdout = captureStdout
            self.environment = environment
            self.stdoutPassthroughDescriptor = STDOUT_FILENO
            self.captureDirectory = nil
            self.stdoutDrainTimeout = .seconds(5)
            self.ownProcessGroup = isatty(STDIN_FILENO) == 0
            self.cgroup = CgroupReader()
            self.node = NodeCPUReader()
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
