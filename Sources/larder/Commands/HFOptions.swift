import ArgumentParser
import Foundation
import LarderClient
import LarderCore
import LarderServer
import LarderStore
import Logging

/// How a server (or a `--data` command) reaches the upstream Hugging Face Hub.
struct HFServeOptions: ParsableArguments {
    @Option(name: .customLong("hf-upstream"),
            help: "Upstream Hub for /hf pull-through, e.g. https://huggingface.co or another larder's http://host:7480/hf (default: $LARDER_HF_UPSTREAM or https://huggingface.co).")
    var hfUpstream: String?

    @Option(name: .customLong("hf-token-file"),
            help: "File holding the token sent to the upstream Hub (gated and private models); re-read when it changes. Default: $HF_TOKEN, if set.")
    var hfTokenFile: String?

    @Option(name: .customLong("hf-revision-ttl"),
            help: "Seconds a branch or tag is trusted before the upstream is asked again (a stale one is served while the upstream is unreachable).")
    var hfRevisionTTL: Int = 300

    func validate() throws {
        if let upstream = resolvedUpstream, !(upstream.hasPrefix("http://") || upstream.hasPrefix("https://")) || URL(string: upstream)?.host == nil {
            throw ValidationError("--hf-upstream \(upstream) is not an http(s) URL")
        }
        guard hfRevisionTTL >= 0 else { throw ValidationError("--hf-revision-ttl must be 0 or more seconds") }
        if let hfTokenFile, !FileManager.default.isReadableFile(atPath: hfTokenFile) {
            throw ValidationError("--hf-token-file \(hfTokenFile) cannot be read")
        }
    }

    private var resolvedUpstream: String? {
        hfUpstream ?? ProcessInfo.processInfo.environment["LARDER_HF_UPSTREAM"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The mirror configuration from the flags and the environment.
    func configuration() throws -> HFConfiguration {
        var configuration = HFConfiguration()
        if let upstream = resolvedUpstream { configuration.upstream = upstream }
        configuration.tokenFile = hfTokenFile
        configuration.token = ProcessInfo.processInfo.environment["HF_TOKEN"]
        configuration.revisionTTL = .seconds(hfRevisionTTL)
        return configuration
    }
}

extension BackendOptions {
    /// Runs `body` with the Hugging Face backend: the server's, or a local store on `--data` fetching from `hf`'s
    /// upstream.
    func withHFBackend<Result>(_ hf: HFServeOptions, _ body: (any HFBackend) async throws -> Result) async throws -> Result {
        if let data {
            var logger = Logger(label: "larder")
            // Failures reach the user in the command's own output (e.g. warm's table); warnings would repeat them.
            logger.logLevel = .error
            let local = try HFLocalBackend(directory: data, maxSize: ByteCount.parse(maxSize) ?? 0, hf: try hf.configuration(), logger: logger)
            defer { local.close() }
            return try await body(local)
        }
        let url = server ?? ProcessInfo.processInfo.environment["LARDER_SERVER"] ?? "http://127.0.0.1:7480"
        return try await body(HFServerBackend(baseURL: url, token: try token.resolve()))
    }
}
