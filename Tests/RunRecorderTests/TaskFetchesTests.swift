import Foundation
import RunModel
import Testing

@Suite struct TaskFetchesTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_964_645)

    static func fetch(_ at: Double, _ seconds: Double, _ outcome: FetchOutcome, bytes: Int64 = 100,
                      upstream: Int64 = 0) -> FetchedObject {
        FetchedObject(ref: "https://example.test/\(at)", bytes: bytes, upstreamBytes: upstream, outcome: outcome,
                      start: t0.addingTimeInterval(at), firstByteSeconds: seconds / 10, seconds: seconds)
    }

    @Test func summaryCountsOverlapsOnceAndTalliesPerOutcome() {
        let fetches = [
            Self.fetch(10, 1, .hit),                        // alone: 1 s
            Self.fetch(0, 4, .miss, bytes: 1000, upstream: 1000),  // 0…4
            Self.fetch(2, 5, .coalesced, bytes: 1000),      // 2…7 overlaps → 0…7
        ]
        let section = TaskFetches(summarising: fetches)
        #expect(section.objects == 3)
        #expect(section.bytes == 2100)
        #expect(section.upstreamBytes == 1000)
        #expect(abs(section.seconds - 8) < 1e-9)
        #expect(section.byOutcome[.miss] == FetchTally(objects: 1, bytes: 1000, seconds: 4))
        #expect(section.byOutcome[.coalesced]?.seconds == 5)
        #expect(section.byOutcome[.peer] == nil)
        #expect(section.items.map(\.outcome) == [.miss, .coalesced, .hit])
        #expect(section.itemsOmitted == 0)
    }

    @Test func listIsBoundedButTotalsCountEverything() {
        let fetches = (0..<7).map { Self.fetch(Double($0) * 2, 1, .hit) }
        let section = TaskFetches(summarising: fetches, limit: 5)
        #expect(section.items.count == 5)
        #expect(section.itemsOmitted == 2)
        #expect(section.objects == 7)
        #expect(abs(section.seconds - 7) < 1e-9)
    }

    @Test func recordRoundTripsWithFetchesAndOmitsThemWhenAbsent() throws {
        var record = try TaskRecordTests.sampleRecord()
        #expect(try TaskRecordTests.json(record)["fetches"] == nil)
        record.fetches = TaskFetches(summarising: [
            Self.fetch(0, 2, .miss, bytes: 5, upstream: 5),
            FetchedObject(ref: "hf://openai/whisper-tiny@main", path: "model.bin", digest: "sha256:" + String(repeating: "cd", count: 32),
                          bytes: 9, upstreamBytes: 0, outcome: .peer, start: Self.t0, firstByteSeconds: 0.5, seconds: 1),
        ])
        let data = try record.encoded()
        let decoded = try TaskRecord.decode(data)
        #expect(try decoded.encoded() == data)
        let fetches = try #require(try TaskRecordTests.json(record)["fetches"] as? [String: Any])
        let byOutcome = try #require(fetches["byOutcome"] as? [String: Any])
        #expect(Set(byOutcome.keys) == ["miss", "peer"])
        let items = try #require(fetches["items"] as? [[String: Any]])
        let hf = try #require(items.first { ($0["ref"] as? String)?.hasPrefix("hf://") == true })
        #expect(hf["path"] as? String == "model.bin")
        #expect(hf["outcome"] as? String == "peer")
        #expect(hf["start"] as? String == "2026-11-29T15:04:05.000000Z")
    }

    @Test func rejectsAnUnknownOutcomeNamingIt() throws {
        var object = try TaskRecordTests.json(try TaskRecordTests.sampleRecord())
        object["fetches"] = ["objects": 1, "bytes": 1, "seconds": 1, "byOutcome": ["stolen": ["objects": 1, "bytes": 1, "seconds": 1]]]
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: RunModelError.self) { try TaskRecord.decode(data) }
        do {
            _ = try TaskRecord.decode(data)
        } catch let error as RunModelError {
            #expect(String(describing: error).contains("stolen"))
        }
    }
}
