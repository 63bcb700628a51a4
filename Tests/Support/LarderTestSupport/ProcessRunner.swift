import Foundation

/// Runs a command to completion: the one way tests run tools, scripts and built executables.
public enum ProcessRunner {
    /// Runs `executable` (a path) with `arguments` and waits for it without blocking a thread of the cooperative
    /// pool. A child still running after `timeout` is killed with SIGKILL and the call throws, so a command that
    /// hangs fails its test instead of blocking the suite. See ``ChildProcess/launch(_:_:stdin:environment:unsetting:)``
    /// for `stdin`, `environment` and `unsetting`.
    public static func run(
        _ executable: String, _ arguments: [String], stdin: Data? = nil,
        environment: [String: String] = [:], unsetting: [String] = [], timeout: Duration = .seconds(300)
    ) async throws -> ProcessOutcome {
        let child = try ChildProcess.launch(executable, arguments, stdin: stdin, environment: environment, unsetting: unsetting)
        guard await child.waitForExit(within: timeout) else {
            child.kill()
            throw FixtureError("\(child.commandLine.prefix(200)) did not finish within \(timeout)")
        }
        return child.outcome
    }

    /// ``run(_:_:stdin:environment:unsetting:timeout:)`` for synchronous callers: blocks this thread while it waits.
    public static func runBlocking(
        _ executable: String, _ arguments: [String], stdin: Data? = nil,
        environment: [String: String] = [:], unsetting: [String] = [], timeout: Duration = .seconds(300)
    ) throws -> ProcessOutcome {
        let child = try ChildProcess.launch(executable, arguments, stdin: stdin, environment: environment, unsetting: unsetting)
        guard child.waitForExitBlocking(within: timeout) else {
            child.kill()
            throw FixtureError("\(child.commandLine.prefix(200)) did not finish within \(timeout)")
        }
        return child.outcome
    }

    /// Runs `arguments` (a tool found on `PATH`, then its arguments) through `/usr/bin/env`.
    public static func tool(_ arguments: [String], stdin: Data? = nil, timeout: Duration = .seconds(300)) async throws -> ProcessOutcome {
        try await run("/usr/bin/env", arguments, stdin: stdin, timeout: timeout)
    }
}
