import Foundation

/// The hosts `/fetch` may contact: exact names (`huggingface.co`), subdomain wildcards (`*.hf.co`), an optional
/// port (`127.0.0.1:8080`), or `*` for any host. Empty means fetching is disabled, so that a cache on a cluster
/// node never becomes a way into cluster-internal addresses by default.
public struct UpstreamAllowlist: Sendable, Equatable {
    /// The entries as configured, lowercased.
    public let entries: [String]

    /// Creates an allowlist from entries such as `huggingface.co`, `*.hf.co`, `127.0.0.1:8080`, `*`.
    public init(_ entries: [String]) {
        self.entries = entries.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    /// Whether `url` is an http(s) URL whose host (and port) the list allows.
    public func allows(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host?.lowercased(), !host.isEmpty else { return false }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return entries.contains { entry in
            if entry == "*" { return true }
            var pattern = entry
            var entryPort: Int?
            if let colon = entry.lastIndex(of: ":"), !entry.hasSuffix("]"), let value = Int(entry[entry.index(after: colon)...]) {
                pattern = String(entry[..<colon])
                entryPort = value
            }
            if let entryPort, entryPort != port { return false }
            if pattern.hasPrefix("*.") {
                return host.hasSuffix(pattern.dropFirst(1))
            }
            return host == pattern
        }
    }

    /// Whether the string `url` parses as an allowed URL.
    public func allows(_ url: String) -> Bool {
        URL(string: url).map(allows) ?? false
    }
}
