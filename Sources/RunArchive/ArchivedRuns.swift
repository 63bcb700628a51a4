import Crypto
import Foundation
import LarderAPI
import Logging
import RunModel
import Synchronization
import Upstream

/// Whole runs read straight from an archive, for command-line tools outside the cluster (`runcmp diff s3://…`).
///
/// The calls block: each runs its S3 requests in a task and waits. Call them from threads that are not Swift's
/// cooperative pool (a command's main thread, or dedicated threads such as runcmp's parallel workers), never from
/// an async context.
public struct ArchivedRuns: Sendable {
    /// The record reader (and its S3 client).
    public let reader: RunArchiveReader

    /// Creates a reader of the archive at `configuration`, with `credentials`.
    public init(configuration: RunArchiveConfiguration, credentials: S3CredentialSource, upstream: UpstreamClient = Self.quietClient()) {
        reader = RunArchiveReader(s3: S3Client(configuration: configuration, credentials: credentials, upstream: upstream))
    }

    /// An upstream client that logs only warnings and errors (a command's output is its report, not one line per request).
    public static func quietClient() -> UpstreamClient {
        var logger = Logger(label: "larder.archive")
        logger.logLevel = .warning
        return UpstreamClient(logger: logger)
    }

    /// Every task record of `flow`/`run` (all attempts) in step, task, attempt order; empty when the archive has none.
    /// - Throws: ``S3Failure``.
    public func taskRecords(flow: String, run: String) throws -> [TaskRecord] {
        let prefix = RunArchiveKeys.runPrefix(reader.s3.configuration.location, flow: flow, run: run)
        let records = try Self.blocking { try await reader.records(under: prefix) }
        return records.sorted {
            ($0.identity.step, $0.identity.task, $0.identity.attempt) < ($1.identity.step, $1.identity.task, $1.identity.attempt)
        }
    }

    /// The bytes of the artifact blob `digest` (`sha256:<hex>`), checked against the digest; nil when the archive does
    /// not have it.
    /// - Throws: ``S3Failure`` (`s3_corrupt` when the bytes do not match the digest).
    public func artifact(digest text: String) throws -> Data? {
        guard let digest = BlobDigest(parsing: text) else {
            throw S3Failure("s3_bad_answer", "\(text) is not a sha256:<hex> digest; the record naming it is damaged")
        }
        let key = RunArchiveKeys.blob(reader.s3.configuration.location, digest)
        guard let bytes = try Self.blocking({ try await reader.s3.get(key) }) else { return nil }
        guard Array(SHA256.hash(data: bytes)) == digest.bytes else {
            throw S3Failure("s3_corrupt", "the archive's copy of \(digest) (\(key)) does not match its digest; it was not used")
        }
        return Data(bytes)
    }

    /// Runs `operation` in a task and waits for it on the calling thread.
    static func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        guard let outcome = result.withLock({ $0 }) else {
            throw S3Failure("s3_unreachable", "the S3 request ended without an answer")
        }
        return try outcome.get()
    }
}
