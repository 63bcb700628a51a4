import RunModel

/// Every task record of one run (schema `larder.run/v1`), as `GET /runs/<flow>/<run>` answers and
/// `larder runs export` writes it.
///
/// ```
/// {"schema": "larder.run/v1", "flow": "F", "run": "R",
///  "tasks": [<larder.task/v1>, …],            // every attempt
///  "inline": {"sha256:…": "<UTF-8 text>"}}    // export only: text artifacts up to 1 MiB
/// ```
public struct RunDocument: Codable, Sendable {
    /// The schema identifier of run documents.
    public static let currentSchema = "larder.run/v1"

    /// The document's schema; ``currentSchema`` for documents made here.
    public var schema: String = RunDocument.currentSchema
    /// The flow name.
    public var flow: String
    /// The run id.
    public var run: String
    /// Every recorded task attempt (`larder.task/v1` records), in step, task, attempt order.
    public var tasks: [TaskRecord]
    /// Text of text artifacts by digest (only in `larder runs export` files; absent from the wire when nil).
    public var inline: [String: String]?

    /// The document's fields, in the order they are written.
    enum CodingKeys: String, CodingKey {
        case schema, flow, run, tasks, inline
    }

    /// Creates a document.
    public init(flow: String, run: String, tasks: [TaskRecord], inline: [String: String]? = nil) {
        self.flow = flow
        self.run = run
        self.tasks = tasks
        self.inline = inline
    }

    /// Decodes a document; `schema` is read last, so that a document of another kind is reported by the fields it
    /// lacks rather than by its schema.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        flow = try container.decode(String.self, forKey: .flow)
        run = try container.decode(String.self, forKey: .run)
        tasks = try container.decode([TaskRecord].self, forKey: .tasks)
        inline = try container.decodeIfPresent([String: String].self, forKey: .inline)
        schema = try container.decode(String.self, forKey: .schema)
    }
}
