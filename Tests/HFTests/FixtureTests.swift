import LarderTestSupport
import Testing

/// The test fixtures themselves: a helper that cannot fail would make the tests built on it unable to fail.
@Suite("HF test fixtures")
struct FixtureTests {
    @Test func aMissingMetricIsAnErrorNotZero() async throws {
        let server = try await LarderTestServer.startHF()
        try await server.use { () async throws in
            #expect(try await server.metric("larder_hf_file_requests_total{result=\"miss\"}") == 0)
            await #expect(throws: FixtureError.self) {
                try await server.metric("larder_hf_file_requests_total{result=\"renamed\"}")
            }
            await #expect(throws: FixtureError.self) { try await server.metric("larder_hf_file_requests") }
        }
    }
}
