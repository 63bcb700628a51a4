import ArgumentParser
import LarderCore
import LarderStore

/// `larder serve` options for running on a cluster node: when to report not ready, and the declarative warm list.
struct DeployOptions: ParsableArguments {
    @Option(name: .customLong("min-free-disk"),
            help: "/readyz answers 503 while the data volume has less free space than this, e.g. 1GiB.")
    var minFreeDisk: String = "512MiB"

    @Option(name: .customLong("warm-file"),
            help: "Keep the references listed in this file (syntax of `larder warm --file`) fetched and pinned; re-read when it changes, unpinning what leaves it.")
    var warmFile: String?

    @Option(name: .customLong("warm-file-poll"), help: "Seconds between checks of --warm-file for changes.")
    var warmFilePoll: Double = 5

    @Flag(name: .customLong("warm-ready"), help: "/readyz answers 503 until every reference of --warm-file is warm.")
    var warmReady = false

    func validate() throws {
        guard ByteCount.parse(minFreeDisk) != nil else {
            throw ValidationError("--min-free-disk \(minFreeDisk) is not a size; use e.g. 1GiB or 0 to turn the check off")
        }
        guard warmFilePoll > 0, warmFilePoll <= 3600 else {
            throw ValidationError("--warm-file-poll must be between 0 and 3600 seconds")
        }
        if warmReady && warmFile == nil {
            throw ValidationError("--warm-ready needs --warm-file FILE")
        }
    }

    /// Sets the readiness floor and the warm list in `configuration`.
    func apply(to configuration: inout LarderConfiguration) {
        configuration.minFreeDiskBytes = ByteCount.parse(minFreeDisk) ?? configuration.minFreeDiskBytes
        configuration.warmFile = warmFile
        configuration.warmFilePollInterval = .milliseconds(Int64(warmFilePoll * 1000))
        configuration.readyWaitsForWarm = warmReady
    }
}
