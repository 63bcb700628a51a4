import Foundation

/// A `larder serve` child process on a free loopback port (`--listen 127.0.0.1:0`; the port is read from its
/// startup log line).
///
/// `@unchecked Sendable` invariant: every property is set in `init` and never changed; the child is only
/// queried, signalled and waited on.
public final class LarderServeProcess: @unchecked Sendable {
    /// The running `larder serve`.
    public let child: ChildProcess
    /// The port it listens on (127.0.0.1).
    public let port: Int
    /// Its data directory.
    public let directory: String
    private let ownsDirectory: Bool

    private init(child: ChildProcess, port: Int, directory: String, ownsDirectory: Bool) {
        self.child = child
        self.port = port
        self.directory = directory
        self.ownsDirectory = ownsDirectory
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// The process id.
    public var pid: Int32 { child.pid }
    /// Everything the server logged so far (it logs to standard error).
    public var log: String { child.stderr }

    /// Starts `larder serve --listen 127.0.0.1:0 --data <directory> --max-size 1GiB <extraArguments…>` and waits
    /// up to `timeout` for its port. Without `directory` it uses a fresh temporary one, removed by ``stop()`` and
    /// ``kill()``; a given directory is left alone.
    public static func start(directory: String? = nil, extraArguments: [String] = [],
                             timeout: Duration = .seconds(30)) async throws -> LarderServeProcess {
        let path = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("larder-serve-\(UUID().uuidString)").path
        let child = try ChildProcess.launch(BuiltExecutable.larder,
                                            ["serve", "--listen", "127.0.0.1:0", "--data", path, "--max-size", "1GiB"] + extraArguments)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = child.stderr
            if let range = log.range(of: "address=127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), port > 0 {
                    return LarderServeProcess(child: child, port: port, directory: path, ownsDirectory: directory == nil)
                }
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.kill()
        if directory == nil { try? FileManager.default.removeItem(atPath: path) }
        throw FixtureError("larder serve did not start: \(child.stderr)")
    }

    /// Polls until the server exited or `timeout` passed; returns whether it exited.
    public func waitForExit(within timeout: Duration) async -> Bool {
        await child.waitForExit(within: timeout)
    }

    /// Stops the server gracefully (SIGTERM, SIGKILL after 10 s) and removes its data directory if it made it.
    public func stop() {
        child.stop(grace: .seconds(10))
        removeOwnDirectory()
    }

    /// Kills the server with SIGKILL and removes its data directory if it made it.
    public func kill() {
        child.kill()
        removeOwnDirectory()
    }

    private func removeOwnDirectory() {
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
