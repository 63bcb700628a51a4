import ArgumentParser
import Foundation
import LarderAPI
import LarderClient
import LarderStore
import Logging
import RunModel

/// `larder runs …`: the run store.
struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show, export, import and remove recorded runs; send spooled records.",
        subcommands: [RunsList.self, RunsShow.self, RunsExport.self, RunsImport.self, RunsRemove.self, RunsFlush.self])
}

/// Options shared by the `runs` subcommands.
struct RunsServerOption: ParsableArguments {
    @Option(name: .long, help: "Larder server URL (default: $LARDER_SERVER or http://127.0.0.1:7480).") var server: String?
    @OptionGroup var token: ClientTokenOption

    var client: RunServerClient {
        get throws {
            RunServerClient(baseURL: server ?? ProcessInfo.processInfo.environment["LARDER_SERVER"] ?? "http://127.0.0.1:7480",
                            token: try token.resolve())
        }
    }
}

/// Splits `FLOW/RUN`.
func parseRunPath(_ text: String) throws -> (flow: String, run: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ValidationError("\"\(text)\" is not FLOW/RUN") }
    return (parts[0], parts[1])
}

struct RunsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List flows, or the runs of one flow.")
    @Argument(help: "A flow name.") var flow: String?
    @OptionGroup var server: RunsServerOption
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingErrors {
            if let flow {
                let list = try await server.client.runs(flow: flow)
                if json { return try printJSON(list) }
                print("RUN".padding(toLength: 24, withPad: " ", startingAt: 0) + "  TASKS  START                          END")
                for run in list.runs {
                    print("\(run.run.padding(toLength: 24, withPad: " ", startingAt: 0))  \(String(run.tasks).padding(toLength: 5, withPad: " ", startingAt: 0))  \(run.start ?? "-")  \(run.end ?? "-")")
                }
            } else {
                let list = try await server.client.flows()
                if json { return try printJSON(list) }
                for flow in list.flows { print("\(flow.flow)\t\(flow.runs) runs") }
            }
        }
    }
}

struct RunsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show every task of a run.")
    @Argument(help: "FLOW/RUN") var path: String
    @OptionGroup var server: RunsServerOption
    @Flag(name: .long, help: "Print JSON.") var json = false

    func run() async throws {
        let (flow, run) = try parseRunPath(path)
        try await reportingErrors {
            let document = try await server.client.run(flow: flow, run: run)
            if json { return try printJSON(document) }
            print("\(flow)/\(run): \(document.tasks.count) task records")
            for record in document.tasks {
                let usage = record.usage
                let artifactNames = record.artifacts.map { $0.name }.joined(separator: ",")
                let request = record.requests.cpu.map { Quantity.formatCPU($0) } ?? "-"
                let memory = record.requests.memoryBytes.map { Quantity.formatMemory($0) } ?? "-"
                print("""
                    \(record.identity.step)/\(record.identity.task)#\(record.identity.attempt)  node \(record.node.name)  \
                    \(String(format: "%.1f", record.durationSeconds)) s  exit \(record.exit.status.map(String.init) ?? "signal \(record.exit.signal ?? 0)")  \
                    cpu req \(request) avg \(String(format: "%.2f", usage.avgCores)) p95 \(String(format: "%.2f", usage.p95Cores))  \
                    mem req \(memory) peak \(Quantity.formatMemory(usage.peakMemoryBytes))  artifacts \(artifactNames)
                    """)
            }
        }
    }
}

struct RunsExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one self-contained JSON document of a run: records plus text artifacts up to --inline-limit.")
    @Argument(help: "FLOW/RUN") var path: String
    @Option(name: .customLong("inline-limit"), help: "Largest text artifact to inline, in bytes.") var inlineLimit: Int = 1 << 20
    @OptionGroup var server: RunsServerOption

    func run() async throws {
        let (flow, run) = try parseRunPath(path)
        try await reportingErrors {
            let client = try server.client
            var document = try await client.run(flow: flow, run: run)
            var inline: [String: String] = [:]
            var seen = Set<String>()
            for artifact in document.tasks.flatMap(\.artifacts) where seen.insert(artifact.digest).inserted {
                guard artifact.size <= Int64(inlineLimit) else { continue }
                // Text by media type or by content (stdout captures carry no media type): UTF-8 without NUL bytes.
                if let bytes = try await client.artifactText(digest: artifact.digest, limit: inlineLimit),
                   !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) {
                    inline[artifact.digest] = text
                }
            }
            document.inline = inline
            try printJSON(document)
        }
    }
}

struct RunsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Store a run exported with `larder runs export`.")
    @Argument(help: "The exported JSON file (- for standard input).") var file: String
    @OptionGroup var server: RunsServerOption

    func run() async throws {
        try await reportingErrors {
            let data: Data
            do {
                data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ClientError("cannot read \(file): \(describe(error))")
            }
            let document = try Self.validatedDocument(data, name: file)
            let client = try server.client
            for (_, text) in document.inline ?? [:] {
                try await client.putBlob(Array(text.utf8))
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-import-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            for record in document.tasks {
                var files: [(name: String, path: String)] = []
                for artifact in record.artifacts {
                    guard let text = document.inline?[artifact.digest] else { continue }
                    let path = directory + "/\(files.count)-" + artifact.name
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                    files.append((artifact.name, path))
                }
                let mediaTypes = Dictionary(record.artifacts.map { ($0.name, $0.mediaType) }, uniquingKeysWith: { _, last in last })
                _ = try await client.upload(record: record, artifacts: files, mediaTypes: mediaTypes)
            }
            print("imported \(document.flow)/\(document.run): \(document.tasks.count) task records")
        }
    }
}

extension RunsImport {
    /// Decodes an exported run and checks that the server would store it as it says: schema `larder.run/v1`,
    /// and every task belonging to the document's flow and run.
    static func validatedDocument(_ data: Data, name: String) throws -> RunDocument {
        struct Header: Decodable { var schema: String? }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw ClientError("\(name) is not a run document written by `larder runs export`: \(describe(error))")
        }
        guard let schema = header.schema else {
            throw ClientError("\(name) has no \"schema\"; expected a larder.run/v1 document written by `larder runs export`")
        }
        guard schema == "larder.run/v1" || schema.hasPrefix("larder.run/v1.") else {
            throw ClientError("\(name) is a \(schema) document; this larder imports larder.run/v1 only")
        }
        let document: RunDocument
        do {
            document = try JSONDecoder().decode(RunDocument.self, from: data)
        } catch {
            throw ClientError("\(name) is not a run document written by `larder runs export`: \(describe(error))")
        }
        guard !document.flow.isEmpty, !document.run.isEmpty else {
            throw ClientError("\(name) names no flow or run")
        }
        for record in document.tasks where record.identity.flow != document.flow || record.identity.run != document.run {
            let id = record.identity
            throw ClientError("""
                \(name) says flow/run \(document.flow)/\(document.run), but its task \(id.step)/\(id.task) belongs to                 \(id.flow)/\(id.run); make them agree before importing
                """)
        }
        return document
    }
}

struct RunsRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a run's records and release its artifacts.")
    @Argument(help: "FLOW/RUN") var path: String
    @OptionGroup var server: RunsServerOption

    func run() async throws {
        let (flow, run) = try parseRunPath(path)
        try await reportingErrors { try await server.client.remove(flow: flow, run: run) }
    }
}

struct RunsFlush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flush", abstract: "Send task records spooled while the server was unreachable.")
    @OptionGroup var server: RunsServerOption
    @Option(name: .long, help: "Spool directory (default: $LARDER_SPOOL or ~/.cache/larder/spool).") var spool: String?

    func run() async throws {
        try await reportingErrors {
            let queue = try RunUploadQueue(client: try server.client, spoolDirectory: spool ?? RunUploadQueue.defaultSpoolDirectory,
                                           logger: Logger(label: "larder.runs"))
            let report = await queue.flush()
            print("sent \(report.sent) spooled task records, \(report.remaining) remain")
            if let reason = report.stopReason, report.remaining > 0 {
                let hint = report.tokenRefused
                    ? "run `larder runs flush` again with a token allowed to write these runs (LARDER_TOKEN or --token-file)"
                    : "run `larder runs flush` again once the server is reachable"
                print("not sent: \(reason); \(hint)")
            }
            for entry in report.quarantined {
                print("refused by the server, set aside: \(RunUploadQueue.line(for: entry))")
            }
            let earlier = queue.spool.quarantined().count - report.quarantined.count
            if earlier > 0 {
                print("\(earlier) task records refused earlier are kept in \(queue.spool.quarantineDirectory) (reason.txt in each)")
            }
            if report.remaining > 0 || !report.quarantined.isEmpty { throw ExitCode.failure }
        }
    }
}
