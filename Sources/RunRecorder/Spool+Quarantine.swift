import Foundation
import Glibc

/// A spool entry the server rejected, kept on disk in `<spool>/quarantine/<id>/` with the reason in `reason.txt`.
public struct QuarantinedEntry: Sendable, Hashable {
    /// The entry's identifier (as it was in the queue).
    public let id: String
    /// The entry's directory inside the quarantine.
    public let directory: String
    /// Why the entry was set aside.
    public let reason: String

    /// Describes a quarantined entry.
    public init(id: String, directory: String, reason: String) {
        self.id = id
        self.directory = directory
        self.reason = reason
    }
}

extension Spool {
    /// The directory holding quarantined entries; never part of ``pending()``.
    public var quarantineDirectory: String { directory + "/" + Self.quarantineName }

    static let quarantineName = "quarantine"

    /// Takes `entry` out of the queue and keeps it in the quarantine with `reason`, so that later entries are
    /// no longer held up by it.
    /// - Returns: where the entry now lies.
    /// - Throws: ``TaskRecorderError/spoolFailed(path:reason:)``.
    @discardableResult
    public func quarantine(_ entry: SpoolEntry, reason: String) throws -> QuarantinedEntry {
        let target = quarantineDirectory + "/" + entry.id
        do {
            try FileManager.default.createDirectory(atPath: quarantineDirectory, withIntermediateDirectories: true)
            try Data((reason + "\n").utf8).write(to: URL(fileURLWithPath: entry.directory + "/reason.txt"))
        } catch {
            throw TaskRecorderError.spoolFailed(path: entry.directory, reason: "cannot quarantine the entry: \(error)")
        }
        guard rename(entry.directory, target) == 0 else {
            throw TaskRecorderError.spoolFailed(path: entry.directory, reason: TaskRecorderError.message(errno))
        }
        return QuarantinedEntry(id: entry.id, directory: target, reason: reason)
    }

    /// The quarantined entries, oldest first.
    public func quarantined() -> [QuarantinedEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: quarantineDirectory)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { id in
            let path = quarantineDirectory + "/" + id
            let reason = (try? String(contentsOfFile: path + "/reason.txt", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "no reason recorded"
            return QuarantinedEntry(id: id, directory: path, reason: reason)
        }
    }
}
