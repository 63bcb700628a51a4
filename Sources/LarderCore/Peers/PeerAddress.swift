import Foundation

/// One member of the peer tier: a `larder serve` reachable at `host:port`.
public struct PeerAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The host name or IP address (IPv6 without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[V6]:PORT`, or a bare host (then `defaultPort`); nil when it is neither.
    public init?(parsing text: String, defaultPort: Int? = nil) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if rest.isEmpty {
                guard let defaultPort else { return nil }
                self.init(host: host, port: defaultPort)
            } else {
                guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
                self.init(host: host, port: port)
            }
            return
        }
        let colons = trimmed.filter { $0 == ":" }.count
        if colons == 1, let colon = trimmed.lastIndex(of: ":") {
            guard let port = Int(trimmed[trimmed.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            let host = String(trimmed[..<colon])
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        } else if let defaultPort, colons != 1 {
            // A bare host name, or an IPv6 address without brackets.
            self.init(host: trimmed, port: defaultPort)
        } else {
            return nil
        }
        if host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" || $0 == "?" }) { return nil }
    }

    /// `http://host:port` (IPv6 in brackets).
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// `host:port` (IPv6 in brackets): the member's identity in hashing, logs and `/stats`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func < (lhs: PeerAddress, rhs: PeerAddress) -> Bool {
        lhs.description < rhs.description
    }
}
