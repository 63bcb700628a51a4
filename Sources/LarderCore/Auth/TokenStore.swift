import Foundation
import Glibc
import Logging
import Synchronization

/// The tokens of a `--token-file`, re-read when the file changes.
///
/// Each ``current()`` costs one `stat(2)` of the path (following symbolic links, so a Kubernetes Secret volume,
/// whose files are links swapped on update, is seen to change); the file is read and parsed again only when its
/// device, inode, size, modification or change time differ from the last read. When the file cannot be read the
/// last good tokens stay in force (and the failure is logged): a Secret being rotated must not lock out every writer.
public final class TokenStore: Sendable {
    /// The token file.
    public let path: String
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var fingerprint: Fingerprint
        var tokens: TokenFile
    }

    /// What `stat(2)` says about the file; a different value means it may have changed.
    struct Fingerprint: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec
        var changed: timespec

        static func == (a: Fingerprint, b: Fingerprint) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    /// Why the token file cannot be used at startup.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// One sentence saying what is wrong and what to do.
        public let description: String
    }

    /// Reads `path`. Throws when it cannot be read, holds a line that cannot be used, or holds no token: at startup
    /// a mistake must stop the server rather than leave it open or closed by surprise.
    public init(path: String, logger: Logger) throws(LoadError) {
        self.path = path
        self.logger = logger
        let (fingerprint, tokens) = try Self.load(path)
        if let error = tokens.errors.first {
            throw LoadError(description: "the token file \(path) has an unusable \(error); fix the line or remove it")
        }
        guard !tokens.entries.isEmpty else {
            throw LoadError(description: "the token file \(path) holds no token; put one token per line (at least \(TokenFile.minimumTokenLength) characters)")
        }
        self.state = Mutex(State(fingerprint: fingerprint, tokens: tokens))
    }

    /// The tokens now in force, re-reading the file first when it changed.
    public func current() -> TokenFile {
        let now = Self.fingerprint(path)
        return state.withLock { state in
            guard let now, now != state.fingerprint else { return state.tokens }
            do {
                let (fingerprint, tokens) = try Self.load(path)
                state.fingerprint = fingerprint
                state.tokens = tokens
                logger.notice("token file reloaded", metadata: [
                    "path": "\(path)", "tokens": "\(tokens.entries.count)", "skipped_lines": "\(tokens.errors.map(\.line))",
                ])
                for error in tokens.errors {
                    logger.error("token file line skipped; its token is refused", metadata: ["path": "\(path)", "error": "\(error)"])
                }
            } catch {
                // Remember what was seen so the failure is logged once per change, not once per request.
                state.fingerprint = now
                logger.error("token file unreadable; keeping the previous tokens", metadata: ["path": "\(path)", "error": "\(error)"])
            }
            return state.tokens
        }
    }

    private static func load(_ path: String) throws(LoadError) -> (Fingerprint, TokenFile) {
        guard let fingerprint = fingerprint(path) else {
            throw LoadError(description: "cannot read the token file \(path) (\(String(cString: strerror(errno)))); give a readable file with --token-file")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw LoadError(description: "cannot read the token file \(path) as UTF-8 text; give a readable file with --token-file")
        }
        return (fingerprint, TokenFile(parsing: text))
    }

    static func fingerprint(_ path: String) -> Fingerprint? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Fingerprint(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                           modified: info.st_mtim, changed: info.st_ctim)
    }
}
