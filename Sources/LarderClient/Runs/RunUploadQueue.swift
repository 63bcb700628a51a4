import Foundation
import Logging
import RunModel
import RunRecorder

/// Uploads a recorded task, falling back to the spool when the server cannot be reached, and sends what the
/// spool holds (`larder runs flush`, and at the start of every `larder run`).
public struct RunUploadQueue: Sendable {
    /// The server.
    public let client: RunServerClient
    /// Where uploads wait when the server is unreachable.
    public let spool: Spool
    let logger: Logger

    /// A queue for `client` spooling into `spoolDirectory`.
    public init(client: RunServerClient, spoolDirectory: String, logger: Logger) throws {
        self.client = client
        self.spool = try Spool(directory: spoolDirectory)
        self.logger = logger
    }

    /// The spool directory used when none is given: `$LARDER_SPOOL`, else `$XDG_CACHE_HOME/larder/spool`, else
    /// `~/.cache/larder/spool`.
    public static var defaultSpoolDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let spool = environment["LARDER_SPOOL"], !spool.isEmpty { return spool }
        let cache = environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        return cache + "/larder/spool"
    }

    /// What happened to one upload.
    public enum Outcome: Sendable, Equatable {
        /// Stored on the server.
        case uploaded
        /// Kept in the spool; the reason says why.
        case spooled(String)
    }

    /// Uploads `record` with `artifacts`; on any failure keeps both in the spool instead. Never throws for
    /// server trouble: the user's command must not fail because the recorder could not report.
    public func submit(record: TaskRecord, artifacts: [(name: String, path: String)]) async -> Outcome {
        do {
            _ = try await client.upload(record: record, artifacts: artifacts)
            return .uploaded
        } catch {
            do {
                try spool.enqueue(record: record, artifacts: artifacts)
                return .spooled("\(error)")
            } catch let spoolError {
                logger.error("could not spool the task record", metadata: ["error": "\(spoolError)"])
                return .spooled("\(error); spooling failed too: \(spoolError)")
            }
        }
    }

    /// Sends every spooled entry; returns how many were sent and how many remain.
    public func flush() async -> (sent: Int, remaining: Int) {
        let entries = (try? spool.pending()) ?? []
        var sent = 0
        for entry in entries {
            do {
                _ = try await client.upload(record: entry.record, artifacts: entry.artifacts.map { ($0.name, $0.path) })
                try spool.remove(entry)
                sent += 1
            } catch {
                logger.debug("spooled record not sent", metadata: ["entry": "\(entry.id)", "error": "\(error)"])
                break
            }
        }
        return (sent, entries.count - sent)
    }
}
