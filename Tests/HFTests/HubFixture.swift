import Foundation
import LarderStore
import LarderTestSupport

/// `Fixtures/hub_fixture.py`: a stand-in Hub serving generated files as `fixture/model` (see the script's doc).
///
/// `@unchecked Sendable` invariant: every property is set in `init` and never changed.
final class HubFixture: @unchecked Sendable {
    let port: Int
    let root: String
    /// The commit `main` pointed at when the fixture started (see ``moveMain(to:files:)``).
    let commit: String
    /// The files served at ``commit``, by path.
    let files: [String: [UInt8]]
    private let process: FixtureProcess

    static let repo = "fixture/model"

    /// Writes `files` and starts the fixture (system python3; stdlib only).
    static func start(files: [String: [UInt8]], commit: String = "c0ffee" + String(repeating: "0", count: 34)) async throws -> HubFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hub-fixture-\(UUID().uuidString)").path
        for (path, content) in files {
            let url = URL(fileURLWithPath: root + "/files/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content).write(to: url)
        }
        let portFile = root + "/port"
        let process = try await FixtureProcess.launchPython(
            [FixtureProcess.script("hub_fixture.py", besides: #filePath), "--root", root + "/files", "--commit", commit, "--port-file", portFile],
            port: .file(portFile))
        return HubFixture(port: process.port, root: root, commit: commit, files: files, process: process)
    }

    private init(port: Int, root: String, commit: String, files: [String: [UInt8]], process: FixtureProcess) {
        self.port = port
        self.root = root
        self.commit = commit
        self.files = files
        self.process = process
    }

    /// The base URL to use as `--hf-upstream`.
    var url: String { "http://127.0.0.1:\(port)" }

    /// How often each `METHOD /path` was requested.
    func counts() throws -> [String: Int] {
        let body = try RawHTTP.get(port: port, path: "/_stats")
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return (object?["paths"] as? [String: Int]) ?? [:]
    }

    /// Moves `main` to a new `commit` whose files are `files` (as a push to the Hub would); the earlier
    /// commits stay resolvable by SHA.
    func moveMain(to commit: String, files: [String: [UInt8]]) throws {
        let directory = root + "/files-\(commit)"
        for (path, content) in files {
            let url = URL(fileURLWithPath: directory + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content).write(to: url)
        }
        let query = "commit=\(commit)&root=\(directory.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? directory)"
        let body = try RawHTTP.get(port: port, path: "/_main?" + query)
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        guard object?["main"] as? String == commit else {
            throw FixtureError("hub_fixture.py did not move main: \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// How the fixture gates `fixture/model` (see ``gate(_:tokens:)``).
    enum Gate: String {
        case publicRepo = "public", gated, `private`
    }

    /// Gates `fixture/model`: only `Authorization: Bearer T` with T in `tokens` passes its info and resolve routes,
    /// and its info reports `gated` (or `private`); `.publicRepo` lifts the gate.
    func gate(_ mode: Gate, tokens: [String] = []) throws {
        let body = try RawHTTP.get(port: port, path: "/_gate?mode=\(mode.rawValue)&tokens=\(tokens.joined(separator: ","))")
        let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        guard object?["mode"] as? String == mode.rawValue else {
            throw FixtureError("hub_fixture.py did not set the gate: \(String(decoding: body, as: UTF8.self))")
        }
    }

    /// Gated requests the fixture saw with `Authorization: Bearer token` (nil: without a token).
    func gatedRequests(token: String?) throws -> Int {
        try counts()["AUTH \(token ?? "-")"] ?? 0
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}
