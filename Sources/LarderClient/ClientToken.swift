import Foundation

/// The write token the CLI sends to a server as `Authorization: Bearer <token>` (servers started with
/// `--token-file` refuse writes without one).
///
/// Where it comes from, first found wins: `--token-file FILE`, `$LARDER_TOKEN`, `$LARDER_TOKEN_FILE`. A token file
/// holds the token on its first line that is neither empty nor a `#` comment (words after it, such as the scopes of
/// the server's file format, are ignored), so a pod may mount the same kind of Secret the server reads.
public enum ClientToken {
    /// The token to send, or nil when none is configured; throws a ``ClientError`` naming the file when a token
    /// file is given but cannot be used.
    public static func resolve(tokenFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let tokenFile { return try read(tokenFile, source: "--token-file") }
        if let token = environment["LARDER_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty { return token }
        if let file = environment["LARDER_TOKEN_FILE"], !file.isEmpty { return try read(file, source: "$LARDER_TOKEN_FILE") }
        return nil
    }

    /// `$LARDER_TOKEN`, for code that has no flags to read (nil when unset or empty).
    public static var fromEnvironment: String? {
        ProcessInfo.processInfo.environment["LARDER_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The token in `path`.
    static func read(_ path: String, source: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ClientError("cannot read the token file \(path) given by \(source) (\(describe(error))); give a readable file or set LARDER_TOKEN", permanent: true)
        }
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.prefix { $0 != "#" }
            if let token = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).first {
                return String(token)
            }
        }
        throw ClientError("the token file \(path) given by \(source) holds no token; put the token on its first line", permanent: true)
    }
}
