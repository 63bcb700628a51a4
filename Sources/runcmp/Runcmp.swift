import ArgumentParser
import Foundation
import RunCompare

/// `runcmp`: compare two Larder runs.
struct Runcmp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runcmp",
        abstract: "Compare two runs recorded by Larder: outputs, timings, resources, placement, recommendations.",
        discussion: "Exit status: 0 ok, 1 a --fail-if rule was violated, 2 usage error or a run could not be loaded.",
        subcommands: [Diff.self, Show.self, List.self, Example.self, BenchData.self, BenchWER.self],
        defaultSubcommand: nil)
}

/// Where stored runs are read from.
struct SourceOptions: ParsableArguments {
    @Option(help: "Larder server URL (default: $LARDER_SERVER, else http://127.0.0.1:7480).")
    var server: String?

    @Option(help: "Read runs from a Larder data directory (not yet supported: use --server or a file from `larder runs export`).")
    var data: String?

    @Option(name: .customLong("s3-endpoint"), help: "For s3://… runs: the S3 endpoint URL of MinIO, Ceph or a test server (default: AWS for --s3-region).")
    var s3Endpoint: String?

    @Option(name: .customLong("s3-region"), help: "For s3://… runs: the region requests are signed for.")
    var s3Region: String = "us-east-1"

    @Flag(name: .customLong("s3-path-style"), help: "For s3://… runs: address the bucket in the path (MinIO and most test servers need it).")
    var s3PathStyle: Bool = false

    @Option(name: .customLong("s3-credentials-file"), help: "For s3://… runs: an AWS shared credentials file (default: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN).")
    var s3CredentialsFile: String?

    func source() throws -> any RunSource {
        if let data {
            throw ValidationError("--data \(data): reading a data directory directly is not supported yet; "
                + "run `larder serve` on it and use --server, or compare files written by `larder runs export FLOW/RUN`")
        }
        let text = server ?? ProcessInfo.processInfo.environment["LARDER_SERVER"] ?? "http://127.0.0.1:7480"
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--server \(text): expected an http(s) URL such as http://127.0.0.1:7480")
        }
        return HTTPRunSource(baseURL: url)
    }
}

/// Writes `text` to `path`, or to standard output.
func emit(_ text: String, to path: String?) throws {
    if let path {
        try checkWritable(path)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure(description: "cannot write the report to \(path); choose another -o path")
        }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Fails with one sentence unless `path` names a file that can be created or replaced: not
/// empty, not a directory, in an existing directory, writable (opened without truncating).
func checkWritable(_ path: String) throws {
    guard !path.isEmpty else { throw CommandFailure(description: "-o needs a file name, e.g. -o report.html") }
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue { throw CommandFailure(description: "cannot write the report to \(path): it is a directory; give a file name") }
        let descriptor = open(path, O_WRONLY)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            throw CommandFailure(description: "cannot write the report to \(path) (\(reason)); choose another -o path")
        }
        close(descriptor)
        return
    }
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandFailure(description: "cannot write the report to \(path): the directory \(parent) does not exist")
    }
    guard access(parent, W_OK) == 0 else {
        throw CommandFailure(description: "cannot write the report to \(path): the directory \(parent) is not writable")
    }
}

/// A run could not be loaded or a rule not parsed: printed without a usage hint, exit status 2.
struct CommandFailure: Error, CustomStringConvertible {
    /// The message.
    var description: String
}

/// Converts library errors into ``CommandFailure``s with their message.
func loading<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as RunCompareError {
        throw CommandFailure(description: error.description)
    }
}
