import ArgumentParser
import Foundation
import LarderAPI
import LarderClient
import LarderStore

/// `larder import`: store a file, or a model directory served as a Hub repository.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a file (prints its digest) or, with --as, a model directory served as a Hugging Face repository.",
        discussion: """
            larder import FILE                                       store one file, print its digest
            larder import --as hf://org/model[@<40-hex>] DIR         serve DIR as org/model (air-gapped clusters)
            The commit id is generated from the content when none is given (the same files give the same id); \
            the branch main (or each --branch) then points at it, so clients asking for the default branch find \
            it. Imported branches are authoritative: they are never re-resolved upstream. Imported blobs are \
            pinned unless --no-pin.
            """)

    @Argument(help: "A file, or a model directory with --as.") var path: String
    @Option(name: .customLong("as"), help: "hf://[datasets/]namespace/name[@revision]: import the directory as this repository.")
    var reference: String?
    @Option(name: .customLong("branch"), help: "Branch (or tag) to point at the imported commit (repeatable; default: main).")
    var branches: [String] = []
    @Flag(inversion: .prefixedNo, help: "Pin the imported files so they are never evicted.") var pin = true
    @OptionGroup var backend: BackendOptions
    @OptionGroup var hf: HFServeOptions

    func validate() throws {
        if let reference {
            do {
                _ = try HFReference(parsing: reference)
                for branch in branches {
                    try HFRevision.validate(branch)
                    if HFRevision.isCommit(branch) { throw ValidationError("--branch \(branch): a branch name, not a commit id") }
                }
            } catch let error as HFInputError {
                throw ValidationError(error.description)
            }
        } else if !branches.isEmpty {
            throw ValidationError("--branch needs --as hf://…")
        }
    }

    func run() async throws {
        try await reportingErrors {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ClientError("\(path) does not exist")
            }
            guard let referenceText = reference else {
                guard !isDirectory.boolValue else {
                    throw ClientError("\(path) is a directory: import it as a repository with --as hf://namespace/name[@revision]")
                }
                let record = try await backend.withBackend { try await $0.put(path: path, progress: ProgressReporter.forTerminal("import")) }
                if backend.json { try printJSON(record) } else { print(record.digest) }
                return
            }
            let parsed = try HFReference(parsing: referenceText)
            let result = try await backend.withHFBackend(hf) { hfBackend in
                try await HFTransfer.importDirectory(path, as: parsed, branches: branches, pin: pin, backend: hfBackend,
                                                     progress: ProgressReporter.forTerminal("import"))
            }
            if backend.json {
                try printJSON(result)
            } else {
                print("hf://\(result.repo)@\(result.commit)  \(result.files) files, \(ByteCount.format(result.bytes)); branches: \(result.branches.joined(separator: ", "))")
            }
        }
    }
}
