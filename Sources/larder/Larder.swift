import ArgumentParser

/// `larder`: a node-local cache for model weights, image layers and run artifacts.
@main
struct Larder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "larder",
        abstract: "A node-local, content-addressed cache for ML workloads.",
        discussion: """
            Run `larder serve` once per node; point clients at it (/fetch?url=…, /blobs/sha256:…).
            The other commands work against a running server (--server URL, $LARDER_SERVER, default \
            http://127.0.0.1:7480) or directly on a data directory nobody serves (--data DIR).
            """,
        version: LarderVersion.string,
        subcommands: [
            Serve.self, Fetch.self, Put.self, Get.self, List.self, Pin.self, Unpin.self, Remove.self,
            GC.self, Verify.self, Stats.self, RunTask.self, Runs.self,
            Import.self, Export.self, Warm.self, Evict.self, ContainerdHostsCommand.self,
        ]
    )
}
