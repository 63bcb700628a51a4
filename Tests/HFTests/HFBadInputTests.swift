import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing
import Upstream

@Suite("HF bad input: 4xx JSON, never a crash or a file outside the store", .serialized, .timeLimit(.minutes(2)))
struct BadInputTests {
    /// Raw request targets no well-behaved client sends (sent byte for byte, without URL normalisation).
    static let targets: [String] = [
        "/hf/../../etc/passwd",
        "/hf/org/name/resolve/main/../../../etc/passwd",
        "/hf/org/name/resolve/main/..%2F..%2Fetc%2Fpasswd",
        "/hf/org/name/resolve/main/%2Fetc%2Fpasswd",
        "/hf/org/name/resolve/main//etc/passwd",
        "/hf/org/name/resolve/main/a/./b",
        "/hf/org/name/resolve/main/bad%00name",
        "/hf/org/name/resolve/main/%zz",
        "/hf/org/..%2F..%2Fetc/resolve/main/config.json",
        "/hf/../name/resolve/main/config.json",
        "/hf/org--x/name/resolve/main/config.json",
        "/hf/-org/name/resolve/main/config.json",
        "/hf/org/name/resolve/..%2F..%2Fmain/config.json",
        "/hf/org/name/resolve/ma%20in/config.json",
        "/hf/org/name/resolve/main.lock/config.json",
        "/hf/org/name/resolve/%2Fmain/config.json",
        "/hf/" + String(repeating: "o", count: 300) + "/name/resolve/main/config.json",
        "/hf/org/name/resolve/" + String(repeating: "r", count: 400) + "/config.json",
        "/hf/org/name/resolve/main/" + String(repeating: "p/", count: 700) + "x",
        "/hf/datasets/../x/resolve/main/config.json",
        "/hf/api/models/../../etc/revision/main",
        "/hf/api/models/org/name/revision/a..b",
        "/hf/api/models/org/name/tree/main/..%2Fsecret",
        "/hf/api/models/org/name/tree/main?cursor=-1",
        "/hf/api/models/org/name/tree/main?limit=0",
        "/hf/api/models/org/name/unknown/main",
        "/hf/api/unknown/org/name",
        "/hf/not-a-hub-path",
    ]

    @Test func malformedTargetsGetJSON4xx() async throws {
        let server = try await LarderTestServer.startHF()
        try await server.use {
            try await server.importFiles(["config.json": Array("{}".utf8)], repo: HFRepoID(type: .model, name: "org/name"))
            for target in Self.targets {
                for method in ["GET", "HEAD"] {
                    let request = Array("\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
                    let answer = try await RawExchange.send(port: server.port, request)
                    let status = try #require(answer.status, "\(method) \(target.prefix(80)): no answer")
                    #expect((400..<500).contains(status), "\(method) \(target.prefix(80)) -> \(status)")
                    if method == "GET", let split = answer.text.range(of: "\r\n\r\n") {
                        let body = Data(answer.text[split.upperBound...].utf8)
                        let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any]
                        #expect(json?["error"] is String, "\(target.prefix(80)): \(answer.text.prefix(300))")
                    }
                }
            }
            // Still serving, and the one real file is intact.
            let good = try await get(server.url("/hf/org/name/resolve/main/config.json"))
            #expect(good.status == 200 && good.body == Array("{}".utf8))
        }
    }

    @Test func badImportsAndWarmRequestsAreRefused() async throws {
        let server = try await LarderTestServer.startHF()
        try await server.use {
            let record = try await server.store.put(Array("x".utf8))
            func post(_ path: String, _ json: String) async throws -> Fetched {
                try await fetch(UpstreamRequest(url: server.url(path), method: .post, headers: [("Content-Type", "application/json")],
                                                uploadData: Array(json.utf8)))
            }
            let digest = record.digest.description
            let cases: [(String, String)] = [
                ("/hf/_import", "not json"),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","files":[],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"../x","files":[{"path":"a","digest":"\#(digest)","size":1}],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","files":[{"path":"../a","digest":"\#(digest)","size":1}],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","files":[{"path":"/etc/passwd","digest":"\#(digest)","size":1}],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","files":[{"path":"a","digest":"\#(digest)","size":2}],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","revision":"main","files":[{"path":"a","digest":"\#(digest)","size":1}],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","branches":["a..b"],"files":[{"path":"a","digest":"\#(digest)","size":1}],"pin":false}"#),
                ("/hf/_import", #"{"repoType":"model","repoID":"org/x","files":[{"path":"a","digest":"sha256:\#(String(repeating: "0", count: 64))","size":1}],"pin":false}"#),
                ("/warm", "{}"),
                ("/warm", "[]"),
                ("/warm", "[1, 2]"),
            ]
            for (path, body) in cases {
                let answer = try await post(path, body)
                #expect((400..<500).contains(answer.status), "\(path) \(body.prefix(120)) -> \(answer.status)")
                #expect(answer.errorCode != nil, "\(body.prefix(120))")
            }
            // A commit is immutable: importing other files under it is a conflict.
            let commit = String(repeating: "a", count: 40)
            let first = try await post("/hf/_import", #"{"repoType":"model","repoID":"org/x","revision":"\#(commit)","files":[{"path":"a","digest":"\#(digest)","size":1}],"pin":false}"#)
            #expect(first.status == 201)
            let other = try await server.store.put(Array("y".utf8))
            let conflict = try await post("/hf/_import", #"{"repoType":"model","repoID":"org/x","revision":"\#(commit)","files":[{"path":"b","digest":"\#(other.digest)","size":1}],"pin":false}"#)
            #expect(conflict.status == 409 && conflict.errorCode == "commit_exists")
            // A warm reference that is neither hf:// nor a URL fails that reference, not the server.
            let job = try await post("/warm", #"["file:///etc/passwd", "hf://../x"]"#)
            #expect(job.status == 202)
            let id = try #require((job.json as? [String: Any])?["id"] as? String)
            var status: [String: Any] = [:]
            for _ in 0..<100 {
                status = try #require(try await get(server.url("/warm/\(id)")).json as? [String: Any])
                if status["state"] as? String != "running" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status["state"] as? String == "failed")
            #expect((status["refs"] as? [[String: Any]])?.allSatisfy { $0["state"] as? String == "failed" } == true)
            #expect(try await get(server.url("/warm/no-such-job")).status == 404)
        }
    }
}
