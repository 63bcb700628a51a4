import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Synchronization
import Testing
import Upstream

/// `kill -9` of a real `larder serve` at four moments, then a restart on the same directory. The store-level
/// version of this (a writer process killed mid-blob, reopened in-process) is `CrashRecoveryTests` in
/// LarderStoreTests; these go through HTTP and the whole server.
extension FaultSuite {
    @Suite("kill -9 and restart: nothing partial visible, nothing acknowledged lost")
    struct KillRecovery {
        static let arguments = ["--allow-upstream", "127.0.0.1", "--chunk-size", "256KiB"]

        @Test("during a large fill: the partial blob is invisible and the fill completes on retry")
        func duringFill() async throws {
            let tally = FaultTally("kill -9 during a 24 MiB fill")
            defer { tally.finish() }
            let large = seededBytes(24 << 20, seed: 101)
            let digest = BlobDigest(hashing: large)
            let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: ["large.bin": large])
            defer { upstream.stop() }
            let directory = try FaultDirectory("fill")
            defer { directory.remove() }

            var server = try await directory.serve(Self.arguments)
            let seeded = try await Acknowledged.seed(server, count: 4, size: 300_000, seed: 1, flow: "KillFill", tally: tally)
            let source = upstream.url("/slow/large.bin?rate=3000000")
            let query = "/fetch?url=\(queryValue(source))&sha256=\(digest.hex)"
            let fetch = server.url + query
            let reader = Task { await get(fetch) }
            let started = await eventually(timeout: .seconds(30)) { (await server.metric("larder_upstream_bytes_total") ?? 0) >= Double(4 << 20) }
            #expect(started, "the fill never got going")
            server.child.kill()
            tally.fault()
            let broken = await reader.value
            tally.request()
            #expect(!broken.complete || broken.status != 200, "a response completed although its server was killed")
            if broken.body.count > 0 { _ = check(broken, is: large, tally: tally) }

            #expect(try await directory.verifyOffline() == seeded.blobs.count)
            server = try await directory.serve(Self.arguments)
            defer { server.kill() }
            let partial = await get("\(server.url)/blobs/\(digest)")
            tally.request()
            #expect(partial.status == 404, "the interrupted blob is visible: \(partial.status)")
            #expect(await server.storeStatistic("reservedBytes") == 0, "the interrupted fill still holds a reservation")
            #expect(await server.storeStatistic("blobCount") == Int64(seeded.blobs.count))
            await seeded.check(on: server, tally: tally)
            let retry = await get(server.url + query.replacingOccurrences(of: "rate%3D3000000", with: "rate%3D50000000"))
            expectCorrect(retry, is: large, tally: tally, "the retried fill: \(retry.status) \(retry.error ?? "")")
            let hit = await get("\(server.url)/blobs/\(digest)")
            expectCorrect(hit, is: large, tally: tally)
        }

        @Test("during an artifact upload: the artifact is absent, the records are there, a retry stores it")
        func duringArtifactUpload() async throws {
            let tally = FaultTally("kill -9 during an artifact upload")
            defer { tally.finish() }
            let directory = try FaultDirectory("artifact")
            defer { directory.remove() }
            var server = try await directory.serve(Self.arguments)
            let seeded = try await Acknowledged.seed(server, count: 4, size: 200_000, seed: 2, flow: "KillArtifact", tally: tally)
            let artifact = seededBytes(12 << 20, seed: 202)
            let path = "/runs/KillArtifact/seed/train/t0/artifacts/model.bin"
            let baseline = await server.storeStatistic("databaseFileBytes") ?? 0
            let connection = try RawConnection(port: server.port)
            try connection.write(Array("PUT \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(artifact.count)\r\n\r\n".utf8))
            try connection.write(Array(artifact[..<(6 << 20)]))
            tally.request()
            let committed = await eventually(timeout: .seconds(30)) {
                (await server.storeStatistic("databaseFileBytes") ?? 0) >= baseline + (3 << 20)
            }
            #expect(committed, "the upload's chunks never reached the database")
            server.child.kill()
            tally.fault()
            connection.close()

            #expect(try await directory.verifyOffline() == seeded.blobs.count)
            server = try await directory.serve(Self.arguments)
            defer { server.kill() }
            let missing = await get(server.url + path)
            tally.request()
            #expect(missing.status == 404, "a half-uploaded artifact is visible: \(missing.status)")
            #expect(await server.storeStatistic("reservedBytes") == 0)
            await seeded.check(on: server, tally: tally)
            let retry = await put(server.url + path, artifact)
            tally.request()
            #expect(retry.status == 201, "\(retry.status) \(retry.text.prefix(200))")
            expectCorrect(await get(server.url + path), is: artifact, tally: tally)
        }

        @Test("during eviction: pinned blobs and records survive, every acknowledged blob is whole or evicted")
        func duringEviction() async throws {
            let tally = FaultTally("kill -9 during eviction")
            defer { tally.finish() }
            let directory = try FaultDirectory("evict")
            defer { directory.remove() }
            let arguments = Self.arguments + ["--max-size", "8MiB"]
            var server = try await directory.serve(arguments)
            let pinned = try await Acknowledged.seed(server, count: 3, size: 1 << 20, seed: 3, flow: "KillEvict", tally: tally)
            for blob in pinned.blobs {
                let reply = await send(UpstreamRequest(url: "\(server.url)/blobs/\(blob.digest)/pin", method: .put))
                tally.request()
                try #require((200..<300).contains(reply.status), "pin: \(reply.status) \(reply.text)")
            }
            // Unpinned 1 MiB uploads, four at a time, overflow the 8 MiB limit again and again: each publish evicts.
            let unpinned = Shared<[(BlobDigest, [UInt8])]>([])
            let url = server.url
            let uploads = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            for round in 0..<1000 where !Task.isCancelled {
                                let bytes = seededBytes(1 << 20, seed: 10_000 + UInt64(worker * 1000 + round))
                                let digest = BlobDigest(hashing: bytes)
                                let reply = await put("\(url)/blobs/\(digest)", bytes)
                                tally.request()
                                if reply.status == 201 { unpinned.withLock { $0.append((digest, bytes)) } }
                                if reply.status == 0 { return }
                            }
                        }
                    }
                }
            }
            let evicting = await eventually(timeout: .seconds(60)) { (await server.storeStatistic("evictions") ?? 0) >= 6 }
            #expect(evicting, "no eviction happened")
            server.child.kill()
            tally.fault()
            uploads.cancel()
            await uploads.value

            _ = try await directory.verifyOffline(maxSize: "8MiB")
            server = try await directory.serve(arguments)
            defer { server.kill() }
            await pinned.check(on: server, tally: tally)
            var present = 0
            for (digest, bytes) in unpinned.withLock({ $0 }) {
                let reply = await get("\(server.url)/blobs/\(digest)")
                if reply.status == 404 { tally.request(); continue }   // evicted: allowed for unpinned data
                present += 1
                expectCorrect(reply, is: bytes, tally: tally, "\(digest): \(reply.status)")
            }
            #expect(present >= 1, "the newest uploads should still be there")
            #expect((await server.storeStatistic("storedBytes") ?? .max) <= 8 << 20)
        }

        @Test("during group commits: every acknowledged record and blob is there after the restart")
        func duringGroupCommit() async throws {
            let tally = FaultTally("kill -9 during group commits")
            defer { tally.finish() }
            let directory = try FaultDirectory("commit")
            defer { directory.remove() }
            var server = try await directory.serve(Self.arguments)
            let acknowledged = Shared(Acknowledged())
            let url = server.url
            let writers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<16 {
                        group.addTask {
                            for round in 0..<10_000 where !Task.isCancelled {
                                let task = "w\(worker)r\(round)"
                                guard let record = try? faultRecord(flow: "KillCommit", run: "r\(worker)", task: task),
                                      let reply = try? await putRecord(url, record) else { return }
                                tally.request()
                                if reply.status == 201 { acknowledged.withLock { $0.records.append(("KillCommit", "r\(worker)", task)) } }
                                let bytes = seededBytes(20_000, seed: 50_000 + UInt64(worker * 10_000 + round))
                                let digest = BlobDigest(hashing: bytes)
                                let stored = await put("\(url)/blobs/\(digest)", bytes)
                                tally.request()
                                if stored.status == 201 { acknowledged.withLock { $0.blobs.append((digest, bytes)) } }
                                if reply.status == 0 || stored.status == 0 { return }
                            }
                        }
                    }
                }
            }
            let busy = await eventually(timeout: .seconds(60)) { acknowledged.withLock { $0.records.count } >= 100 }
            #expect(busy, "the writers never got going")
            server.child.kill()
            tally.fault()
            writers.cancel()
            await writers.value

            let written = acknowledged.withLock { $0 }
            #expect(try await directory.verifyOffline() >= written.blobs.count)
            server = try await directory.serve(Self.arguments)
            defer { server.kill() }
            await written.check(on: server, tally: tally)
        }
    }
}
