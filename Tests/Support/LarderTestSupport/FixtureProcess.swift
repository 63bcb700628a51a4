import Foundation

/// The one way tests start a fixture server (a Python stand-in for an upstream or the Hub) in a child process:
/// starts it, waits until it reports its loopback port, and stops it with SIGKILL (fixtures hold no state worth a
/// graceful shutdown, and SIGTERM may be blocked in the mask a child inherits).
///
/// Fixture scripts live in a `Fixtures/` folder beside the tests that use them (excluded from the target in
/// Package.swift); find one with ``script(_:besides:)``.
///
/// `@unchecked Sendable` invariant: both properties are set in `init` and never changed.
public final class FixtureProcess: @unchecked Sendable {
    /// How the fixture tells its port.
    public enum PortReport: Sendable {
        /// It writes the port number to this file.
        case file(String)
        /// It prints the port number as the first line of its standard output.
        case firstLine
    }

    /// The running child.
    public let child: ChildProcess
    /// The loopback port the fixture listens on.
    public let port: Int

    private init(child: ChildProcess, port: Int) {
        self.child = child
        self.port = port
    }

    /// `http://127.0.0.1:<port>`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// `<folder of sourceFile>/Fixtures/<name>`; pass `#filePath` as `sourceFile`.
    public static func script(_ name: String, besides sourceFile: String) -> String {
        URL(fileURLWithPath: sourceFile).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// Runs `python3 <arguments…>` (the system python; fixtures use the standard library only) and waits up to
    /// `timeout` for its port. Throws, with what the fixture wrote to stderr, when it exits or stays silent.
    /// `interpreter` names another Python (e.g. `/usr/bin/python3` for a fixture needing Debian's python3-jwt).
    public static func launchPython(_ arguments: [String], port report: PortReport,
                                    timeout: Duration = .seconds(15), interpreter: String = "python3") async throws -> FixtureProcess {
        let child = try ChildProcess.launch("/usr/bin/env", [interpreter] + arguments)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text: String
            switch report {
            case .file(let path): text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            case .firstLine: text = child.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first.map(String.init) ?? ""
            }
            if let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), port > 0 {
                return FixtureProcess(child: child, port: port)
            }
            guard child.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        child.kill()
        throw FixtureError("\(child.commandLine.prefix(200)) did not report a port: \(child.stderr.suffix(2000))")
    }

    /// Stops the fixture with SIGKILL and waits for it.
    public func stop() {
        child.kill()
    }
}
