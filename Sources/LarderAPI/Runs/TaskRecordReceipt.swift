/// The body of a `201` answer to `PUT /runs/<flow>/<run>/<step>/<task>/record`: the pathspec stored
/// (`{"stored": "flow/run/step/task"}`).
public struct TaskRecordReceipt: Codable, Sendable, Hashable {
    /// The task's pathspec, `flow/run/step/task`.
    public var stored: String

    /// Creates a receipt for `pathspec`.
    public init(stored pathspec: String) {
        self.stored = pathspec
    }
}
