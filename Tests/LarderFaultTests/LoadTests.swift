import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Synchronization
import Testing
import RunModel
import Upstream

/// Memory and descriptors of a process, from `/proc`.
struct ProcessFootprint: CustomStringConvertible {
    var residentBytes: Int64
    var peakResidentBytes: Int64
    var openDescriptors: Int

    init(pid: Int32) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kilobytes(_ field: String) -> Int64 {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return -1 }
            return (Int64(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1) * 1024
        }
        residentBytes = kilobytes("VmRSS")
        peakResidentBytes = kilobytes("VmHWM")
        openDescriptors = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    var description: String {
        "RSS \(residentBytes >> 20) MiB (peak \(peakResidentBytes >> 20) MiB), \(openDescriptors) fds"
    }
}

extension FaultSuite {
    @Suite("Load: 64 clients mixing every kind of request")
    struct Load {
        /// What the load's clients share: the server, the upstream and the truth of every object.
        struct World: Sendable {
            var server: String
            var upstream: UpstreamFixture
            var stored: [(BlobDigest, [UInt8])]
            var files: [(String, [UInt8])]
        }

        /// Status counts across the load.
        final class Outcomes: Sendable {
            let serverErrors = Mutex<[String]>([])
            let statuses = Mutex<[Int: Int]>([:])

            func note(_ reply: Reply, _ what: String) {
                statuses.withLock { $0[reply.status, default: 0] += 1 }
                if reply.status >= 500 || reply.status == 0 {
                    serverErrors.withLock { $0.append("\(what): \(reply.status) \(reply.error ?? "") \(reply.text.prefix(120))") }
                }
            }
        }

        @Test("64 clients for LARDER_FAULT_LOAD_SECONDS (default 20): no 5xx, every byte checked, RSS and fds bounded")
        func mixedLoad() async throws {
            let tally = FaultTally("64-client mixed load")
            defer { tally.finish() }
            let seconds = Int(ProcessInfo.processInfo.environment["LARDER_FAULT_LOAD_SECONDS"] ?? "") ?? 20
            var files: [String: [UInt8]] = [:]
            for index in 0..<16 { files["f\(index).bin"] = seededBytes(64 * 1024 + index * 4096, seed: 1200 + UInt64(index)) }
            let upstream = try await UpstreamFixture.start(bigSize: 2 << 20, extraFiles: files)
            defer { upstream.stop() }
            let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1", "--chunk-size", "256KiB"])
            defer { server.kill() }
            var stored: [(BlobDigest, [UInt8])] = []
            for index in 0..<8 {
                let bytes = seededBytes(200_000 * (index + 1), seed: 1300 + UInt64(index))
                let digest = BlobDigest(hashing: bytes)
                tally.request()
                try #require(await put("\(server.url)/blobs/\(digest)", bytes).status == 201)
                stored.append((digest, bytes))
            }
            let world = World(server: server.url, upstream: upstream, stored: stored, files: files.sorted { $0.key < $1.key })
            #expect(await server.isHealthy())
            let before = ProcessFootprint(pid: server.pid)
            let outcomes = Outcomes()
            let deadline = ContinuousClock.now + .seconds(seconds)
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<64 {
                    group.addTask {
                        var generator = FuzzGenerator(state: UInt64(client) &* 7919)
                        var round = 0
                        while ContinuousClock.now < deadline {
                            await Self.step(client: client, round: round, world: world, generator: &generator, tally: tally, outcomes: outcomes)
                            round += 1
                        }
                    }
                }
            }
            let peak = ProcessFootprint(pid: server.pid)
            // Connections close as their clients finish; give the server a moment to notice, then compare.
            var after = ProcessFootprint(pid: server.pid)
            _ = await eventually(timeout: .seconds(15), interval: .milliseconds(200)) {
                after = ProcessFootprint(pid: server.pid)
                return after.openDescriptors <= before.openDescriptors + 8
            }
            let errors = outcomes.serverErrors.withLock { $0 }
            print("load: \(seconds) s, 64 clients, \(tally.snapshot.requests) requests, statuses \(outcomes.statuses.withLock { $0 }.sorted { $0.key < $1.key })")
            print("load: before \(before); at the end \(peak); after \(after)")
            #expect(errors.isEmpty, "\(errors.count) server errors, first: \(errors.prefix(5))")
            #expect(after.openDescriptors <= before.openDescriptors + 8, "descriptors grew: \(before) → \(after)")
            #expect(peak.peakResidentBytes < 512 << 20, "peak RSS \(peak)")
            #expect(after.residentBytes < before.residentBytes + (256 << 20), "RSS grew: \(before) → \(after)")
            #expect(await server.isHealthy())
        }

        /// One request of a client, chosen by its generator: 30 % hits, 15 % Range reads, 10 % coalesced misses,
        /// 10 % distinct misses, 15 % upload + read back + delete, 20 % run records.
        static func step(client: Int, round: Int, world: World, generator: inout FuzzGenerator, tally: FaultTally,
                         outcomes: Outcomes) async {
            let choice = generator.next() % 100
            switch choice {
            case 0..<45: await read(ranged: choice >= 30, world: world, generator: &generator, tally: tally, outcomes: outcomes)
            case 45..<65: await miss(coalesced: choice < 55, client: client, round: round, world: world, generator: &generator,
                                     tally: tally, outcomes: outcomes)
            case 65..<80: await uploadReadDelete(world: world, generator: &generator, tally: tally, outcomes: outcomes)
            default: await record(client: client, round: round, world: world, tally: tally, outcomes: outcomes)
            }
        }

        /// A hit on a stored blob, whole or a random Range.
        static func read(ranged: Bool, world: World, generator: inout FuzzGenerator, tally: FaultTally, outcomes: Outcomes) async {
            let (digest, bytes) = world.stored[Int(generator.next() % UInt64(world.stored.count))]
            guard ranged else {
                let reply = await get("\(world.server)/blobs/\(digest)")
                outcomes.note(reply, "hit")
                expectCorrect(reply, is: bytes, tally: tally, "hit \(digest)")
                return
            }
            let start = Int(generator.next() % UInt64(bytes.count))
            let end = min(bytes.count - 1, start + Int(generator.next() % 300_000))
            let reply = await get("\(world.server)/blobs/\(digest)", headers: [("Range", "bytes=\(start)-\(end)")])
            outcomes.note(reply, "range")
            #expect(reply.status == 206, "range \(start)-\(end): \(reply.status)")
            expectCorrect(reply, is: Array(bytes[start...end]), tally: tally, "range \(start)-\(end)")
        }

        /// A cold miss: of the same object for every client that asks in the same second (they coalesce), or of a
        /// different object each time.
        static func miss(coalesced: Bool, client: Int, round: Int, world: World, generator: inout FuzzGenerator,
                         tally: FaultTally, outcomes: Outcomes) async {
            if coalesced {
                let url = world.upstream.url("/files/big.bin?epoch=\(Int(Date().timeIntervalSince1970))")
                let reply = await get("\(world.server)/fetch?url=\(queryValue(url))")
                outcomes.note(reply, "coalesced miss")
                expectCorrect(reply, is: world.upstream.big, tally: tally, "miss \(url)")
                return
            }
            let (name, bytes) = world.files[Int(generator.next() % UInt64(world.files.count))]
            let url = world.upstream.url("/files/\(name)?c=\(client)&r=\(round)")
            let reply = await get("\(world.server)/fetch?url=\(queryValue(url))&sha256=\(BlobDigest(hashing: bytes).hex)")
            outcomes.note(reply, "miss")
            expectCorrect(reply, is: bytes, tally: tally, "miss \(url)")
        }

        /// Upload, read back, delete.
        static func uploadReadDelete(world: World, generator: inout FuzzGenerator, tally: FaultTally, outcomes: Outcomes) async {
            let bytes = seededBytes(Int(generator.next() % 200_000) + 1, seed: generator.next())
            let digest = BlobDigest(hashing: bytes)
            let stored = await put("\(world.server)/blobs/\(digest)", bytes)
            outcomes.note(stored, "upload")
            tally.request()
            #expect(stored.status == 201, "upload: \(stored.status)")
            let reply = await get("\(world.server)/blobs/\(digest)")
            outcomes.note(reply, "read back")
            if reply.status == 404 { tally.lost() }
            expectCorrect(reply, is: bytes, tally: tally, "read back \(digest)")
            let deleted = await send(UpstreamRequest(url: "\(world.server)/blobs/\(digest)", method: .delete))
            outcomes.note(deleted, "delete")
            tally.request()
            #expect(deleted.status == 204 || deleted.status == 404, "delete: \(deleted.status)")
        }

        /// A run record, read back.
        static func record(client: Int, round: Int, world: World, tally: FaultTally, outcomes: Outcomes) async {
            guard let record = try? faultRecord(flow: "Load", run: "c\(client)", task: "r\(round)"),
                  let stored = try? await putRecord(world.server, record) else { return }
            outcomes.note(stored, "record")
            tally.request()
            #expect(stored.status == 201, "record: \(stored.status)")
            let reply = await get("\(world.server)/runs/Load/c\(client)/train/r\(round)/record")
            outcomes.note(reply, "record read")
            tally.request()
            if reply.status != 200 { tally.lost() }
            let back = try? TaskRecord.decode(Data(reply.body))
            #expect(back?.identity == record.identity, "record read back: \(reply.status)")
            if back != nil { tally.verified(reply.body.count) }
        }
    }
}
