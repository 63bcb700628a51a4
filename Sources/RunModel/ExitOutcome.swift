/// How a task's command ended: a normal exit status or a terminating signal (exactly one is set
/// for a finished command).
public struct ExitOutcome: Hashable, Sendable, Codable {
    /// The exit status (0–255) when the command exited normally.
    public var status: Int?
    /// The signal number when the command was killed by a signal.
    public var signal: Int?

    /// Creates an outcome from its parts.
    public init(status: Int? = nil, signal: Int? = nil) {
        self.status = status
        self.signal = signal
    }

    /// The code a shell would report: the status, or 128 + signal; 1 if neither is known.
    public var shellStatus: Int32 {
        if let status { return Int32(truncatingIfNeeded: status) }
        if let signal { return 128 + Int32(truncatingIfNeeded: signal) }
        return 1
    }

    private enum CodingKeys: String, CodingKey {
        case status, signal
    }
}
