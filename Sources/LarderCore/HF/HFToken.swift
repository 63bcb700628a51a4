import Foundation
import Synchronization

/// The token sent to the upstream Hub: read from a file (re-read when the file changes, so a rotated secret is
/// picked up without a restart) or given directly.
package final class HFToken: Sendable {
    private let file: String?
    private let fixed: String?
    private let cached = Mutex<(stamp: FileStamp?, token: String?)>((nil, nil))

    package init(file: String?, token: String?) {
        self.file = file.flatMap { $0.isEmpty ? nil : $0 }
        let trimmed = token?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.fixed = trimmed.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The current token, or nil when none is configured (or the file cannot be read).
    package var current: String? {
        guard let file else { return fixed }
        // Stamped through symlinks: a mounted Secret is rotated by swapping `..data`, which leaves the file's own
        // symlink (and its modification time) unchanged.
        let stamp = FileStamp.of(file)
        return cached.withLock { cached in
            if let stamp, cached.stamp == stamp { return cached.token }
            let text = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            cached = (stamp, text.flatMap { $0.isEmpty ? nil : $0 })
            return cached.token
        }
    }

    /// The `Authorization` header for an upstream request: the client's own, else the configured token.
    package func authorization(clientAuthorization: String?) -> [(name: String, value: String)] {
        if let clientAuthorization, !clientAuthorization.isEmpty {
            return [("Authorization", clientAuthorization)]
        }
        return current.map { [("Authorization", "Bearer \($0)")] } ?? []
    }
}
