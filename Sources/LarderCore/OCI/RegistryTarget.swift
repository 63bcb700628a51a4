import Foundation

/// One repository on one configured upstream registry.
public struct RegistryTarget: Sendable, Hashable {
    /// The registry host as clients name it (`ns`, or the default registry), e.g. `docker.io`.
    public var host: String
    /// The upstream base URL, e.g. `https://registry-1.docker.io`.
    public var base: String
    /// The repository.
    public var name: OCIName

    /// Creates a target.
    public init(host: String, base: String, name: OCIName) {
        self.host = host
        self.base = base
        self.name = name
    }

    /// `<base>/v2/<name>/<kind>/<reference>`.
    public func url(_ kind: String, _ reference: String) -> String {
        "\(base)/v2/\(name.value)/\(kind)/\(reference)"
    }

    /// `<base>/v2/`, the registry's API version check.
    public var pingURL: String { base + "/v2/" }

    /// The hosts credentials are looked up by: the registry host, then the upstream URL's host[:port].
    public var credentialHosts: [String] {
        var hosts = [host]
        if let url = URL(string: base), let upstreamHost = url.host {
            hosts.append(url.port.map { "\(upstreamHost):\($0)" } ?? upstreamHost)
        }
        return hosts
    }

    /// The bearer-token scope for pulling from this repository.
    public var pullScope: String { "repository:\(name.value):pull" }

    /// `host/name`, for messages and cache keys.
    public var displayName: String { "\(host)/\(name.value)" }
}
