import Foundation

/// URL checks shared by requests and redirects.
enum URLRules {
    /// Whether `text` is an absolute `http` or `https` URL with a host.
    static func isHTTP(_ text: String) -> Bool {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty else { return false }
        return true
    }

    /// Whether both URLs have the same scheme, host and port (credentials may be forwarded).
    static func sameOrigin(_ lhs: String, _ rhs: String) -> Bool {
        guard let left = origin(lhs), let right = origin(rhs) else { return false }
        return left == right
    }

    /// The URL without user info, query and fragment, for logs (signed URLs carry secrets in the query).
    static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "<unparsable URL>" }
        let hadQuery = components.query != nil
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return (components.string ?? "<unparsable URL>") + (hadQuery ? "?…" : "")
    }

    private static func origin(_ text: String) -> String? {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased() else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(host):\(port)"
    }
}
