import Foundation

/// A containerd registry host configuration (`hosts.toml`, the `config_path` layout of containerd ≥ 1.5) that
/// sends pulls of one registry through a Larder mirror first and falls back to the registry itself.
///
/// The file names Larder as a mirror `[host]` with the `pull` and `resolve` capabilities (never `push`), the
/// registry as `server`, and optionally a `dial_timeout` so an unreachable Larder costs at most that long
/// (containerd ≥ 2.1 honours it; older versions ignore the key).
public struct ContainerdHosts: Sendable, Equatable {
    /// The registry host the file is for, as containerd names its directory: `docker.io`, `ghcr.io`,
    /// `registry.example:5000`, or `_default`.
    public let registry: String
    /// The Larder mirror URL, e.g. `http://10.0.0.5:7480`.
    public let mirror: String
    /// Where containerd falls back to: the registry's own API endpoint.
    public let upstream: String
    /// A Go duration such as `2s`, or nil to leave the key out.
    public let dialTimeout: String?

    /// Validates the parts.
    /// - Parameter upstream: nil for the registry's usual endpoint (``defaultUpstream(for:)``).
    /// - Throws: ``ClientError`` naming the part that is wrong and what to give instead.
    public init(registry: String, mirror: String, upstream: String? = nil, dialTimeout: String? = nil) throws {
        guard Self.isRegistryHost(registry) else {
            throw ClientError("--registry \(Self.shown(registry)) is not a registry host; give a host name with an optional port, e.g. docker.io or registry.example:5000", permanent: true)
        }
        try Self.checkURL(mirror, option: "--mirror", example: "http://10.0.0.5:7480")
        let upstream = upstream.flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultUpstream(for: registry)
        try Self.checkURL(upstream, option: "--upstream", example: "https://registry-1.docker.io")
        let timeout = dialTimeout.flatMap { $0.isEmpty ? nil : $0 }
        if let timeout, !Self.isGoDuration(timeout) {
            throw ClientError("--dial-timeout \(Self.shown(timeout)) is not a duration; give e.g. 2s or 500ms", permanent: true)
        }
        self.registry = registry
        self.mirror = mirror
        self.upstream = upstream
        self.dialTimeout = timeout
    }

    /// The registry's own endpoint: Docker Hub's API lives on `registry-1.docker.io`, every other registry on
    /// `https://<host>`.
    public static func defaultUpstream(for registry: String) -> String {
        switch registry {
        case "docker.io", "index.docker.io", "registry-1.docker.io": return "https://registry-1.docker.io"
        default: return "https://\(registry)"
        }
    }

    /// The `hosts.toml` text. Every string was validated to hold no quote, backslash or control character, so
    /// plain TOML basic strings carry them unchanged.
    public var text: String {
        var lines = [
            "# Written by `larder containerd-hosts`: containerd pulls \(registry) through the node's Larder",
            "# (\(mirror)) and falls back to \(upstream) when Larder does not answer.",
            "# Delete this file to stop using the mirror; containerd reads it again on every pull.",
            "server = \"\(upstream)\"",
            "",
            "[host.\"\(mirror)\"]",
            "  capabilities = [\"pull\", \"resolve\"]",
        ]
        if let dialTimeout { lines.append("  dial_timeout = \"\(dialTimeout)\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `DIRECTORY/<registry>/hosts.toml` atomically (a temporary file renamed over the old one, so
    /// containerd never reads half a file), creating the registry's directory when needed.
    /// - Returns: the path written.
    /// - Throws: ``ClientError`` when the directory cannot be created or the file cannot be written.
    @discardableResult
    public func write(toDirectory directory: String) throws -> String {
        let hostDirectory = (directory as NSString).appendingPathComponent(registry)
        let path = (hostDirectory as NSString).appendingPathComponent("hosts.toml")
        let temporary = (hostDirectory as NSString).appendingPathComponent(".hosts.toml.larder-\(getpid())")
        do {
            try FileManager.default.createDirectory(atPath: hostDirectory, withIntermediateDirectories: true)
        } catch {
            throw ClientError("cannot create \(hostDirectory) (\(describe(error))); give a writable --dir", permanent: true)
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: temporary)
                throw ClientError("cannot replace \(path) (\(reason)); check that it is not a directory and that --dir is writable", permanent: true)
            }
        } catch let error as ClientError {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ClientError("cannot write \(temporary) (\(describe(error))); give a writable --dir", permanent: true)
        }
        return path
    }

    static func isRegistryHost(_ host: String) -> Bool {
        if host == "_default" { return true }
        let parts = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty, name.count <= 253, !name.hasPrefix("."), !name.hasPrefix("-"),
              !name.contains(".."),
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else { return false }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65535).contains(port), parts[1].allSatisfy(\.isNumber) else { return false }
        }
        return true
    }

    static func checkURL(_ value: String, option: String, example: String) throws {
        let bad = value.contains { $0 == "\"" || $0 == "\\" || $0.isWhitespace || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) }
        guard !bad, value.hasPrefix("http://") || value.hasPrefix("https://"),
              let url = URL(string: value), let host = url.host, !host.isEmpty else {
            throw ClientError("\(option) \(shown(value)) is not an http(s) URL; give e.g. \(example)", permanent: true)
        }
    }

    /// `value` as typed when it is plain, else as a quoted Swift literal, so an error message stays one line.
    static func shown(_ value: String) -> String {
        value.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false) })
            ? String(reflecting: value) : value
    }

    /// A Go `time.ParseDuration` string with a unit on every number, which is what containerd's TOML decoder takes.
    static func isGoDuration(_ value: String) -> Bool {
        value.wholeMatch(of: /([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+/) != nil
    }
}
