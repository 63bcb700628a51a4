import LarderCore
import RunModel
import Testing

@Suite struct CacheAnswerTests {
    @Test("every X-Larder-Cache answer has a fetch outcome; manifests served from the store after revalidation or while the registry is down are hits")
    func everyAnswerIsAttributed() {
        #expect(CacheAnswer.hit.fetchOutcome == .hit)
        #expect(CacheAnswer.revalidated.fetchOutcome == .hit)
        #expect(CacheAnswer.stale.fetchOutcome == .hit)
        #expect(CacheAnswer.miss.fetchOutcome == .miss)
        #expect(CacheAnswer.coalesced.fetchOutcome == .coalesced)
        #expect(CacheAnswer.peer.fetchOutcome == .peer)
        // The header words are the wire format clients and the benchmarks read.
        #expect(CacheAnswer.revalidated.rawValue == "revalidated" && CacheAnswer.peer.rawValue == "peer")
    }
}
