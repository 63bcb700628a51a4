import Foundation
import LarderServer
import LarderTestSupport
import Logging
import Testing

/// `larder serve --tls-cert/--tls-key`: HTTPS with a certificate re-read when it changes (real openssl and curl).
@Suite("TLS: HTTPS with a certificate that is renewed while the server runs", .serialized)
struct TLSTests {
    /// Writes a self-signed certificate for 127.0.0.1 (common name `name`) and its key below `directory`.
    static func makeCertificate(_ name: String, in directory: String) async throws -> (certificate: String, key: String) {
        let certificate = directory + "/\(name).crt"
        let key = directory + "/\(name).key"
        let result = try await ProcessRunner.tool([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=\(name)", "-addext", "subjectAltName=IP:127.0.0.1",
        ], timeout: .seconds(60))
        guard result.status == 0 else { throw FixtureError("openssl req failed: \(result.stderr)") }
        return (certificate, key)
    }

    /// `GET /healthz` over HTTPS, trusting only `ca`; the curl outcome.
    static func healthz(_ port: Int, trusting ca: String) async throws -> ProcessOutcome {
        try await ProcessRunner.tool(["curl", "-sS", "--max-time", "10", "--cacert", ca, "https://127.0.0.1:\(port)/healthz"], timeout: .seconds(30))
    }

    @Test("serves HTTPS only, and a certificate replaced on disk is served from the next handshake")
    func renewal() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await Self.makeCertificate("larder-first", in: directory)
        let second = try await Self.makeCertificate("larder-second", in: directory)
        let live = (certificate: directory + "/live.crt", key: directory + "/live.key")
        try FileManager.default.copyItem(atPath: first.certificate, toPath: live.certificate)
        try FileManager.default.copyItem(atPath: first.key, toPath: live.key)
        let reloader = try TLSCertificateReloader(certificate: live.certificate, key: live.key,
                                                  logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = try await LarderTestServer.start { $0.tls = reloader }
        try await server.use {
            let secured = try await Self.healthz(server.port, trusting: first.certificate)
            #expect(secured.status == 0 && secured.stdout == "ok\n", "\(secured.stderr)")
            let untrusted = try await Self.healthz(server.port, trusting: second.certificate)
            #expect(untrusted.status != 0, "the second certificate is not served yet")
            let plain = try await ProcessRunner.tool(["curl", "-sS", "--max-time", "10", "http://127.0.0.1:\(server.port)/healthz"], timeout: .seconds(30))
            #expect(plain.status != 0 || plain.stdout != "ok\n", "plain HTTP must not be answered: \(plain.stdout)")

            // Renewal as a Secret update delivers it: both files replaced (renamed into place).
            try FileManager.default.copyItem(atPath: second.key, toPath: live.key + ".new")
            try FileManager.default.copyItem(atPath: second.certificate, toPath: live.certificate + ".new")
            #expect(rename(live.key + ".new", live.key) == 0 && rename(live.certificate + ".new", live.certificate) == 0)
            #expect(await eventually(timeout: .seconds(20), interval: .milliseconds(100)) {
                (try? await Self.healthz(server.port, trusting: second.certificate))?.status == 0
            })
            let old = try await Self.healthz(server.port, trusting: first.certificate)
            #expect(old.status != 0, "the replaced certificate is no longer served")
        }
    }

    @Test("an unusable certificate or key stops `larder serve` at startup with one sentence")
    func badFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-tls-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try await Self.makeCertificate("larder-bad", in: directory)
        try "not a key\n".write(toFile: directory + "/broken.key", atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.run(BuiltExecutable.larder, [
            "serve", "--listen", "127.0.0.1:0", "--data", directory + "/data", "--tls-cert", pair.certificate, "--tls-key", directory + "/broken.key",
        ], timeout: .seconds(30))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("is not a PEM private key") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        let half = try await ProcessRunner.run(BuiltExecutable.larder, ["serve", "--tls-cert", pair.certificate], timeout: .seconds(30))
        #expect(half.status != 0 && half.stderr.contains("give both --tls-cert and --tls-key"), "\(half.stderr)")
    }
}
