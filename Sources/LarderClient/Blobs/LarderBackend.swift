import Foundation
import LarderAPI
import LarderStore

/// The operations the `larder` CLI performs, against a running server (``ServerBackend``) or a data directory
/// (``LocalBackend``). Both behave the same; errors are ``ClientError`` with a message that says what to do.
public protocol LarderBackend: Sendable {
    /// Stores the file at `path` (standard input when nil) and returns its record.
    func put(path: String?, progress: ProgressReporter?) async throws -> BlobRecord
    /// Writes blob `digest` to `output`.
    func get(_ digest: BlobDigest, to output: OutputFile, progress: ProgressReporter?) async throws
    /// Fetches `url` through the cache (verifying `sha256` when given) into `output`; returns the cache result.
    func fetch(url: String, sha256: BlobDigest?, to output: OutputFile, progress: ProgressReporter?) async throws -> String
    /// Every blob with its refs.
    func list() async throws -> [BlobListing]
    /// Pins or unpins a blob.
    func setPinned(_ digest: BlobDigest, _ pinned: Bool) async throws
    /// Deletes a blob.
    func delete(_ digest: BlobDigest) async throws
    /// Removes dangling refs and evicts down to the size limit.
    func gc() async throws -> GCReport
    /// Re-hashes every blob and removes corrupt ones.
    func verify() async throws -> VerifyReport
    /// The store's sizes and counters.
    func statistics() async throws -> StoreStatistics
}

/// A CLI-facing failure: the message is printed as is.
public struct ClientError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do.
    public let message: String
    /// True when repeating the same request cannot succeed: the server rejected it (a 4xx answer other than 408
    /// and 429) or the input is unusable. False for transport failures and server errors, which may pass.
    public let isPermanent: Bool
    /// The server's status when it answered with an error, else nil.
    public let status: Int?

    /// Creates an error with `message`; `status` is the server's error answer, if any.
    public init(_ message: String, permanent: Bool = false, status: Int? = nil) {
        self.message = message
        self.isPermanent = permanent
        self.status = status
    }

    /// Whether the server refused the write token (401, 403): the request passes once the right token is given.
    public var isTokenRefusal: Bool { status == 401 || status == 403 }

    public var description: String { message }
}
