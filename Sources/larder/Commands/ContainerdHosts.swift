import ArgumentParser
import Foundation
import LarderClient

/// `larder containerd-hosts`: the containerd `hosts.toml` that pulls a registry through this node's Larder.
struct ContainerdHostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "containerd-hosts",
        abstract: "Print or write the containerd hosts.toml that pulls a registry through Larder, falling back to the registry.",
        discussion: """
            Without --dir the file is printed. With --dir it is written to DIR/REGISTRY/hosts.toml atomically \
            (containerd reads it on the next pull when its registry config_path is DIR, usually \
            /etc/containerd/certs.d). Delete the file to stop using the mirror.
            """)

    @Option(name: .long, help: "Registry host, as containerd names it: docker.io, ghcr.io, registry.example:5000.")
    var registry: String

    @Option(name: .long, help: "Larder as containerd reaches it, e.g. http://10.0.0.5:7480 (the node's IP and host port).")
    var mirror: String

    @Option(name: .long, help: "Directory holding one directory per registry (e.g. /etc/containerd/certs.d); default: print.")
    var dir: String?

    @Option(name: .long, help: "Where containerd falls back to (default: https://REGISTRY; https://registry-1.docker.io for docker.io).")
    var upstream: String?

    @Option(name: .customLong("dial-timeout"), help: "How long containerd waits to connect to Larder before falling back, e.g. 2s; empty leaves it out.")
    var dialTimeout: String = "2s"

    func run() async throws {
        try await reportingErrors {
            let hosts = try ContainerdHosts(registry: registry, mirror: mirror, upstream: upstream, dialTimeout: dialTimeout)
            if let dir {
                let path = try hosts.write(toDirectory: dir)
                print("wrote \(path): \(registry) through \(hosts.mirror), falling back to \(hosts.upstream)")
            } else {
                print(hosts.text, terminator: "")
            }
        }
    }
}
