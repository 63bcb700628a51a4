import Foundation

/// The error body of the OCI Distribution Specification: `{"errors":[{"code":…,"message":…,"detail":…}]}`.
///
/// Larder answers every failure under `/v2/` with it, and reads it from upstream registries to pass their code on.
public struct OCIErrorBody: Codable, Sendable, Hashable {
    /// One error.
    public struct Entry: Codable, Sendable, Hashable {
        /// An OCI error code, e.g. `BLOB_UNKNOWN`.
        public var code: String
        /// What went wrong.
        public var message: String
        /// Extra detail: Larder puts its own error code here (e.g. `upstream_timeout`).
        public var detail: String?

        /// Creates an entry.
        public init(code: String, message: String, detail: String? = nil) {
            self.code = code
            self.message = message
            self.detail = detail
        }
    }

    /// The errors, usually one.
    public var errors: [Entry]

    /// Creates a body of `errors`.
    public init(errors: [Entry]) {
        self.errors = errors
    }

    /// The body as sent: sorted keys, then a newline.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0a]
    }

    /// The body parsed from an answer's bytes, or nil when they are not one.
    public static func parse(_ bytes: some Sequence<UInt8>) -> OCIErrorBody? {
        try? JSONDecoder().decode(OCIErrorBody.self, from: Data(bytes))
    }
}
