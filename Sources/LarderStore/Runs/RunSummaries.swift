import Foundation
import RunModel

/// One run of a flow, as `GET /runs/<flow>` lists it.
public struct RunSummary: Codable, Sendable, Equatable {
    /// The run id.
    public var run: String
    /// Start of the earliest task (RFC 3339).
    public var start: String?
    /// End of the latest task (RFC 3339).
    public var end: String?
    /// Number of tasks (latest attempts).
    public var tasks: Int
}

/// One flow, as `GET /runs` lists it.
public struct FlowSummary: Codable, Sendable, Equatable {
    /// The flow name.
    public var flow: String
    /// Number of runs recorded.
    public var runs: Int
}

/// Every task of one run, as `GET /runs/<flow>/<run>` answers (schema `larder.run/v1`).
public struct RunDocument: Codable, Sendable {
    /// Always `larder.run/v1`.
    public var schema: String = "larder.run/v1"
    /// The flow name.
    public var flow: String
    /// The run id.
    public var run: String
    /// Every recorded task attempt (`larder.task/v1` records), in step, task, attempt order.
    public var tasks: [TaskRecord]
    /// Text of text artifacts by digest (only in `larder runs export` files).
    public var inline: [String: String]?

    /// Creates a document.
    public init(flow: String, run: String, tasks: [TaskRecord], inline: [String: String]? = nil) {
        self.flow = flow
        self.run = run
        self.tasks = tasks
        self.inline = inline
    }
}
