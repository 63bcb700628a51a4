import ArgumentParser
import Foundation
import LarderClient
import Logging
import RunModel
import RunRecorder

/// `larder run -- CMD`: run a step's command and record it.
struct RunTask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a command and record its timings, placement, requested vs used resources and outputs.",
        discussion: """
            Identity and server may come from the environment: LARDER_SERVER, LARDER_FLOW, LARDER_RUN, LARDER_STEP,
            LARDER_TASK; requests from LARDER_CPU_REQUEST / LARDER_MEMORY_REQUEST (Kubernetes quantities), the node
            from NODE_NAME. The command gets LARDER_SERVER=<server>/t/<token> (and HF_ENDPOINT, when it points at the
            server, moved below that prefix), so the objects it fetches through Larder are listed in the record's
            `fetches`. The command's exit status is returned; if the server is unreachable the record is spooled
            and sent by `larder runs flush` or the next `larder run`.
            """)

    @Option(name: .long, help: "Larder server URL (default: $LARDER_SERVER or http://127.0.0.1:7480).") var server: String?
    @Option(name: .long, help: "Flow name (or $LARDER_FLOW).") var flow: String?
    @Option(name: .long, help: "Run id (or $LARDER_RUN).") var run: String?
    @Option(name: .long, help: "Step name (or $LARDER_STEP).") var step: String?
    @Option(name: .long, help: "Task id (or $LARDER_TASK).") var task: String?
    @Option(name: .long, help: "Attempt number (or $LARDER_ATTEMPT).") var attempt: Int?
    @Option(name: .long, parsing: .singleValue, help: "An input identifying the task across runs, KEY=VALUE (repeatable).") var input: [String] = []
    @Option(name: .customLong("input-file"), help: "A JSON object of string inputs the command writes while it runs (e.g. a Metaflow foreach value); read when it ends and added to --input.")
    var inputFile: String?
    @Option(name: .long, parsing: .singleValue, help: "A file to store as an artifact, NAME=PATH (repeatable).") var artifact: [String] = []
    @Option(name: .customLong("stdout-artifact"), help: "Also store the command's standard output as this artifact.") var stdoutArtifact: String?
    @Option(name: .long, help: "Node name (default: $NODE_NAME, else the host name).") var node: String?
    @Option(name: .customLong("cpu-request"), help: "Requested CPU, e.g. 500m or 2 (default: $LARDER_CPU_REQUEST).") var cpuRequest: String?
    @Option(name: .customLong("memory-request"), help: "Requested memory, e.g. 4Gi (default: $LARDER_MEMORY_REQUEST).") var memoryRequest: String?
    @Option(name: .long, help: "Seconds between samples.") var interval: Double = 1
    @OptionGroup var token: ClientTokenOption
    @Option(name: .long, help: "Spool directory for records the server could not take (default: $LARDER_SPOOL or ~/.cache/larder/spool).") var spool: String?
    @Option(name: .customLong("server-timeout"), help: "Seconds a request to the server may go without progress before the record is spooled.")
    var serverTimeout: Double = 10
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).") var command: [String] = []

    func run() async throws {
        // The command is captured verbatim, so a help flag before `--` lands in it: show the help instead.
        if let first = command.first, first == "--help" || first == "-h" || first == "-help" {
            throw CleanExit.helpRequest(self)
        }
        let environment = ProcessInfo.processInfo.environment
        var arguments = command
        if arguments.first == "--" { arguments.removeFirst() }
        guard !arguments.isEmpty else { throw ValidationError("give the command to run after --, e.g. larder run --flow F … -- python3 step.py") }
        func required(_ value: String?, _ variable: String, _ flag: String) throws -> String {
            guard let value = value ?? environment[variable], !value.isEmpty else {
                throw ValidationError("missing \(flag) (or $\(variable))")
            }
            return value
        }
        let identity: TaskIdentity
        do {
            identity = try TaskIdentity(
                flow: try required(flow, "LARDER_FLOW", "--flow"), run: try required(run, "LARDER_RUN", "--run"),
                step: try required(step, "LARDER_STEP", "--step"), task: try required(task, "LARDER_TASK", "--task"),
                attempt: attempt ?? environment["LARDER_ATTEMPT"].flatMap { Int($0) } ?? 0)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        let inputs = try Self.pairs(input, flag: "--input")
        let artifacts = try Self.pairs(artifact, flag: "--artifact")
        // Names are checked before the command runs: the server would refuse the whole record for a bad one.
        for name in artifacts.map(\.0) + (stdoutArtifact.map { [$0] } ?? []) {
            do {
                try TaskIdentity.validateName(name, field: "artifact")
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let requests: ResourceAmounts
        do {
            requests = try ResourceAmounts(cpu: cpuRequest ?? environment["LARDER_CPU_REQUEST"],
                                           memory: memoryRequest ?? environment["LARDER_MEMORY_REQUEST"])
        } catch {
            throw ValidationError("\(error)")
        }
        guard interval > 0 && interval <= 3600 else { throw ValidationError("--interval must be between 0 and 3600 seconds") }
        guard serverTimeout > 0 && serverTimeout <= 3600 else { throw ValidationError("--server-timeout must be between 0 and 3600 seconds") }
        var logger = Logger(label: "larder.run")
        logger.logLevel = .warning
        let serverURL = server ?? environment["LARDER_SERVER"] ?? "http://127.0.0.1:7480"
        // A token file that cannot be read is reported before the command runs, not after it.
        let writeToken: String?
        do {
            writeToken = try token.resolve()
        } catch {
            throw ValidationError(describe(error))
        }
        let queue: RunUploadQueue
        let timeout = Duration.milliseconds(Int64(serverTimeout * 1000))
        let client = RunServerClient(baseURL: serverURL, attempts: 1, connectTimeout: min(timeout, .seconds(3)),
                                     stallTimeout: timeout, token: writeToken)
        do {
            queue = try RunUploadQueue(client: client, spoolDirectory: spool ?? RunUploadQueue.defaultSpoolDirectory, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("larder: \(describe(error))\n".utf8))
            throw ExitCode.failure
        }
        let flushed = await queue.flush()
        for entry in flushed.quarantined {
            FileHandle.standardError.write(Data("larder: the server refused a spooled task record; set aside: \(RunUploadQueue.line(for: entry))\n".utf8))
        }

        // The command reaches the server below the task's prefix, so what it fetches is attributed to the task.
        let warn: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("larder: \($0)\n".utf8)) }
        let attribution = await TaskFetchAttribution.register(identity, connection: client.connection, warn: warn)
        let nodeName = node ?? environment["NODE_NAME"] ?? ProcessInfo.processInfo.hostName
        let configuration = TaskRecorder.Configuration(
            identity: identity, command: arguments, nodeName: nodeName,
            input: Dictionary(inputs, uniquingKeysWith: { _, last in last }), requests: requests,
            sampleInterval: .milliseconds(Int64(interval * 1000)), captureStdout: stdoutArtifact != nil,
            environment: attribution?.childEnvironment(environment))
        let result = try await TaskRecorder(configuration: configuration, logger: logger).run()

        var uploads: [(name: String, path: String)] = []
        for (name, path) in artifacts {
            do {
                try RunServerClient.checkArtifact(name: name, path: path)
                uploads.append((name: name, path: path))
            } catch {
                FileHandle.standardError.write(Data("larder: \(describe(error)); the artifact is not recorded, the rest of the record is\n".utf8))
            }
        }
        if let stdoutArtifact, let path = result.stdoutCapturePath {
            uploads.append((name: stdoutArtifact, path: path))
        }
        var record = result.record
        if let attribution {
            record.fetches = await attribution.collect(connection: client.connection, warn: warn)
        }
        if let inputFile {
            record.input.merge(Self.inputsWritten(to: inputFile)) { _, written in written }
        }
        let outcome = await queue.submit(record: record, artifacts: uploads)
        switch outcome {
        case .uploaded:
            break
        case .spooled(let reason):
            FileHandle.standardError.write(Data("larder: the server did not take the record (\(reason)); spooled in \(queue.spool.directory), send it with `larder runs flush`\n".utf8))
        case .rejected(let reason, let path):
            FileHandle.standardError.write(Data("larder: the server refused the record (\(reason)); kept in \(path)\n".utf8))
        }
        if let path = result.stdoutCapturePath { try? FileManager.default.removeItem(atPath: path) }
        if result.exitStatus != 0 { throw ExitCode(result.exitStatus) }
    }

    /// The inputs the command wrote to `path` as a JSON object of strings; a missing or malformed file adds nothing
    /// (said on standard error), so that recording never fails the task.
    static func inputsWritten(to path: String) -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path),
              let inputs = try? JSONDecoder().decode([String: String].self, from: data) else {
            FileHandle.standardError.write(Data("larder: --input-file \(path) is not a JSON object of strings; its inputs are not recorded\n".utf8))
            return [:]
        }
        return inputs
    }

    /// Splits `KEY=VALUE` arguments.
    static func pairs(_ values: [String], flag: String) throws -> [(String, String)] {
        try values.map { value in
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw ValidationError("\(flag) \(value) is not NAME=VALUE")
            }
            return (String(value[..<equals]), String(value[value.index(after: equals)...]))
        }
    }
}
