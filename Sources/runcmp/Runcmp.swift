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
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
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
