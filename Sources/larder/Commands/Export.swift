import ArgumentParser
import Foundation
import LarderAPI
import LarderClient
import LarderStore

/// `larder export hf://repo@rev DIR`: write a repository's files out.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the files of a Hugging Face repository revision to a directory (fetching what is not cached).")

    @Argument(help: "hf://[datasets/]namespace/name[@revision] (default revision: main).") var reference: String
    @Argument(help: "Directory to write to (created if needed; existing files are replaced).") var directory: String
    @Option(name: .long, help: "Only files matching this glob (repeatable; fnmatch rules as snapshot_download's allow_patterns).")
    var include: [String] = []
    @Option(name: .long, help: "Skip files matching this glob (repeatable).") var exclude: [String] = []
    @OptionGroup var backend: BackendOptions
    @OptionGroup var hf: HFServeOptions

    func validate() throws {
        do {
            _ = try HFReference(parsing: reference)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        try await reportingErrors {
            let parsed = try HFReference(parsing: reference)
            let result = try await backend.withHFBackend(hf) { hfBackend in
                try await HFTransfer.export(parsed, to: directory, include: include, exclude: exclude, backend: hfBackend,
                                            progress: ProgressReporter.forTerminal("export"))
            }
            if backend.json {
                try printJSON(result)
            } else {
                print("hf://\(parsed.repo)@\(result.commit) -> \(directory): \(result.files) files, \(ByteCount.format(result.bytes))")
            }
        }
    }
}
