import Foundation
import LarderTestSupport

/// A real upstream registry for the tests: Debian's `docker-registry` (CNCF distribution 2.8) on a free loopback
/// port, filesystem storage in a temporary directory, optionally with htpasswd or token auth. Its access log
/// (standard output) tells which requests reached it.
final class RegistryFixture: Sendable {
    /// How clients authenticate to the registry.
    enum Auth: Sendable {
        case none
        /// `auth: htpasswd:` with one bcrypt user.
        case basic(user: String, password: String)
        /// `auth: token:` against a token server fixture issuing certificates from `certificate`.
        case token(realm: String, certificate: String)
    }

    let child: ChildProcess
    let port: Int
    let directory: URL

    private init(child: ChildProcess, port: Int, directory: URL) {
        self.child = child
        self.port = port
        self.directory = directory
    }

    /// `127.0.0.1:<port>`, the registry host as clients name it.
    var host: String { "127.0.0.1:\(port)" }
    /// `http://127.0.0.1:<port>`.
    var url: String { "http://\(host)" }

    /// Starts a registry; `directory` keeps its storage (pass the one of a stopped registry to restart it).
    static func start(auth: Auth = .none, port requested: Int? = nil, directory: URL? = nil) async throws -> RegistryFixture {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("larder-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try requested ?? RawHTTP.closedPort()
        var config = """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: \(directory.path)/data
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:\(port)
          secret: larder-test-secret

        """
        switch auth {
        case .none:
            break
        case .basic(let user, let password):
            let htpasswd = directory.appendingPathComponent("htpasswd").path
            let outcome = try await ProcessRunner.tool(["htpasswd", "-Bbc", htpasswd, user, password], timeout: .seconds(60))
            guard outcome.status == 0 else { throw FixtureError("htpasswd failed: \(outcome.stderr)") }
            config += "auth:\n  htpasswd:\n    realm: larder-test\n    path: \(htpasswd)\n"
        case .token(let realm, let certificate):
            config += "auth:\n  token:\n    realm: \(realm)\n    service: larder-test-registry\n    issuer: larder-test-issuer\n    rootcertbundle: \(certificate)\n"
        }
        let configPath = directory.appendingPathComponent("config.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let child = try ChildProcess.launch("/usr/bin/env", ["docker-registry", "serve", configPath])
        let fixture = RegistryFixture(child: child, port: port, directory: directory)
        let up = try await eventually(timeout: .seconds(30), interval: .milliseconds(50)) {
            guard child.isRunning else { throw FixtureError("docker-registry exited: \(child.stderr.suffix(2000))") }
            return (try? await OCIHTTP.request("\(fixture.url)/v2/")).map { $0.status == 200 || $0.status == 401 } ?? false
        }
        guard up else {
            child.kill()
            throw FixtureError("docker-registry did not answer on \(port): \(child.stderr.suffix(2000))")
        }
        return fixture
    }

    /// The access-log lines so far (`"GET /v2/… HTTP/1.1" 200 …`).
    var accessLog: [String] {
        child.stdout.split(separator: "\n").map(String.init)
    }

    /// How many requests with `method` whose path starts with `pathPrefix` the registry answered with a 2xx.
    func count(_ method: String, _ pathPrefix: String) -> Int {
        accessLog.filter { line in
            guard let range = line.range(of: "\"\(method) \(pathPrefix)") else { return false }
            let after = line[range.upperBound...]
            guard let close = after.range(of: "\" ") else { return false }
            return after[close.upperBound...].hasPrefix("2")
        }.count
    }

    /// Stops the registry (its storage stays until ``remove()``).
    func stop() {
        child.kill()
    }

    /// Stops the registry and removes its storage.
    func remove() {
        child.kill()
        try? FileManager.default.removeItem(at: directory)
    }
}
