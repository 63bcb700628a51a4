import Foundation

/// Percent-encoding of one URL path segment or query value, as every URL this project builds writes names.
public enum PercentEscaping {
    /// The characters left as they are: ASCII letters, digits and `-._~` (RFC 3986's unreserved set).
    static let unreserved: CharacterSet = {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()

    /// `segment` with every character but the unreserved ones percent-encoded (`/` becomes `%2F`), as the Hub
    /// client quotes revisions.
    public static func segment(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    /// `path` with each `/`-separated segment encoded by ``segment(_:)``, joined by single `/` (empty segments
    /// are dropped).
    public static func path(_ path: String) -> String {
        path.split(separator: "/").map { segment(String($0)) }.joined(separator: "/")
    }
}
