import Foundation
import Glibc
import RunModel

/// A durable on-disk queue of task records (and artifact copies) that could not be uploaded yet.
///
/// Layout: one directory per entry, `<spool>/<id>/` holding `record.json`, `manifest.json` and
/// `artifacts/<n>`. An entry is written completely under `<spool>/.incoming-<random>/`, flushed
/// with `fsync` and then renamed into place, so ``pending()`` never sees half an entry, even
/// after a crash. Entry ids start with a zero-padded timestamp so they sort in enqueue order. Entries the server
/// rejected are moved to `<spool>/quarantine/` (see ``quarantine(_:reason:)``).
/// Several processes may use one spool; ``remove(_:)`` is idempotent.
public struct Spool: Sendable {
    /// The spool directory.
    public let directory: String

    private static let incomingPrefix = ".incoming-"
    private static let removingPrefix = ".removing-"

    /// Opens (creating if needed) the spool at `directory` and deletes leftovers of interrupted
    /// removals, and of enqueues interrupted more than an hour ago.
    /// - Throws: ``TaskRecorderError/spoolFailed(path:reason:)`` if the directory cannot be created.
    public init(directory: String) throws {
        self.directory = directory
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TaskRecorderError.spoolFailed(path: directory, reason: "cannot create the spool directory: \(error)")
        }
        let cutoff = Date().addingTimeInterval(-3600)
        for name in (try? files.contentsOfDirectory(atPath: directory)) ?? [] {
            let path = directory + "/" + name
            if name.hasPrefix(Self.removingPrefix) {
                try? files.removeItem(atPath: path)
            } else if name.hasPrefix(Self.incomingPrefix),
                      let modified = try? files.attributesOfItem(atPath: path)[.modificationDate] as? Date,
                      modified < cutoff {
                try? files.removeItem(atPath: path)
            }
        }
    }

    /// Stores `record` and copies of the artifact files as one new entry.
    /// - Parameter artifacts: `(name, path)` pairs; each file is copied, so the caller may delete it.
    /// - Throws: ``TaskRecorderError/spoolFailed(path:reason:)``; nothing is left in the queue then.
    @discardableResult
    public func enqueue(record: TaskRecord, artifacts: [(name: String, path: String)]) throws -> SpoolEntry {
        let files = FileManager.default
        let id = Self.newEntryID()
        let staging = directory + "/" + Self.incomingPrefix + id
        let final = directory + "/" + id
        do {
            try files.createDirectory(atPath: staging + "/artifacts", withIntermediateDirectories: true)
            var items: [SpoolManifest.Item] = []
            for (index, artifact) in artifacts.enumerated() {
                // The copy keeps a known extension, so the media type detected at upload is the original's.
                let pathExtension = URL(fileURLWithPath: artifact.path).pathExtension
                let file = "artifacts/\(index)" + (ArtifactMediaType.forExtension(pathExtension) != nil ? "." + pathExtension : "")
                try files.copyItem(atPath: artifact.path, toPath: staging + "/" + file)
                try Self.fsync(staging + "/" + file)
                let size = (try files.attributesOfItem(atPath: staging + "/" + file)[.size] as? NSNumber)?.int64Value ?? 0
                items.append(SpoolManifest.Item(name: artifact.name, file: file, size: size))
            }
            try Self.writeDurably(try record.encoded(), to: staging + "/record.json")
            try Self.writeDurably(try JSONEncoder().encode(SpoolManifest(artifacts: items)), to: staging + "/manifest.json")
            try Self.fsync(staging + "/artifacts")
            try Self.fsync(staging)
            guard rename(staging, final) == 0 else {
                throw TaskRecorderError.spoolFailed(path: final, reason: TaskRecorderError.message(errno))
            }
            try Self.fsync(directory)
        } catch {
            try? files.removeItem(atPath: staging)
            if let error = error as? TaskRecorderError { throw error }
            throw TaskRecorderError.spoolFailed(path: staging, reason: "\(error)")
        }
        return try Self.loadEntry(id: id, directory: final)
    }

    /// The complete entries, oldest first. Entries that cannot be read (e.g. written by a newer
    /// Larder with another schema) are skipped and left in place.
    public func pending() throws -> [SpoolEntry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw TaskRecorderError.spoolFailed(path: directory, reason: "cannot list the spool: \(error)")
        }
        return names.filter { !$0.hasPrefix(".") && $0 != Self.quarantineName }.sorted().compactMap { id in
            try? Self.loadEntry(id: id, directory: directory + "/" + id)
        }
    }

    /// Deletes an entry (after a successful upload). Removing an entry that is already gone is not an error.
    public func remove(_ entry: SpoolEntry) throws {
        let path = directory + "/" + entry.id
        let doomed = directory + "/" + Self.removingPrefix + entry.id + "-" + Self.randomSuffix()
        // Renaming first takes the entry out of the queue atomically, even if deletion is interrupted.
        guard rename(path, doomed) == 0 else {
            if errno == ENOENT { return }
            throw TaskRecorderError.spoolFailed(path: path, reason: TaskRecorderError.message(errno))
        }
        do {
            try FileManager.default.removeItem(atPath: doomed)
        } catch {
            throw TaskRecorderError.spoolFailed(path: doomed, reason: "\(error)")
        }
    }

    private static func loadEntry(id: String, directory: String) throws -> SpoolEntry {
        let record = try TaskRecord.decode(Data(contentsOf: URL(fileURLWithPath: directory + "/record.json")))
        let manifest = try JSONDecoder().decode(
            SpoolManifest.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json")))
        let artifacts = manifest.artifacts.map {
            SpoolArtifact(name: $0.name, path: directory + "/" + $0.file, size: $0.size)
        }
        return SpoolEntry(id: id, directory: directory, record: record, artifacts: artifacts)
    }

    private static func newEntryID() -> String {
        let micros = UInt64(max(0, Date().timeIntervalSince1970 * 1e6))
        let digits = String(micros)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + randomSuffix()
    }

    private static func randomSuffix() -> String {
        String((0..<10).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "x" })
    }

    private static func writeDurably(_ data: Data, to path: String) throws {
        try data.write(to: URL(fileURLWithPath: path))
        try fsync(path)
    }

    /// Flushes a file or directory to stable storage.
    private static func fsync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TaskRecorderError.spoolFailed(path: path, reason: TaskRecorderError.message(errno)) }
        defer { close(fd) }
        guard Glibc.fsync(fd) == 0 else {
            throw TaskRecorderError.spoolFailed(path: path, reason: TaskRecorderError.message(errno))
        }
    }
}
