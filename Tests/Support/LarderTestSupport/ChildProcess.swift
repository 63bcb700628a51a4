import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started by a test. Its standard output and error go to temporary files (read them at any time
/// with ``stdout`` and ``stderr``; no pipe can fill up and stall the child), its standard input is `stdin` or
/// empty. The files are removed when the object is released.
///
/// Stop children with ``kill()`` or ``stop(grace:)``, never with `Process.terminate()` alone: a child spawned from a
/// dispatch worker thread inherits that thread's blocked SIGTERM, so SIGTERM may never reach it.
///
/// `@unchecked Sendable` invariant: every stored property is set in `init` and never reassigned; the `Process` is
/// only queried, signalled and waited on, which it allows from any thread.
public final class ChildProcess: @unchecked Sendable {
    /// The underlying process.
    public let process: Process
    /// The command line, for messages.
    public let commandLine: String
    private let directory: URL
    private let started = ContinuousClock.now

    private init(process: Process, commandLine: String, directory: URL) {
        self.process = process
        self.commandLine = commandLine
        self.directory = directory
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `executable` (a path) with `arguments`. The child's environment is this process's, minus the
    /// variables named in `unsetting` (a name ending in `*` is a prefix), plus `environment`.
    public static func launch(
        _ executable: String, _ arguments: [String], stdin: Data? = nil,
        environment: [String: String] = [:], unsetting: [String] = []
    ) throws -> ChildProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = childEnvironment(adding: environment, unsetting: unsetting)
        for name in ["stdout", "stderr"] {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil)
        }
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        if let stdin {
            let input = directory.appendingPathComponent("stdin")
            try stdin.write(to: input)
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let child = ChildProcess(process: process, commandLine: ([executable] + arguments).joined(separator: " "),
                                 directory: directory)
        try process.run()
        return child
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }
    /// The exit status (or terminating signal) once the child exited.
    public var status: Int32 { process.terminationStatus }
    /// Everything the child wrote to standard output so far.
    public var stdout: String { read("stdout") }
    /// Everything the child wrote to standard error so far.
    public var stderr: String { read("stderr") }
    /// Time since the child was started.
    public var elapsed: Duration { ContinuousClock.now - started }

    /// Polls until the child exited or `timeout` passed (or the task was cancelled); returns whether it exited.
    public func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !process.isRunning
    }

    /// Blocks this thread until the child exited or `timeout` passed; returns whether it exited.
    public func waitForExitBlocking(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Sends `signal` to the child if it still runs.
    public func signal(_ signal: Int32) {
        if process.isRunning { Glibc.kill(process.processIdentifier, signal) }
    }

    /// Kills the child with SIGKILL (if it still runs) and waits for it.
    public func kill() {
        signal(SIGKILL)
        process.waitUntilExit()
    }

    /// Asks the child to stop with SIGTERM (a graceful shutdown), waits up to `grace`, then kills it with SIGKILL.
    public func stop(grace: Duration = .seconds(10)) {
        signal(SIGTERM)
        if !waitForExitBlocking(within: grace) { signal(SIGKILL) }
        process.waitUntilExit()
    }

    /// What the exited child printed and returned.
    public var outcome: ProcessOutcome {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return ProcessOutcome(status: status, stdout: stdout, stderr: stderr, seconds: seconds)
    }

    private func read(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    private static func childEnvironment(adding added: [String: String], unsetting: [String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys {
            let unset = unsetting.contains { $0.hasSuffix("*") ? key.hasPrefix($0.dropLast()) : key == $0 }
            if unset { environment[key] = nil }
        }
        for (key, value) in added { environment[key] = value }
        return environment
    }
}

/// What a finished child process printed and returned.
public struct ProcessOutcome: Sendable {
    /// The exit status (or terminating signal).
    public var status: Int32
    /// Everything written to standard output.
    public var stdout: String
    /// Everything written to standard error.
    public var stderr: String
    /// Seconds from start to exit (as seen by the polling test).
    public var seconds: Double
}
