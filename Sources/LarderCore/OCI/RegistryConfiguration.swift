import Foundation

/// How the OCI registry mirror (`/v2/`) reaches upstream registries.
///
/// containerd names the registry it wants with `?ns=<host>` on every request to a mirror; each configured host maps
/// to an upstream base URL. A host that is not configured is answered at once with 404 `NAME_UNKNOWN`, so containerd
/// falls back to its next host without waiting.
public struct RegistryConfiguration: Sendable {
    /// Upstream base URL by registry host, e.g. `docker.io` → `https://registry-1.docker.io`.
    public var registries: [String: String] = [:]
    /// The registry for requests without `ns` (skopeo, docker and curl send none).
    public var defaultRegistry: String?
    /// A `~/.docker/config.json`-style file with upstream credentials (`auths.<host>.auth` or
    /// `username`/`password`); re-read when it changes.
    public var authFile: String?
    /// How long a tag → digest mapping is trusted before the upstream is asked again (a HEAD).
    public var tagTTL: Duration = .seconds(300)
    /// The largest manifest accepted from an upstream (the spec suggests registries accept at least 4 MiB).
    public var maxManifestBytes: Int = 4 << 20

    /// No registries: every `/v2/` request answers `NAME_UNKNOWN`.
    public init() {}

    /// Parses one `--registry HOST=URL` entry; throws a sentence saying what is wrong.
    public static func parseEntry(_ entry: String) throws(LarderFailure) -> (host: String, url: String) {
        guard let equals = entry.firstIndex(of: "=") else {
            throw .invalidRequest("invalid_registry", "--registry \(entry) is not HOST=URL, e.g. docker.io=https://registry-1.docker.io")
        }
        let host = entry[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
        var url = entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard isValidHost(host) else {
            throw .invalidRequest("invalid_registry", "--registry \(entry): \"\(host)\" is not a registry host such as docker.io or 127.0.0.1:5000")
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host?.isEmpty == false, parsed.query == nil else {
            throw .invalidRequest("invalid_registry", "--registry \(entry): \"\(url)\" is not an http(s) URL such as https://registry-1.docker.io")
        }
        return (host, url)
    }

    /// Whether `text` is a registry host: a DNS name or address with an optional port (what `ns` carries).
    public static func isValidHost(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        var host = Substring(text)
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            guard let port = Int(host[host.index(after: colon)...]), (1...65535).contains(port) else { return false }
            host = host[..<colon]
        }
        guard !host.isEmpty else { return false }
        return host.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: ":") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
    }

    /// The registry a request is for: `ns` when given, else the default; nil when neither names a configured one.
    public func registry(ns: String?) -> (host: String, base: String)? {
        guard let host = (ns.flatMap { $0.isEmpty ? nil : $0.lowercased() }) ?? defaultRegistry?.lowercased(),
              let base = registries[host] else { return nil }
        return (host, base)
    }
}
