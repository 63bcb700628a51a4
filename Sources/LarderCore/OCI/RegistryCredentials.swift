import Foundation
import Synchronization

/// Upstream registry credentials from a `~/.docker/config.json`-style file: `{"auths": {"<host>": {"auth":
/// "<base64 user:password>"}}}` or `{"username": …, "password": …}` per host. The file is re-read when it changes
/// (a mounted Kubernetes Secret is replaced, not edited), so rotated credentials apply without a restart.
public final class RegistryCredentials: Sendable {
    /// A user name and password.
    public struct Login: Sendable, Equatable {
        /// The user name.
        public var username: String
        /// The password or access token.
        public var password: String

        /// Creates a login.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// `Basic <base64 user:password>`.
        public var basicAuthorization: String {
            "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        }
    }

    private let file: String?
    private let cached = Mutex<(stamp: String?, logins: [String: Login])>((nil, [:]))

    /// Credentials from `file`; none when nil.
    public init(file: String?) {
        self.file = file.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The login for a registry, looked up by each of `hosts` (the `ns` host, then the upstream URL's host[:port]).
    public func login(for hosts: [String]) -> Login? {
        let logins = current
        for host in hosts {
            let key = Self.normalize(host)
            if let login = logins[key] { return login }
            if key == "docker.io" || key == "registry-1.docker.io", let login = logins["index.docker.io"] { return login }
        }
        return nil
    }

    private var current: [String: Login] {
        guard let file else { return [:] }
        let attributes = try? FileManager.default.attributesOfItem(atPath: file)
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970
        let size = attributes?[.size] as? Int
        let stamp = "\(modified ?? -1)/\(size ?? -1)"
        return cached.withLock { cached in
            if cached.stamp == stamp { return cached.logins }
            let data = FileManager.default.contents(atPath: file) ?? Data()
            cached = (stamp, Self.parse(data))
            return cached.logins
        }
    }

    /// The logins in a docker config document, keyed by normalized host; entries that do not parse are skipped.
    static func parse(_ data: Data) -> [String: Login] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let auths = object["auths"] as? [String: Any] else { return [:] }
        var logins: [String: Login] = [:]
        for (host, value) in auths {
            guard let entry = value as? [String: Any] else { continue }
            if let auth = entry["auth"] as? String, let decoded = Data(base64Encoded: auth.trimmingCharacters(in: .whitespaces)),
               let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                logins[normalize(host)] = Login(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            } else if let username = entry["username"] as? String, let password = entry["password"] as? String {
                logins[normalize(host)] = Login(username: username, password: password)
            }
        }
        return logins
    }

    /// `https://index.docker.io/v1/` → `index.docker.io`; lowercased host[:port].
    static func normalize(_ host: String) -> String {
        var text = Substring(host.trimmingCharacters(in: .whitespaces).lowercased())
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        return String(text)
    }
}
