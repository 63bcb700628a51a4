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
        /// Kept in the spool, to be sent later; the reason says why.
        case spooled(String)
        /// The server refused the record (it would refuse it again): kept in the spool's quarantine at `path`.
        case rejected(reason: String, path: String)
    }

    /// Uploads `record` with `artifacts`; when the server cannot be reached keeps both in the spool instead, and
    /// when it refuses them keeps them in the quarantine. Never throws for server trouble: the user's command must
    /// not fail because the recorder could not report.
    public func submit(record: TaskRecord, artifacts: [(name: String, path: String)]) async -> Outcome {
        do {
            _ = try await client.upload(record: record, artifacts: artifacts)
            return .uploaded
        } catch {
            var reason = describe(error)
            if (error as? ClientError)?.isTokenRefusal == true {
                reason += "; it needs a token allowed to write runs of flow \(record.identity.flow) (LARDER_TOKEN or --token-file)"
            }
            do {
                let entry = try spool.enqueue(record: record, artifacts: artifacts)
                if Self.isPermanent(error) {
                    let quarantined = try spool.quarantine(entry, reason: reason)
                    return .rejected(reason: reason, path: quarantined.directory)
                }
                return .spooled(reason)
            } catch let spoolError {
                logger.error("could not spool the task record", metadata: ["error": "\(spoolError)"])
                return .spooled("\(reason); spooling failed too: \(spoolError)")
            }
        }
    }

    /// What one ``flush()`` did.
    public struct FlushReport: Sendable {
        /// Entries sent and removed from the spool.
        public var sent = 0
        /// Entries the server refused in this flush, now in the quarantine.
        public var quarantined: [QuarantinedEntry] = []
        /// Entries still waiting.
        public var remaining = 0
        /// Why the flush stopped with entries waiting (the server could not be reached or failed).
        public var stopReason: String?
        /// Set when the flush stopped because the server refused the write token.
        public var tokenRefused = false
    }

    /// Sends the spooled entries in order. An entry the server refuses (a 4xx answer, or an artifact that cannot
    /// be read) is moved to the quarantine and the flush goes on; a transport failure or server error stops it,
    /// keeping that entry and the later ones in order for the next flush.
    public func flush() async -> FlushReport {
        var report = FlushReport()
        let entries: [SpoolEntry]
        do {
            entries = try spool.pending()
        } catch {
            report.stopReason = describe(error)
            return report
        }
        for (index, entry) in entries.enumerated() {
            do {
                _ = try await client.upload(record: entry.record, artifacts: entry.artifacts.map { ($0.name, $0.path) })
                try spool.remove(entry)
                report.sent += 1
            } catch {
                let reason = describe(error)
                if Self.isPermanent(error), let quarantined = try? spool.quarantine(entry, reason: reason) {
                    report.quarantined.append(quarantined)
                    continue
                }
                logger.debug("spooled record not sent", metadata: ["entry": "\(entry.id)", "error": "\(reason)"])
                report.stopReason = reason
                report.tokenRefused = (error as? ClientError)?.isTokenRefusal == true
                report.remaining = entries.count - index
                break
            }
        }
        return report
    }

    /// Whether retrying cannot help: the server refused the request, or a local file is unusable.
    static func isPermanent(_ error: any Error) -> Bool {
        (error as? ClientError)?.isPermanent ?? false
    }

    /// One line naming a quarantined entry, why it was set aside and where it lies, for the CLI.
    public static func line(for entry: QuarantinedEntry) -> String {
        "\(entry.id): \(entry.reason) (kept in \(entry.directory))"
    }
}
