/// A `WWW-Authenticate` challenge from a registry: `Basic realm="…"` or
/// `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:x:pull"`.
public struct RegistryChallenge: Sendable, Equatable {
    /// The scheme, lowercased: `basic` or `bearer`.
    public var scheme: String
    /// The auth parameters by lowercased name (`realm`, `service`, `scope`, …).
    public var parameters: [String: String]

    /// Parses the first challenge of a `WWW-Authenticate` value; nil when it has no scheme.
    public init?(header: String) {
        var rest = Substring(header.trimmingCharacters(in: .whitespaces))
        let scheme = rest.prefix { !$0.isWhitespace && $0 != "," }
        guard !scheme.isEmpty else { return nil }
        self.scheme = scheme.lowercased()
        rest = rest.dropFirst(scheme.count)
        var parameters: [String: String] = [:]
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            // A new challenge starts with a scheme, a token without '='; stop there.
            if name.contains(where: \.isWhitespace) { break }
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped { value.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { break }
                    value.append(character)
                }
            } else {
                let token = rest.prefix { $0 != "," && !$0.isWhitespace }
                value = String(token)
                rest = rest.dropFirst(token.count)
            }
            parameters[name] = value
        }
        self.parameters = parameters
    }
}
