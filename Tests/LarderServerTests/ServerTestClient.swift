import Foundation
import LarderTestSupport
import Logging
import Upstream

extension LarderTestServer {
    /// Requests counted as a miss, as coalesced and as a hit so far.
    func lookups() async throws -> (miss: Int, coalesced: Int, hit: Int) {
        func count(_ result: String) async throws -> Int {
            Int(try await metricIfPresent("larder_cache_requests_total{result=\"\(result)\"}") ?? -1)
        }
        return (try await count("miss"), try await count("coalesced"), try await count("hit"))
    }
}
