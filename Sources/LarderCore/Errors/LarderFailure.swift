import LarderStore

/// A failure that reaches a client: what kind of failure it is, a stable machine-readable code and a message
/// that says what went wrong and, where possible, what to do about it.
///
/// Domain code throws it without knowing about HTTP; the server maps ``Kind`` to a status in one place and answers
/// with an `ErrorBody` (`{"error": code, "message": ...}`).
public struct LarderFailure: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public let kind: Kind
    /// A stable machine-readable code, e.g. `invalid_digest`.
    public let code: String
    /// What went wrong and, where possible, what to do about it.
    public let message: String
    /// Extra headers to answer with (e.g. `Retry-After`).
    public var headers = FailureHeaders()

    /// Creates a failure of `kind`.
    public init(_ kind: Kind, _ code: String, _ message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension LarderFailure {
    /// A request the server cannot act on.
    public static func invalidRequest(_ code: String, _ message: String) -> LarderFailure { .init(.invalidRequest, code, message) }
    /// The thing asked for is not here.
    public static func notFound(_ code: String, _ message: String) -> LarderFailure { .init(.notFound, code, message) }

    /// ``Kind/storeFull`` when `error` says the store's map or its disk is full (`StoreFailure`), else nil.
    public static func storageFull(_ error: any Error) -> LarderFailure? {
        guard case .storageFull(let reason) = StoreFailure.classify(error) else { return nil }
        return LarderFailure(.storeFull, "insufficient_storage",
                             "the store ran out of room (\(reason); usually a full disk); free disk space or lower --max-size; nothing was stored")
    }
}
