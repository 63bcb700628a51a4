import Foundation
import LarderTestSupport

/// Runs the built `larder` executable as a child process.
enum CLI {
    /// The `larder` binary next to the test bundle.
    static let executable: String = {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("larder").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("larder").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/larder").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
    }()

    /// What a finished command printed and returned.
    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `larder ARGS…` to completion (on its own thread), feeding `stdin` when given. A command still running
    /// after `timeout` is terminated (SIGTERM, then SIGKILL), so a command that hangs fails its test instead of
    /// blocking the suite.
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    executable: String = CLI.executable, timeout: Duration = .seconds(120)) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try runBlocking(arguments, stdin: stdin, environment: environment, executable: executable, timeout: timeout)
                })
            }.start()
        }
    }

    /// Writing to a child that stopped reading gives EPIPE instead of killing the test process with SIGPIPE.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    private static func runBlocking(_ arguments: [String], stdin: Data?, environment: [String: String], executable: String,
                                    timeout: Duration) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LARDER_SERVER")
        env.removeValue(forKey: "LARDER_DATA")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        ignoreSIGPIPE
        try process.run()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if process.isRunning { kill(pid, SIGTERM) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds + 10) {
            if process.isRunning { kill(pid, SIGKILL) }
        }
        // A command that exits without reading all of its input must fail its test, not kill the test process.
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
        try? input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                       stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

/// A `larder serve` child process on a free loopback port.
final class ServerProcess: @unchecked Sendable {
    // Safe to share: all properties are set in `init` and only read afterwards; `stop()` is called once.
    let process: Process
    let port: Int
    let directory: String
    var url: String { "http://127.0.0.1:\(port)" }

    private init(process: Process, port: Int, directory: String) {
        self.process = process
        self.port = port
        self.directory = directory
    }

    /// Starts `larder serve --listen 127.0.0.1:0` and reads the port from its startup log line.
    static func start(extraArguments: [String] = []) async throws -> ServerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-cli-\(UUID().uuidString)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data", directory, "--max-size", "1GiB"] + extraArguments
        let logFile = directory + ".log"
        FileManager.default.createFile(atPath: logFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if let range = log.range(of: "address=127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0 {
                    return ServerProcess(process: process, port: port, directory: directory)
                }
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw FixtureError("larder serve did not start: \((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")")
    }

    /// Stops the server with SIGTERM (a graceful shutdown) and removes its data.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + ".log")
    }
}

/// A fresh temporary directory path (not created).
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
}

/// A loopback TCP port that accepts connections (the kernel completes them) but never answers: a hanging server.
final class SilentListener: @unchecked Sendable {
    // Safe to share: `descriptor` and `port` are set in `init` and only read afterwards; `stop()` is called once.
    let descriptor: Int32
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 64) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ready else {
            close(descriptor)
            throw FixtureError("cannot listen on a loopback port")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the listening socket.
    func stop() {
        close(descriptor)
    }
}

/// Creates `path` as a directory holding one file, for checks that nothing removes it.
func makeDirectoryWithContent(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: path + "/a.txt"))
}

/// Whether the directory made by ``makeDirectoryWithContent(_:)`` is still intact.
func directoryIsIntact(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        && (try? String(contentsOfFile: path + "/a.txt", encoding: .utf8)) == "keep me\n"
        && FileManager.default.fileExists(atPath: path + "/sub")
}
