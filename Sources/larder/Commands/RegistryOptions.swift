import ArgumentParser
import Foundation
import LarderCore

/// How `larder serve` mirrors OCI registries under `/v2/` (containerd `hosts.toml`, skopeo, docker).
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("registry"), parsing: .singleValue,
            help: "Mirror a registry: HOST=URL, e.g. docker.io=https://registry-1.docker.io (repeatable; containerd selects it with ?ns=HOST).")
    var registries: [String] = []

    @Option(name: .customLong("default-registry"), help: "The registry HOST for /v2/ requests without ?ns= (skopeo, docker, curl).")
    var defaultRegistry: String?

    @Option(name: .customLong("registry-auth"),
            help: "Upstream registry credentials in the ~/.docker/config.json format (auths.HOST.auth or username/password); re-read when it changes.")
    var registryAuth: String?

    @Option(name: .customLong("registry-tag-ttl"), help: "Seconds a tag → digest mapping is trusted before the upstream is asked again (stale tags are served while it is down).")
    var registryTagTTL: Int = 300

    func validate() throws {
        var hosts: Set<String> = []
        for entry in registries {
            do throws(LarderFailure) {
                hosts.insert(try RegistryConfiguration.parseEntry(entry).host)
            } catch {
                throw ValidationError(error.message)
            }
        }
        if let defaultRegistry, !hosts.contains(defaultRegistry.lowercased()) {
            throw ValidationError("--default-registry \(defaultRegistry) is not one of the --registry hosts; add --registry \(defaultRegistry)=URL")
        }
        guard registryTagTTL >= 0 else { throw ValidationError("--registry-tag-ttl must be 0 or more seconds") }
        if let registryAuth, !FileManager.default.isReadableFile(atPath: registryAuth) {
            throw ValidationError("--registry-auth \(registryAuth) cannot be read")
        }
    }

    /// The mirror configuration from the flags.
    func configuration() throws -> RegistryConfiguration {
        var configuration = RegistryConfiguration()
        for entry in registries {
            let (host, url) = try RegistryConfiguration.parseEntry(entry)
            configuration.registries[host] = url
        }
        configuration.defaultRegistry = defaultRegistry?.lowercased()
        configuration.authFile = registryAuth
        configuration.tagTTL = .seconds(registryTagTTL)
        return configuration
    }
}
