import Foundation
import Logging
import Testing
import Upstream

/// Issue 17, item 5: a host that does not resolve is retried like a refused connection and reported as such
/// (it used to fail at once with "curl_easy_setopt(98) failed", from an option refused on the reused handle).
@Suite("Name resolution failures", .timeLimit(.minutes(1)))
struct DNSFailureTests {
    private static func client(attempts: Int) -> UpstreamClient {
        var configuration = UpstreamConfiguration()
        configuration.maxAttempts = attempts
        configuration.initialBackoff = .milliseconds(20)
        configuration.connectTimeout = .seconds(5)
        return UpstreamClient(configuration: configuration, logger: Logger(label: "dns-tests", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test("an unresolvable host is retried with backoff, then reported as a resolution failure")
    func unresolvableHostIsRetried() async throws {
        // `.invalid` never resolves (RFC 6761), so no network is needed.
        let client = Self.client(attempts: 3)
        do {
            let response = try await client.send(UpstreamRequest(url: "http://nonexistent.invalid/file.bin"))
            response.cancel()
            Issue.record("a request to nonexistent.invalid got an answer (status \(response.head.status))")
        } catch let error as UpstreamError {
            guard case .connectFailed(let message) = error else {
                Issue.record("expected a connect failure, got \(error)")
                return
            }
            #expect(message.lowercased().contains("resolve"), "message: \(message)")
            #expect(message.contains("nonexistent.invalid"), "message: \(message)")
            #expect(message.contains("after 3 attempts"), "message: \(message)")
            #expect(!error.description.contains("curl_easy_setopt"))
        }
    }

    @Test("the same client works for a later request after a resolution failure", arguments: [1, 2])
    func handleStaysUsable(attempts: Int) async throws {
        let client = Self.client(attempts: attempts)
        for _ in 0..<2 {
            await #expect {
                _ = try await client.send(UpstreamRequest(url: "http://nonexistent.invalid/again"))
            } throws: { error in
                guard case UpstreamError.connectFailed = error else { return false }
                return true
            }
        }
    }
}
