/// One run of a flow as an entry of the `GET /runs/<flow>` listing: its id, extent and task count.
public struct RunSummary: Codable, Sendable, Hashable {
    /// The run id.
    public var run: String
    /// Start of the earliest task (RFC 3339).
    public var start: String?
    /// End of the latest task (RFC 3339).
    public var end: String?
    /// Number of tasks (latest attempts).
    public var tasks: Int

    /// Creates a summary.
    public init(run: String, start: String?, end: String?, tasks: Int) {
        self.run = run
        self.start = start
        self.end = end
        self.tasks = tasks
    }
}
