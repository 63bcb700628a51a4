import ArgumentParser
import Foundation
import LarderAPI
import LarderClient
import LarderCore
import LarderStore

/// `larder warm`: bring models and files into the cache before a run needs them.
struct Warm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-fetch Hugging Face repositories, container images and URLs into the cache (exit status 1 if any reference failed).",
        discussion: """
            References: hf://[datasets/]namespace/name[@revision] (every file, or those matching --include), \
            https://…#sha256=<hex> (fetched like /fetch; the server must allow the host with --allow-upstream), \
            oci://REGISTRY/NAME:TAG or oci://REGISTRY/NAME@sha256:<hex> (an image through the server's OCI mirror: \
            index, the --platform manifests, configs and layers). \
            Against --server the work runs on the server (POST /warm), so it survives this command; with --data \
            it runs here on that directory. \
            --from-run FLOW/RUN warms exactly what that run's tasks fetched through Larder (the `fetches` of their \
            records, read through the server so runs recorded on other nodes count): Hugging Face files by repository \
            and revision, URLs and image blobs; --step limits it to one step's tasks.
            """)

    @Argument(help: "References to warm.") var references: [String] = []
    @Option(name: .long, help: "Read more references from this file (one per line, # comments).") var file: String?
    @Option(name: .long, help: "Only files matching this glob in hf:// references (repeatable).") var include: [String] = []
    @Option(name: .long, help: "Skip files matching this glob in hf:// references (repeatable).") var exclude: [String] = []
    @Option(name: .long, help: "Platform of oci:// images to pull from an index, OS/ARCH[/VARIANT] (repeatable; default: the server's).")
    var platform: [String] = []
    @Option(name: .customLong("from-run"), help: "Warm what the tasks of this run fetched, FLOW/RUN.") var fromRun: String?
    @Option(name: .long, help: "With --from-run: only the tasks of this step.") var step: String?
    @Flag(name: .long, help: "Pin what is warmed so it is never evicted.") var pin = false
    @Option(name: .long, help: "References warmed at once.") var jobs: Int = 4
    @OptionGroup var backend: BackendOptions
    @OptionGroup var hf: HFServeOptions

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        if references.isEmpty && file == nil && fromRun == nil {
            throw ValidationError("give references to warm, --file FILE or --from-run FLOW/RUN")
        }
        if step != nil && fromRun == nil { throw ValidationError("--step only goes with --from-run FLOW/RUN") }
        if let fromRun {
            do throws(LarderFailure) { _ = try RunWarmReferences.parseRun(fromRun) } catch { throw ValidationError(error.message) }
        }
        for text in platform {
            do throws(LarderFailure) { _ = try OCIPlatform(parsing: text) } catch { throw ValidationError(error.message) }
        }
    }

    func run() async throws {
        let status = try await reportingErrors { () -> WarmStatus in
            var all = references
            if let file { all += try WarmRunner.references(inFile: file) }
            guard !all.isEmpty || fromRun != nil else { throw ClientError("\(file ?? "the file") lists no references") }
            for reference in all { try WarmRunner.validate(reference) }
            let refs = all.map { reference in
                if reference.hasPrefix("oci://") {
                    return WarmRequest.Reference(ref: reference, platforms: platform.isEmpty ? nil : platform)
                }
                return reference.hasPrefix("hf://")
                    ? WarmRequest.Reference(ref: reference, include: include.isEmpty ? nil : include, exclude: exclude.isEmpty ? nil : exclude)
                    : WarmRequest.Reference(ref: reference)
            }
            let request = WarmRequest(refs: refs, pin: pin, concurrency: jobs, fromRun: fromRun, step: step)
            return try await backend.withHFBackend(hf) { hfBackend in
                try await WarmRunner.run(request, backend: hfBackend, display: backend.json ? nil : WarmDisplay.forTerminal())
            }
        }
        if backend.json {
            try printJSON(status)
        } else {
            print(WarmRunner.table(status))
        }
        if status.state != "completed" { throw ExitCode.failure }
    }
}
