import Foundation
import LarderAPI
import LarderCore
import LarderStore
import Synchronization

/// Runs `larder warm`: starts a job on the backend, shows per-reference progress on a terminal, and returns the
/// final status.
public enum WarmRunner {
    /// Checks a reference before anything is started: `hf://repo[@rev]` or an http(s) URL (optionally
    /// `#sha256=<hex>`).
    public static func validate(_ reference: String) throws {
        if reference.hasPrefix("oci://") {
            do throws(LarderFailure) {
                _ = try OCIImageReference(parsing: reference)
            } catch {
                throw ClientError(error.message, permanent: true)
            }
            return
        }
        if reference.hasPrefix("hf://") {
            do {
                _ = try HFReference(parsing: reference)
            } catch {
                throw ClientError(error.description)
            }
            return
        }
        let url = reference.split(separator: "#", maxSplits: 1).first.map(String.init) ?? reference
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              parsed.host?.isEmpty == false else {
            throw ClientError("\"\(reference)\" is neither hf://<repo>[@revision], oci://REGISTRY/NAME:TAG nor an http(s) URL")
        }
        if let hash = reference.firstIndex(of: "#") {
            let fragment = reference[reference.index(after: hash)...]
            guard fragment.hasPrefix("sha256="), BlobDigest(parsing: fragment.dropFirst(7), allowBare: true) != nil else {
                throw ClientError("\"\(reference)\": the fragment must be #sha256=<64 lowercase hex digits>")
            }
        }
    }

    /// References listed in a file: one per line; blank lines and `#` comments are skipped.
    public static func references(inFile path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ClientError("cannot read \(path)") }
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : trimmed
        }
    }

    /// Starts the job and polls it until it finishes, redrawing progress on `display`.
    public static func run(_ request: WarmRequest, backend: any HFBackend, display: WarmDisplay?) async throws -> WarmStatus {
        let id = try await backend.startWarm(request)
        while true {
            let status = try await backend.warmStatus(id)
            display?.draw(status)
            if status.isFinished { return status }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The final table: reference, files, bytes, time, and whether it was cached or fetched.
    public static func table(_ status: WarmStatus) -> String {
        var rows = [["REFERENCE", "FILES", "BYTES", "TIME", "CACHE"]]
        for ref in status.refs {
            rows.append([ref.ref, ref.state == "failed" ? "\(ref.filesDone)/\(ref.files)" : String(ref.files),
                         ByteCount.format(ref.bytesDone), String(format: "%.1fs", ref.seconds), ref.cacheSummary])
        }
        var widths = Array(repeating: 0, count: 5)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var lines = rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        for ref in status.refs where ref.state == "failed" {
            lines.append("failed: \(ref.ref): \(ref.error ?? "unknown error")")
        }
        return lines.joined(separator: "\n")
    }
}

/// Per-reference progress lines on standard error, redrawn in place (only on a terminal).
public final class WarmDisplay: Sendable {
    private let lines = Atomic<Int>(0)

    /// A display, or nil when standard error is not a terminal.
    public static func forTerminal() -> WarmDisplay? {
        isatty(STDERR_FILENO) != 0 ? WarmDisplay() : nil
    }

    init() {}

    /// Redraws one line per reference.
    public func draw(_ status: WarmStatus) {
        var text = ""
        let previous = lines.load(ordering: .relaxed)
        if previous > 0 { text += "\u{1B}[\(previous)A" }
        // Lines longer than the terminal would wrap and break the redraw: cut them to its width.
        let width = max(40, Self.terminalWidth() - 1)
        for ref in status.refs {
            let line = Self.line(ref)
            text += "\u{1B}[2K" + (line.count > width ? String(line.prefix(width - 1)) + "…" : line) + "\n"
        }
        lines.store(status.refs.count, ordering: .relaxed)
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
    }

    static func line(_ ref: WarmRefStatus) -> String {
        let name = ref.ref.count > 48 ? "…" + ref.ref.suffix(47) : ref.ref
        let label = name.padding(toLength: 48, withPad: " ", startingAt: 0)
        switch ref.state {
        case "queued", "resolving":
            return "\(label) \(ref.state)…"
        case "failed":
            return "\(label) failed: \(ref.error ?? "")"
        default:
            let fraction = ref.bytes > 0 ? min(1, Double(ref.bytesDone) / Double(ref.bytes)) : (ref.state == "completed" ? 1 : 0)
            let filled = Int(fraction * 24)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 24 - filled)
            let suffix = ref.state == "completed" ? " \(ref.cacheSummary)" : ""
            return "\(label) [\(bar)] \(Int(fraction * 100))% \(ByteCount.format(ref.bytesDone))/\(ByteCount.format(ref.bytes)) \(ref.filesDone)/\(ref.files) files\(suffix)"
        }
    }
}
