import Foundation
import LarderCore
import LarderStore
import LarderTestSupport
import Testing

/// `/readyz` reflects reality: store open, writer thread answering, free disk above `--min-free-disk`.
@Suite("Readiness")
struct ReadinessTests {
    @Test("a data volume with less free space than the floor answers 503 with JSON naming why")
    func diskBelowTheFloor() async throws {
        let probeDirectory = FileManager.default.temporaryDirectory.path
        let free = try #require(Readiness.freeBytes(at: probeDirectory))
        // The volume is "full" as far as this server is concerned: it needs a terabyte more than there is.
        let server = try await LarderTestServer.start { $0.core.minFreeDiskBytes = free + (1 << 40) }
        defer { server.stopInBackground() }
        let answer = try await get(server.url("/readyz"))
        #expect(answer.status == 503)
        #expect(answer.header("Content-Type") == "application/json")
        #expect(answer.errorCode == "not_ready")
        let message = try #require((try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])?["message"] as? String)
        #expect(message.contains("free disk space on \(server.directory)") && message.contains("below --min-free-disk"), "\(message)")
        #expect(try await get(server.url("/healthz")).status == 200, "liveness stays up: the process is fine, it just cannot store")
    }

    @Test("with room on disk and the writer answering, /readyz is 200 and says how much is free")
    func ready() async throws {
        let server = try await LarderTestServer.start { $0.core.minFreeDiskBytes = 1 }
        defer { server.stopInBackground() }
        let answer = try await get(server.url("/readyz"))
        #expect(answer.status == 200)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("free on disk"))
    }

    @Test("a closed store (writer thread stopped) answers 503 naming the store")
    func closedStore() async throws {
        let server = try await LarderTestServer.start { $0.core.minFreeDiskBytes = 1 }
        defer { server.stopInBackground() }
        #expect(try await get(server.url("/readyz")).status == 200)
        server.store.close()
        let answer = try await get(server.url("/readyz"))
        #expect(answer.status == 503)
        let body = String(decoding: answer.body, as: UTF8.self)
        #expect(body.contains("the store is closed"), "\(body)")
        #expect(await server.store.probeWriter(within: .seconds(5)) == .closed)
    }
}
