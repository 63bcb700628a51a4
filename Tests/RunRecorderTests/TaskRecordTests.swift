import Foundation
import RunModel
import Testing

@Suite struct TaskRecordTests {
    static func sampleRecord() throws -> TaskRecord {
        try TaskRecord(
            identity: TaskIdentity(pathspec: "SixMinVideos/1680000000/tiny/4", attempt: 1),
            input: ["video": "a.mp4", "lang": "en"],
            node: NodeDescription(name: "node-a", cpuCount: 16, memoryBytes: 64 << 30),
            start: Date(timeIntervalSince1970: 1_795_964_645.123456),
            end: Date(timeIntervalSince1970: 1_795_964_945.654321),
            durationSeconds: 300.530865,
            exit: ExitOutcome(status: 0),
            requests: ResourceAmounts(cpu: 1, memoryBytes: 4 << 30),
            limits: ResourceAmounts(cpu: nil, memoryBytes: 16 << 30),
            usage: ResourceUsage(
                cpuSeconds: 3900.1, avgCores: 12.98, p95Cores: 13.6, maxCores: 14.1,
                peakMemoryBytes: 12 << 30, cgroupMemoryPeakBytes: nil,
                samples: [UsageSample(t: 1, cores: 12.7, memoryBytes: 11 << 30), UsageSample(t: 2, cores: 13.1, memoryBytes: 12 << 30)],
                sampleIntervalSeconds: 1),
            throttling: CPUThrottling(nrPeriods: 3000, nrThrottled: 2900, throttledSeconds: 250.25),
            cpuPressureSomeAvg10: 41.3,
            nodeCPUBusyFraction: 0.97,
            artifacts: [ArtifactReference(name: "transcript", digest: "sha256:" + String(repeating: "ab", count: 32), size: 1234, mediaType: "text/plain")],
            command: ["python3", "flow.py", "step", "tiny"]
        )
    }

    static func json(_ record: TaskRecord) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: record.encoded()) as? [String: Any])
    }

    @Test func roundTripsThroughJSON() throws {
        let record = try Self.sampleRecord()
        let data = try record.encoded()
        let decoded = try TaskRecord.decode(data)
        #expect(try decoded.encoded() == data)
        #expect(abs(decoded.start.timeIntervalSince(record.start)) < 1e-6)
        var withOriginalDates = decoded
        withOriginalDates.start = record.start
        withOriginalDates.end = record.end
        #expect(withOriginalDates == record)
    }

    @Test func encodesTheDocumentedShape() throws {
        let object = try Self.json(Self.sampleRecord())
        #expect(object["schema"] as? String == "larder.task/v1")
        #expect(object["flow"] as? String == "SixMinVideos")
        #expect(object["task"] as? String == "4")
        #expect(object["attempt"] as? Int == 1)
        #expect(object["start"] as? String == "2026-11-29T15:04:05.123456Z")
        #expect(object["end"] as? String == "2026-11-29T15:09:05.654321Z")
        #expect((object["exit"] as? [String: Any])?["status"] as? Int == 0)
        #expect((object["exit"] as? [String: Any])?["signal"] == nil)
        #expect((object["limits"] as? [String: Any])?.keys.sorted() == ["memoryBytes"])
        let usage = try #require(object["usage"] as? [String: Any])
        #expect(Set(usage.keys) == ["cpuSeconds", "avgCores", "p95Cores", "maxCores", "peakMemoryBytes", "samples", "sampleIntervalSeconds"])
        let sample = try #require((usage["samples"] as? [[String: Any]])?.first)
        #expect(Set(sample.keys) == ["t", "cores", "memoryBytes"])
        #expect(Set((object["throttling"] as? [String: Any])?.keys.map { $0 } ?? []) == ["nrPeriods", "nrThrottled", "throttledSeconds"])
        #expect(object["nodeCPUBusyFraction"] as? Double == 0.97)
        #expect(((object["artifacts"] as? [[String: Any]])?.first?["digest"] as? String)?.hasPrefix("sha256:") == true)
    }

    @Test func encodingIsStableAndSorted() throws {
        let record = try Self.sampleRecord()
        let first = try record.encoded()
        #expect(try record.encoded() == first)
        let text = String(decoding: first, as: UTF8.self)
        let artifacts = try #require(text.range(of: "\"artifacts\""))
        let command = try #require(text.range(of: "\"command\""))
        let schema = try #require(text.range(of: "\"schema\""))
        #expect(artifacts.lowerBound < command.lowerBound)
        #expect(command.lowerBound < schema.lowerBound)
    }

    @Test func omitsUnknownOptionalFields() throws {
        var record = try Self.sampleRecord()
        record.throttling = nil
        record.cpuPressureSomeAvg10 = nil
        record.nodeCPUBusyFraction = nil
        record.exit = ExitOutcome(signal: 9)
        let object = try Self.json(record)
        #expect(object["throttling"] == nil)
        #expect(object["cpuPressureSomeAvg10"] == nil)
        #expect(object["nodeCPUBusyFraction"] == nil)
        #expect((object["exit"] as? [String: Any])?["signal"] as? Int == 9)
        #expect(try TaskRecord.decode(record.encoded()).exit.shellStatus == 137)
    }

    static func replacingSchema(with schema: String?) throws -> Data {
        var object = try json(sampleRecord())
        object["schema"] = schema
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test(arguments: ["larder.task/v2", "larder.task/v0", "larder.task/vx", "other.task/v1", "larder.task/v10"])
    func rejectsOtherSchemas(schema: String) throws {
        let data = try Self.replacingSchema(with: schema)
        do {
            _ = try TaskRecord.decode(data)
            Issue.record("schema \(schema) was accepted")
        } catch let error as RunModelError {
            guard case .unsupportedSchema(let found, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(found == schema)
            #expect(error.description.contains("this build reads larder.task/v1"))
        }
    }

    @Test func acceptsMinorVersionsAndUnknownKeys() throws {
        var object = try Self.json(Self.sampleRecord())
        object["schema"] = "larder.task/v1.3"
        object["futureField"] = ["nested": true]
        let decoded = try TaskRecord.decode(JSONSerialization.data(withJSONObject: object))
        #expect(decoded.identity.flow == "SixMinVideos")
    }

    @Test func reportsMissingSchemaAndBadFields() throws {
        #expect(throws: RunModelError.invalidRecord(reason: "missing \"schema\" (expected \"larder.task/v1\")")) {
            try TaskRecord.decode(Self.replacingSchema(with: nil))
        }
        var object = try Self.json(Self.sampleRecord())
        object["start"] = "yesterday"
        #expect(throws: RunModelError.self) { try TaskRecord.decode(JSONSerialization.data(withJSONObject: object)) }
        object = try Self.json(Self.sampleRecord())
        object["usage"] = nil
        do {
            _ = try TaskRecord.decode(JSONSerialization.data(withJSONObject: object))
            Issue.record("record without usage was accepted")
        } catch {
            #expect("\(error)" == "invalid task record: missing \"usage\"")
        }
        object = try Self.json(Self.sampleRecord())
        object["run"] = "../etc"
        #expect(throws: RunModelError.self) { try TaskRecord.decode(JSONSerialization.data(withJSONObject: object)) }
        #expect(throws: RunModelError.self) { try TaskRecord.decode(Data("not json".utf8)) }
    }
}

@Suite struct RFC3339TimestampTests {
    @Test func formatsWithMicrosecondsInUTC() {
        #expect(RFC3339Timestamp.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC3339Timestamp.string(from: Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
        #expect(RFC3339Timestamp.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000000Z")
        #expect(RFC3339Timestamp.string(from: Date(timeIntervalSince1970: 1_795_964_645.9999996)) == "2026-11-29T15:04:06.000000Z")
    }

    @Test func parsesWhatItFormatsAndOffsets() throws {
        let text = "2026-11-29T15:04:05.123456Z"
        let date = try #require(RFC3339Timestamp.date(from: text))
        #expect(RFC3339Timestamp.string(from: date) == text)
        let offset = try #require(RFC3339Timestamp.date(from: "2026-11-29T17:04:05.123456+02:00"))
        #expect(abs(offset.timeIntervalSince(date)) < 1e-6)
        let noFraction = try #require(RFC3339Timestamp.date(from: "2026-11-29T15:04:05Z"))
        #expect(noFraction.timeIntervalSince1970 == 1_795_964_645)
        #expect(RFC3339Timestamp.date(from: "2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["", "2026-11-29", "2026-11-29 15:04:05Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                      "2026-11-29T24:00:00Z", "2026-11-29T15:04:05", "2026-11-29T15:04:05.Z", "2026-11-29T15:04:05Zjunk"])
    func rejectsMalformedTimestamps(text: String) {
        #expect(RFC3339Timestamp.date(from: text) == nil)
    }
}
