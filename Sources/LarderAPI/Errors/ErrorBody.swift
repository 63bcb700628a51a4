import Foundation

/// The JSON body of every error answer: `{"error": code, "message": text}` plus a newline.
public struct ErrorBody: Codable, Sendable, Hashable {
    /// A stable machine-readable code, e.g. `invalid_digest`.
    public var error: String
    /// What went wrong and, where possible, what to do about it.
    public var message: String

    /// Creates a body.
    public init(error code: String, message: String) {
        self.error = code
        self.message = message
    }

    /// The body as sent: the object with sorted keys, then a newline.
    public func encoded() -> [UInt8] {
        let object = ["error": error, "message": message]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data) + [0x0a]
    }

    /// The body parsed from an answer's bytes, or nil when they are not one.
    public static func parse(_ bytes: some Sequence<UInt8>) -> ErrorBody? {
        try? JSONDecoder().decode(ErrorBody.self, from: Data(bytes))
    }
}
