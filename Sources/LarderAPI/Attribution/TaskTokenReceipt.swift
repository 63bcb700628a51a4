/// The answer to `POST /runs/<flow>/<run>/<step>/<task>/fetches`: the token a task's clients put in their server
/// URL (`<server>/t/<token>/…`) so that what they fetch is attributed to the task.
public struct TaskTokenReceipt: Sendable, Codable, Equatable {
    /// The token (32 lowercase hex digits).
    public var token: String
    /// The path prefix to put in front of any server path (`/t/<token>`).
    public var prefix: String
    /// Seconds the registration lives without use before the server drops it.
    public var idleExpirySeconds: Double

    /// Creates a receipt.
    public init(token: String, prefix: String, idleExpirySeconds: Double) {
        self.token = token
        self.prefix = prefix
        self.idleExpirySeconds = idleExpirySeconds
    }
}
