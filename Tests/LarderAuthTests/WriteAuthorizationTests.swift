import Foundation
import LarderAPI
import LarderCore
import LarderServer
import LarderStore
import LarderTestSupport
import RunModel
import Testing
import Upstream

/// One mutation route, a request that exercises it, and the tokens that may and may not send it.
struct MutationCase: Sendable, CustomTestStringConvertible {
    /// Its pattern in ``MutationRoutes/expected``.
    let route: String
    /// `PUT`, `POST`, `DELETE` or `PATCH`.
    let method: String
    let path: String
    var body: [UInt8]? = nil
    var contentType: String? = nil
    /// The status of the request when it is allowed; nil: any answer but 401 and 403 (the route's own).
    let success: Int?
    /// A token with the right scope, and one whose scopes do not cover the route.
    let inScope: String
    let outOfScope: String
    /// Puts in place what the request acts on.
    var prepare: @Sendable (LarderTestServer) async throws -> Void = { _ in }
    /// Whether the store is as ``prepare`` left it (a refused request must change nothing).
    var unchanged: @Sendable (LarderTestServer) async throws -> Bool = { _ in true }

    var testDescription: String { route }

    /// Sends the request (libcurl; `PATCH` over a raw socket).
    func send(to server: LarderTestServer, token: String?, authorization: String? = nil) async throws -> Answer {
        guard let upstreamMethod = UpstreamMethod(rawValue: method) else {
            return try await sendRaw(method, port: server.port, path: path, token: token, authorization: authorization, body: body ?? [])
        }
        return try await LarderAuthTests.send(upstreamMethod, server.url(path), token: token, authorization: authorization,
                                              body: body, contentType: contentType)
    }

    static func blob(_ text: String) -> (bytes: [UInt8], digest: BlobDigest) {
        let bytes = Array(text.utf8)
        return (bytes, BlobDigest(hashing: bytes))
    }

    static func record(run: String) throws -> TaskRecord {
        try TaskRecord(
            identity: TaskIdentity(flow: "Nightly", run: run, step: "train", task: "1", attempt: 0), input: [:],
            node: NodeDescription(name: "node-a", cpuCount: 4, memoryBytes: 8 << 30),
            start: Date(timeIntervalSince1970: 1_780_000_000), end: Date(timeIntervalSince1970: 1_780_000_010),
            durationSeconds: 10, exit: ExitOutcome(status: 0),
            usage: ResourceUsage(cpuSeconds: 1, avgCores: 0.1, p95Cores: 0.2, maxCores: 0.3, peakMemoryBytes: 1 << 20,
                                 samples: [], sampleIntervalSeconds: 1),
            artifacts: [], command: ["true"])
    }

    /// One case per route of ``MutationRoutes/expected``.
    static let all: [MutationCase] = {
        let posted = blob("posted by POST /blobs")
        let put = blob("uploaded by PUT /blobs/<digest>")
        let pinned = blob("pinned and unpinned")
        let deleted = blob("deleted by DELETE /blobs/<digest>")
        let imported = blob("imported as a Hub file")
        let importBody = try? JSONEncoder().encode(HFImportRequest(
            repo: HFRepoID(type: .model, name: "local/imported"), revision: nil, branches: nil,
            files: [.init(path: "weights.txt", digest: imported.digest, size: Int64(imported.bytes.count))], pin: false))
        let recordBody = (try? MutationCase.record(run: "r2")).flatMap { try? $0.encoded() }
        return [
            MutationCase(route: "POST /blobs", method: "POST", path: "/blobs", body: posted.bytes, success: 201,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.warm,
                         unchanged: { try $0.store.record(posted.digest) == nil }),
            MutationCase(route: "PUT /blobs/{digest}", method: "PUT", path: "/blobs/\(put.digest)", body: put.bytes, success: 201,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.nightly,
                         unchanged: { try $0.store.record(put.digest) == nil }),
            MutationCase(route: "PUT /blobs/{digest}/pin", method: "PUT", path: "/blobs/\(pinned.digest)/pin", success: 200,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.admin,
                         prepare: { _ = try await $0.store.put(pinned.bytes) },
                         unchanged: { try $0.store.record(pinned.digest)?.pinned == false }),
            MutationCase(route: "DELETE /blobs/{digest}/pin", method: "DELETE", path: "/blobs/\(pinned.digest)/pin", success: 200,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.warm,
                         prepare: { server in
                             let stored = try await server.store.put(pinned.bytes)
                             _ = try await server.store.setPinned(stored.digest, true)
                         },
                         unchanged: { try $0.store.record(pinned.digest)?.pinned == true }),
            MutationCase(route: "DELETE /blobs/{digest}", method: "DELETE", path: "/blobs/\(deleted.digest)", success: 204,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.nightly,
                         prepare: { _ = try await $0.store.put(deleted.bytes) },
                         unchanged: { try $0.store.record(deleted.digest) != nil }),
            MutationCase(route: "DELETE /runs/{flow}/{run}", method: "DELETE", path: "/runs/Nightly/r1", success: 204,
                         inScope: TestTokens.nightly, outOfScope: TestTokens.other,
                         prepare: { try await $0.store.putTaskRecord(try MutationCase.record(run: "r1")) },
                         unchanged: { try !$0.store.taskRecords(flow: "Nightly", run: "r1").isEmpty }),
            MutationCase(route: "PUT /runs/{flow}/{run}/{step}/{task}/record", method: "PUT", path: "/runs/Nightly/r2/train/1/record",
                         body: recordBody.map(Array.init), contentType: "application/json", success: 201,
                         inScope: TestTokens.nightly, outOfScope: TestTokens.other,
                         unchanged: { try $0.store.taskRecords(flow: "Nightly", run: "r2").isEmpty }),
            MutationCase(route: "PUT /runs/{flow}/{run}/{step}/{task}/artifacts/{name}", method: "PUT",
                         path: "/runs/Nightly/r3/train/1/artifacts/log", body: Array("artifact".utf8), success: 201,
                         inScope: TestTokens.nightly, outOfScope: TestTokens.blobs,
                         unchanged: { try $0.store.artifact(flow: "Nightly", run: "r3", step: "train", task: "1", name: "log") == nil }),
            MutationCase(route: "POST /runs/{flow}/{run}/{step}/{task}/fetches", method: "POST", path: "/runs/Nightly/r4/train/1/fetches",
                         success: 201, inScope: TestTokens.nightly, outOfScope: TestTokens.other,
                         unchanged: { $0.services.attribution.count == 0 }),
            // An authorised collect with a token nobody registered reaches the route and gets its 404.
            MutationCase(route: "DELETE /runs/{flow}/{run}/{step}/{task}/fetches/{token}", method: "DELETE",
                         path: "/runs/Nightly/r4/train/1/fetches/" + String(repeating: "0", count: 32), success: nil,
                         inScope: TestTokens.nightly, outOfScope: TestTokens.blobs),
            MutationCase(route: "POST /warm", method: "POST", path: "/warm", body: Array(#"["hf://local/imported"]"#.utf8),
                         contentType: "application/json", success: 202, inScope: TestTokens.warm, outOfScope: TestTokens.blobs,
                         unchanged: { $0.services.hf.warmJobs.all.isEmpty }),
            MutationCase(route: "POST /admin/gc", method: "POST", path: "/admin/gc", success: 200,
                         inScope: TestTokens.admin, outOfScope: TestTokens.blobs),
            MutationCase(route: "POST /admin/verify", method: "POST", path: "/admin/verify", success: 200,
                         inScope: TestTokens.admin, outOfScope: TestTokens.nightly),
            // The OCI mirror is pull-only: an authorised push reaches it and gets its 405 (404 before it lands).
            MutationCase(route: "PUT /v2/**", method: "PUT", path: "/v2/library/busybox/manifests/latest", body: Array("{}".utf8),
                         success: nil, inScope: TestTokens.blobs, outOfScope: TestTokens.warm),
            MutationCase(route: "POST /v2/**", method: "POST", path: "/v2/library/busybox/blobs/uploads/", success: nil,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.admin),
            MutationCase(route: "PATCH /v2/**", method: "PATCH", path: "/v2/library/busybox/blobs/uploads/1", success: nil,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.nightly),
            MutationCase(route: "DELETE /v2/**", method: "DELETE", path: "/v2/library/busybox/manifests/latest", success: nil,
                         inScope: TestTokens.blobs, outOfScope: TestTokens.warm),
            MutationCase(route: "PUT /v2", method: "PUT", path: "/v2", success: nil, inScope: TestTokens.blobs, outOfScope: TestTokens.warm),
            MutationCase(route: "POST /v2", method: "POST", path: "/v2", success: nil, inScope: TestTokens.blobs, outOfScope: TestTokens.warm),
            MutationCase(route: "PATCH /v2", method: "PATCH", path: "/v2/", success: nil, inScope: TestTokens.blobs, outOfScope: TestTokens.warm),
            MutationCase(route: "DELETE /v2", method: "DELETE", path: "/v2", success: nil, inScope: TestTokens.blobs, outOfScope: TestTokens.warm),
            MutationCase(route: "DELETE /admin/oci/tags", method: "DELETE", path: "/admin/oci/tags?ref=oci://docker.io/library/busybox:latest",
                         success: nil, inScope: TestTokens.admin, outOfScope: TestTokens.blobs),
            MutationCase(route: "POST /hf/**", method: "POST", path: "/hf/_import", body: importBody.map(Array.init),
                         contentType: "application/json", success: 201, inScope: TestTokens.blobs, outOfScope: TestTokens.warm,
                         prepare: { _ = try await $0.store.put(imported.bytes) },
                         unchanged: { try $0.services.hf.catalog.branches(HFRepoID(type: .model, name: "local/imported")).isEmpty }),
        ]
    }()
}

@Suite("Write authorisation over HTTP: every mutation route without, with a wrong, an out-of-scope and a valid token")
struct WriteAuthorizationTests {
    static func startServer(tokenFile: String? = nil, readOnly: Bool = false) async throws -> LarderTestServer {
        try await LarderTestServer.start { configuration in
            configuration.core.writeAccess.tokenFile = tokenFile
            configuration.core.writeAccess.readOnly = readOnly
        }
    }

    @Test("the cases and the classification table name the same routes")
    func casesCoverRoutes() {
        #expect(Set(MutationCase.all.map(\.route)) == Set(MutationRoutes.expected.keys))
    }

    @Test("each mutation route: 401 without or with an unknown token, 403 out of scope, allowed in scope", arguments: MutationCase.all)
    func route(_ mutation: MutationCase) async throws {
        let tokenFile = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let server = try await Self.startServer(tokenFile: tokenFile)
        try await server.use {
            try await mutation.prepare(server)
            func attempt(token: String? = nil, authorization: String? = nil) async throws -> Answer {
                try await mutation.send(to: server, token: token, authorization: authorization)
            }
            let anonymous = try await attempt()
            #expect(anonymous.status == 401, "\(anonymous)")
            #expect(anonymous.errorCode == "token_required")
            #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer realm=\"larder\"") == true)
            #expect(anonymous.header("Content-Type") == "application/json")

            let basic = try await attempt(authorization: "Basic dXNlcjpwYXNz")
            #expect(basic.status == 401 && basic.errorCode == "token_required", "\(basic)")

            let unknown = try await attempt(token: TestTokens.unknown)
            #expect(unknown.status == 401, "\(unknown)")
            #expect(unknown.errorCode == "invalid_token")
            #expect(unknown.header("WWW-Authenticate")?.contains("error=\"invalid_token\"") == true)

            let outside = try await attempt(token: mutation.outOfScope)
            #expect(outside.status == 403, "\(outside)")
            #expect(outside.errorCode == "insufficient_scope")
            #expect(ErrorBody.parse(outside.body)?.message.contains("may not") == true)
            #expect(try await mutation.unchanged(server), "a refused request changed the store")

            let allowed = try await attempt(token: mutation.inScope)
            try await mutation.prepare(server)
            let unscoped = try await attempt(token: TestTokens.all)
            if let success = mutation.success {
                #expect(allowed.status == success, "\(allowed)")
                #expect(unscoped.status == success, "a token without scopes may do everything: \(unscoped)")
            } else {
                #expect(allowed.status != 401 && allowed.status != 403, "\(allowed)")
                #expect(unscoped.status != 401 && unscoped.status != 403, "\(unscoped)")
            }
        }
    }

    @Test("without a token file every write is open (the default)")
    func openByDefault() async throws {
        let server = try await Self.startServer()
        try await server.use {
            let answer = try await send(.post, server.url("/blobs"), body: Array("open".utf8))
            #expect(answer.status == 201, "\(answer)")
        }
    }

    @Test("reads stay open with a token file: blobs, runs, metrics, the Hub's paths-info")
    func readsStayOpen() async throws {
        let tokenFile = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let server = try await Self.startServer(tokenFile: tokenFile)
        try await server.use {
            let record = try await server.store.put(Array("readable".utf8))
            try await server.store.putTaskRecord(try MutationCase.record(run: "r9"))
            for (method, path) in [(UpstreamMethod.get, "/blobs/\(record.digest)"), (.head, "/blobs/\(record.digest)"),
                                   (.get, "/blobs"), (.get, "/runs"), (.get, "/runs/Nightly/r9"), (.get, "/metrics"),
                                   (.get, "/healthz"), (.get, "/stats"), (.get, "/warm")] {
                let answer = try await send(method, server.url(path))
                #expect(answer.status == 200, "\(method) \(path): \(answer)")
            }
            let pathsInfo = try await send(.post, server.url("/hf/api/models/some/repo/paths-info/main"), body: Array("paths=x".utf8))
            #expect(pathsInfo.status != 401 && pathsInfo.status != 403, "\(pathsInfo)")
        }
    }

    @Test("--read-only refuses every mutation with 403 read_only, whatever the token, and serves reads")
    func readOnly() async throws {
        let tokenFile = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        for file in [nil, tokenFile] {
            let server = try await Self.startServer(tokenFile: file, readOnly: true)
            try await server.use {
                let stored = try await server.store.put(Array("served read-only".utf8))
                for mutation in MutationCase.all {
                    try await mutation.prepare(server)
                    let answer = try await mutation.send(to: server, token: TestTokens.all)
                    #expect(answer.status == 403 && answer.errorCode == "read_only", "\(mutation.route): \(answer)")
                    #expect(try await mutation.unchanged(server), "\(mutation.route) changed a read-only store")
                }
                let read = try await send(.get, server.url("/blobs/\(stored.digest)"))
                #expect(read.status == 200 && read.body == Array("served read-only".utf8))
            }
        }
    }

    @Test("a refused 16 MiB upload stores nothing and the server stays healthy")
    func refusedLargeUpload() async throws {
        let tokenFile = try TestTokens.writeFile()
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let server = try await Self.startServer(tokenFile: tokenFile)
        try await server.use {
            let bytes = [UInt8](repeating: 7, count: 16 << 20)
            let answer = try await send(.put, server.url("/blobs/\(BlobDigest(hashing: bytes))"), body: bytes)
            #expect(answer.status == 401, "\(answer)")
            #expect(try server.store.record(BlobDigest(hashing: bytes)) == nil)
            #expect(server.store.statistics.blobCount == 0)
            let health = try await send(.get, server.url("/healthz"))
            #expect(health.status == 200)
        }
    }
}
