/// Identifies one task attempt the way Metaflow does: `Flow/run/step/task` plus an attempt number.
///
/// The four names become path components on the server and in the spool, so each is
/// checked by ``validateName(_:)``. The identity encodes as the flat fields
/// `flow`, `run`, `step`, `task`, `attempt`.
public struct TaskIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The flow (pipeline) name, e.g. `SixMinVideos`.
    public let flow: String
    /// The run identifier, e.g. `1680000000`.
    public let run: String
    /// The step name, e.g. `tiny`.
    public let step: String
    /// The task identifier within the step, e.g. `4`.
    public let task: String
    /// The retry attempt, starting at 0.
    public let attempt: Int

    /// The longest accepted name, in UTF-8 bytes.
    public static let maximumNameBytes = 200

    /// Creates an identity after validating every name and the attempt.
    /// - Throws: ``RunModelError/invalidName(field:value:reason:)`` or ``RunModelError/invalidAttempt(_:)``.
    public init(flow: String, run: String, step: String, task: String, attempt: Int = 0) throws {
        try Self.validateName(flow, field: "flow")
        try Self.validateName(run, field: "run")
        try Self.validateName(step, field: "step")
        try Self.validateName(task, field: "task")
        guard attempt >= 0 else { throw RunModelError.invalidAttempt(attempt) }
        self.flow = flow
        self.run = run
        self.step = step
        self.task = task
        self.attempt = attempt
    }

    /// Parses a Metaflow pathspec such as `SixMinVideos/1680000000/tiny/4`.
    /// - Throws: ``RunModelError/invalidPathspec(_:)`` unless there are exactly four non-empty
    ///   components, or a name error when a component is not a valid name.
    public init(pathspec: String, attempt: Int = 0) throws {
        let parts = pathspec.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, !parts.contains(where: \.isEmpty) else {
            throw RunModelError.invalidPathspec(pathspec)
        }
        try self.init(flow: parts[0], run: parts[1], step: parts[2], task: parts[3], attempt: attempt)
    }

    /// The Metaflow pathspec `Flow/run/step/task` (without the attempt).
    public var pathspec: String { "\(flow)/\(run)/\(step)/\(task)" }

    /// The pathspec followed by `#attempt`, e.g. `SixMinVideos/1680000000/tiny/4#0`.
    public var description: String { "\(pathspec)#\(attempt)" }

    /// Checks that `name` can be used as a flow, run, step or task name.
    ///
    /// A valid name is non-empty, at most ``maximumNameBytes`` bytes of UTF-8, is not `.` or `..`,
    /// and contains no `/` and no control characters.
    /// - Throws: ``RunModelError/invalidName(field:value:reason:)`` saying which rule was broken.
    public static func validateName(_ name: String) throws {
        try validateName(name, field: "name")
    }

    /// Same as ``validateName(_:)`` but names the field (`flow`, `run`, …) in the error.
    public static func validateName(_ name: String, field: String) throws {
        func fail(_ reason: String) -> RunModelError {
            RunModelError.invalidName(field: field, value: name, reason: reason)
        }
        if name.isEmpty { throw fail("must not be empty") }
        let bytes = name.utf8.count
        if bytes > maximumNameBytes {
            throw fail("is \(bytes) bytes of UTF-8; the limit is \(maximumNameBytes)")
        }
        if name == "." || name == ".." { throw fail("must not be \".\" or \"..\"") }
        if name.contains("/") { throw fail("must not contain \"/\"") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw fail("must not contain control characters")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case flow, run, step, task, attempt
    }

    /// Decodes and validates the flat `flow`/`run`/`step`/`task`/`attempt` fields.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            flow: container.decode(String.self, forKey: .flow),
            run: container.decode(String.self, forKey: .run),
            step: container.decode(String.self, forKey: .step),
            task: container.decode(String.self, forKey: .task),
            attempt: container.decodeIfPresent(Int.self, forKey: .attempt) ?? 0
        )
    }

    /// Encodes the flat `flow`/`run`/`step`/`task`/`attempt` fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(flow, forKey: .flow)
        try container.encode(run, forKey: .run)
        try container.encode(step, forKey: .step)
        try container.encode(task, forKey: .task)
        try container.encode(attempt, forKey: .attempt)
    }
}
