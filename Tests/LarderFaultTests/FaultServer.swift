import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

/// A data directory that outlives the `larder serve` processes a scenario kills and restarts.
struct FaultDirectory {
    let path: String

    init(_ name: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("larder-fault-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Starts `larder serve` on this directory.
    func serve(_ arguments: [String] = []) async throws -> LarderServeProcess {
        try await LarderServeProcess.start(directory: path, extraArguments: arguments)
    }

    /// Runs `larder verify --data <dir> --json` (the server must be stopped: it holds the directory's lock) and
    /// returns the number of blobs verified; records a failure when any blob is corrupt.
    func verifyOffline(maxSize: String = "1GiB", sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int {
        let outcome = try await ProcessRunner.run(BuiltExecutable.larder, ["verify", "--data", path, "--max-size", maxSize, "--json"],
                                                  timeout: .seconds(120))
        #expect(outcome.status == 0, "larder verify found corrupt blobs: \(outcome.stdout) \(outcome.stderr)", sourceLocation: sourceLocation)
        let report = try? JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let corrupt = report?["corrupt"] as? [Any] ?? []
        #expect(corrupt.isEmpty, "corrupt blobs: \(corrupt)", sourceLocation: sourceLocation)
        return (report?["verified"] as? NSNumber)?.intValue ?? -1
    }
}

/// Blobs and run records a scenario stored, and acknowledged, before its fault: all must survive it.
struct Acknowledged: Sendable {
    var blobs: [(digest: BlobDigest, bytes: [UInt8])] = []
    var records: [(flow: String, run: String, task: String)] = []

    /// Uploads `count` blobs of `size` bytes and `count` run records; each must be acknowledged (201).
    static func seed(_ server: LarderServeProcess, count: Int, size: Int, seed: UInt64, flow: String,
                     tally: FaultTally) async throws -> Acknowledged {
        var seeded = Acknowledged()
        for index in 0..<count {
            let bytes = seededBytes(size, seed: seed &+ UInt64(index))
            let digest = BlobDigest(hashing: bytes)
            let reply = await put("\(server.url)/blobs/\(digest)", bytes)
            tally.request()
            try #require(reply.status == 201, "seeding blob \(index): \(reply.status) \(reply.text.prefix(200))")
            seeded.blobs.append((digest, bytes))
            let record = try faultRecord(flow: flow, run: "seed", task: "t\(index)")
            let stored = try await putRecord(server.url, record)
            tally.request()
            try #require(stored.status == 201, "seeding record \(index): \(stored.status) \(stored.text.prefix(200))")
            seeded.records.append((flow, "seed", "t\(index)"))
        }
        return seeded
    }

    /// Reads every blob and record back from `server`: a missing one counts as data lost, a wrong byte as wrong.
    func check(on server: LarderServeProcess, tally: FaultTally, sourceLocation: SourceLocation = #_sourceLocation) async {
        for blob in blobs {
            let reply = await get("\(server.url)/blobs/\(blob.digest)")
            if reply.status == 404 { tally.lost() }
            expectCorrect(reply, is: blob.bytes, tally: tally, "blob \(blob.digest): \(reply.status)", sourceLocation: sourceLocation)
        }
        for record in records {
            let reply = await get("\(server.url)/runs/\(record.flow)/\(record.run)/train/\(record.task)/record")
            tally.request()
            if reply.status != 200 { tally.lost() }
            #expect(reply.status == 200, "record \(record.flow)/\(record.run)/\(record.task): \(reply.status)", sourceLocation: sourceLocation)
        }
    }
}

extension LarderServeProcess {
    /// The value of the Prometheus sample `name` (with its labels) on `/metrics`, or nil.
    func metric(_ name: String) async -> Double? {
        let reply = await get(url + "/metrics")
        guard reply.status == 200 else { return nil }
        for line in reply.text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}

/// `text` percent-encoded for a query parameter value.
func queryValue(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
}
