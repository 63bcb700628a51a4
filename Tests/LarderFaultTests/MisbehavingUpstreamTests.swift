import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

/// `Fixtures/faulty_upstream.py` (beside this file): an upstream that drops, stalls and lies.
final class FaultyUpstream: Sendable {
    let process: FixtureProcess
    let root: String

    private init(process: FixtureProcess, root: String) {
        self.process = process
        self.root = root
    }

    /// Writes `files` to a fresh folder and starts the fixture serving it.
    static func start(files: [String: [UInt8]]) async throws -> FaultyUpstream {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("larder-faulty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + name)) }
        let process = try await FixtureProcess.launchPython([FixtureProcess.script("faulty_upstream.py", besides: #filePath), "--root", root],
                                                            port: .firstLine)
        return FaultyUpstream(process: process, root: root)
    }

    func url(_ path: String) -> String { process.url + path }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}

extension FaultSuite {
    @Suite("A misbehaving upstream: correct bytes or a clear error, never wrong bytes, nothing corrupt stored")
    struct MisbehavingUpstream {
        /// How a mode may end: with the right bytes, or with a clear error; and whether Larder can tell without a
        /// digest (a body that looks complete but is not the file cannot be told from the file without one).
        struct Mode: Sendable, CustomStringConvertible {
            var path: String
            var detectableWithoutDigest: Bool
            var description: String { path }
        }

        static let modes: [Mode] = [
            Mode(path: "/good/model.bin", detectableWithoutDigest: true),
            Mode(path: "/drop/model.bin?seed=1", detectableWithoutDigest: true),
            Mode(path: "/drop/model.bin?seed=2", detectableWithoutDigest: true),
            Mode(path: "/drop/model.bin?seed=3", detectableWithoutDigest: true),
            Mode(path: "/drop/model.bin?seed=4", detectableWithoutDigest: true),
            Mode(path: "/stall/model.bin?after=100000", detectableWithoutDigest: true),
            Mode(path: "/wrong/model.bin", detectableWithoutDigest: false),
            Mode(path: "/short-cl/model.bin", detectableWithoutDigest: true),
            Mode(path: "/short-eof/model.bin", detectableWithoutDigest: false),
            Mode(path: "/long-cl/model.bin", detectableWithoutDigest: false),
            Mode(path: "/range-ignored/model.bin", detectableWithoutDigest: true),
            Mode(path: "/range-lies/model.bin", detectableWithoutDigest: false),
        ]

        @Test("every fault, with and without a known digest")
        func faults() async throws {
            let tally = FaultTally("misbehaving upstream")
            defer { tally.finish() }
            let truth = seededBytes(3 << 20, seed: 77)
            let digest = BlobDigest(hashing: truth)
            let upstream = try await FaultyUpstream.start(files: ["model.bin": truth])
            defer { upstream.stop() }
            let server = try await LarderServeProcess.start(extraArguments: [
                "--allow-upstream", "127.0.0.1", "--chunk-size", "256KiB", "--upstream-stall-timeout", "2",
            ])
            defer { server.kill() }

            for mode in Self.modes {
                for withDigest in [true, false] where withDigest || mode.detectableWithoutDigest {
                    // A query parameter makes each URL (and so each fill) new.
                    let source = upstream.url(mode.path) + (mode.path.contains("?") ? "&" : "?") + "d=\(withDigest)"
                    var fetch = "\(server.url)/fetch?url=\(queryValue(source))"
                    if withDigest { fetch += "&sha256=\(digest.hex)" }
                    let started = ContinuousClock.now
                    let reply = await get(fetch)
                    print("misbehaving upstream: \(mode) digest=\(withDigest): \(reply.status) \(reply.body.count) bytes, complete \(reply.complete), prefix ok \(Array(truth.prefix(reply.body.count)) == reply.body) \(reply.error ?? "")")
                    if mode.path.hasPrefix("/good") {
                        expectCorrect(reply, is: truth, tally: tally, "\(mode) digest=\(withDigest): \(reply.status)")
                    } else {
                        tally.fault()
                        let good = check(reply, is: truth, tally: tally)
                        if !good {
                            // A clear error: a 4xx/5xx with a JSON body, or a body cut short.
                            let clear = (reply.status >= 400 && reply.errorCode != nil) || !reply.complete
                            #expect(clear, "\(mode) digest=\(withDigest): \(reply.status) \(reply.text.prefix(200))")
                        }
                    }
                    #expect(ContinuousClock.now - started < .seconds(60), "\(mode) took \(ContinuousClock.now - started)")
                    try await Self.expectNothingWrongStored(server, source: source, truth: truth, tally: tally, context: "\(mode)")
                    // The digest the content must have holds nothing but the truth, whatever happened.
                    if withDigest {
                        let stored = await get("\(server.url)/blobs/\(digest)")
                        tally.request()
                        if stored.status != 404 { expectCorrect(stored, is: truth, tally: tally, "\(mode)") }
                        _ = await send(UpstreamRequest(url: "\(server.url)/blobs/\(digest)", method: .delete))
                    }
                }
            }
            #expect(await server.isHealthy())
        }

        @Test("a redirect to 169.254.169.254 is refused with 403 and never followed")
        func metadataRedirect() async throws {
            let tally = FaultTally("redirect to 169.254.169.254")
            defer { tally.finish() }
            let truth = seededBytes(10_000, seed: 5)
            let upstream = try await FaultyUpstream.start(files: ["model.bin": truth])
            defer { upstream.stop() }
            let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1"])
            defer { server.kill() }
            for withDigest in [false, true] {
                var fetch = "\(server.url)/fetch?url=\(queryValue(upstream.url("/redirect-metadata/model.bin")))"
                if withDigest { fetch += "&sha256=\(BlobDigest(hashing: truth).hex)" }
                let reply = await get(fetch)
                tally.fault()
                tally.request()
                #expect(reply.status == 403, "\(reply.status) \(reply.text.prefix(200))")
                #expect(reply.errorCode == "redirect_not_allowed", "\(reply.text.prefix(200))")
                #expect(reply.text.contains("169.254.169.254"))
            }
            let listing = await get(server.url + "/blobs")
            #expect(listing.text == "[]" || listing.text.contains("\"record\"") == false, "something was stored: \(listing.text.prefix(300))")
        }

        /// Every stored blob verifies (`/admin/verify`), and a blob filed under `source` is the truth.
        static func expectNothingWrongStored(_ server: LarderServeProcess, source: String, truth: [UInt8], tally: FaultTally,
                                             context: String) async throws {
            let verify = await send(UpstreamRequest(url: server.url + "/admin/verify", method: .post))
            tally.request()
            let report = try? JSONSerialization.jsonObject(with: Data(verify.body)) as? [String: Any]
            let corrupt = report?["corrupt"] as? [Any]
            #expect(verify.status == 200 && corrupt?.isEmpty == true, "\(context): \(verify.status) \(verify.text.prefix(300))")
            let listing = await get(server.url + "/blobs")
            tally.request()
            let entries = (try? JSONSerialization.jsonObject(with: Data(listing.body)) as? [[String: Any]]) ?? []
            let truthDigest = BlobDigest(hashing: truth).description
            for entry in entries {
                let refs = entry["refs"] as? [String] ?? []
                let record = entry["record"] as? [String: Any]
                let stored = record?["digest"] as? String ?? ""
                if refs.contains("url:" + source) && stored != truthDigest {
                    let size = (record?["size"] as? NSNumber)?.intValue ?? 0
                    tally.wrong(size)
                    Issue.record("\(context): \(source) is filed under \(stored) (\(size) bytes), not the upstream's file")
                }
            }
        }
    }
}
