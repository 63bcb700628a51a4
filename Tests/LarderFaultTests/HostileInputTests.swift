import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Testing

extension FaultSuite {
    /// Hostile requests over raw sockets (`RawExchange`, the helper the other raw-socket tests use), on every route
    /// that takes a name. Each must get a 4xx, and the server must stay healthy and its store intact.
    @Suite("Hostile input over raw sockets: 4xx, the server stays healthy")
    struct HostileInput {
        /// One hand-made request and the statuses it may get.
        struct Hostile: Sendable, CustomStringConvertible {
            var label: String
            var bytes: [UInt8]
            var description: String { label }

            init(_ label: String, _ text: String) {
                self.label = label
                bytes = Array(text.utf8)
            }

            init(_ label: String, raw: [UInt8]) {
                self.label = label
                bytes = raw
            }

            /// `METHOD target` with `Connection: close` and optional extra header lines.
            static func request(_ label: String, _ method: String, _ target: String, headers: [String] = []) -> Hostile {
                Hostile(label, "\(method) \(target) HTTP/1.1\r\nHost: x\r\n" + headers.map { $0 + "\r\n" }.joined() + "Connection: close\r\n\r\n")
            }
        }

        static func requests(blob: BlobDigest) -> [Hostile] {
            let big = String(repeating: "h", count: 64 * 1024)
            var list: [Hostile] = [
                // Request lines.
                Hostile("garbage request line", "GARBAGE\r\n\r\n"),
                Hostile("no version", "GET /blobs\r\nHost: x\r\n\r\n"),
                Hostile("bad version", "GET /healthz HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n"),
                Hostile("space in target", "GET /blobs/a b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
                Hostile("NUL in target", raw: Array("GET /blobs/a".utf8) + [0] + Array("b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
                Hostile("invalid UTF-8 in target", raw: Array("GET /runs/".utf8) + [0xFF, 0xFE] + Array("/r HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)),
                // Headers.
                .request("64 KB header on a blob name", "GET", "/blobs/not-a-digest", headers: ["X-Big: " + big]),
                .request("64 KB header on a run", "PUT", "/runs/f/r/s/t/record", headers: ["X-Big: " + big, "Content-Length: 0"]),
                Hostile("header injection (bare CR)", "GET /blobs/x HTTP/1.1\r\nHost: x\r\nX-A: a\rInjected: 1\r\nConnection: close\r\n\r\n"),
                Hostile("header injection (bare LF)", "GET /blobs/x HTTP/1.1\r\nHost: x\r\nX-A: a\nInjected: 1\r\nConnection: close\r\n\r\n"),
                Hostile("obsolete line folding", "GET /blobs/x HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\nConnection: close\r\n\r\n"),
                Hostile("header without colon", "GET /blobs/x HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n"),
                // Blob names.
                .request("short digest", "GET", "/blobs/sha256:abc"),
                .request("uppercase digest", "GET", "/blobs/sha256:" + String(repeating: "A", count: 64)),
                .request("traversal in digest", "GET", "/blobs/..%2F..%2Fetc%2Fpasswd"),
                .request("bad percent-encoding in digest", "GET", "/blobs/%zz"),
                .request("invalid UTF-8 (encoded) in digest", "DELETE", "/blobs/%FF%FE"),
                .request("pin of a bad digest", "PUT", "/blobs/sha512:00/pin", headers: ["Content-Length: 0"]),
                .request("upload to a bad digest", "PUT", "/blobs/sha256:zz", headers: ["Content-Length: 3"]),
                // Ranges on a stored blob.
                .request("negative range", "GET", "/blobs/\(blob)", headers: ["Range: bytes=-5-"]),
                .request("overflowing range", "GET", "/blobs/\(blob)", headers: ["Range: bytes=99999999999999999999-"]),
                .request("reversed range", "GET", "/blobs/\(blob)", headers: ["Range: bytes=50-10"]),
                .request("range past the end", "GET", "/blobs/\(blob)", headers: ["Range: bytes=5000000-"]),
                .request("zero suffix range", "GET", "/blobs/\(blob)", headers: ["Range: bytes=-0"]),
                .request("range of garbage", "GET", "/blobs/\(blob)", headers: ["Range: bytes=a-b"]),
                // Bodies.
                Hostile("bad chunk size", "POST /blobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
                Hostile("overflowing chunk size", "POST /blobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"),
                Hostile("negative Content-Length", "POST /blobs HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n"),
                Hostile("two Content-Lengths", "POST /blobs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd"),
                Hostile("Content-Length and chunked", "POST /blobs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                // Fetch.
                .request("fetch without url", "GET", "/fetch"),
                .request("fetch of a bad url", "GET", "/fetch?url=%zz"),
                .request("fetch of a file url", "GET", "/fetch?url=file%3A%2F%2F%2Fetc%2Fpasswd"),
                .request("fetch of the metadata address", "GET", "/fetch?url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F"),
                .request("fetch with a bad sha256", "GET", "/fetch?url=http%3A%2F%2F127.0.0.1%3A1%2Fx&sha256=xyz"),
                .request("fetch with an overlong url", "GET", "/fetch?url=http%3A%2F%2F127.0.0.1%2F" + String(repeating: "a", count: 9000)),
                // Runs.
                .request("run name with traversal", "GET", "/runs/..%2F..%2Fetc/r"),
                .request("run name with a dot-dot", "PUT", "/runs/f/../s/t/record", headers: ["Content-Length: 2"]),
                .request("run name invalid UTF-8 (encoded)", "GET", "/runs/f/%FF%FE/s/t/record"),
                .request("run name with NUL", "DELETE", "/runs/f%00x/r"),
                .request("run name bad percent-encoding", "GET", "/runs/%zz"),
                .request("artifact name with a slash", "PUT", "/runs/f/r/s/t/artifacts/a%2Fb", headers: ["Content-Length: 1"]),
                .request("record that is not JSON", "PUT", "/runs/f/r/s/t/record", headers: ["Content-Length: 0"]),
                // Hugging Face repository ids, revisions and paths (no upstream is reachable: all must fail on the name).
                .request("HF traversal", "GET", "/hf/../../etc/passwd"),
                .request("HF traversal in repo", "GET", "/hf/org/..%2F..%2Fetc/resolve/main/config.json"),
                .request("HF traversal in path", "GET", "/hf/org/name/resolve/main/..%2F..%2Fsecret"),
                .request("HF bad revision", "GET", "/hf/org/name/resolve/%FF%FE/config.json"),
                .request("HF revision with traversal", "GET", "/hf/api/models/org/name/revision/..%2F.."),
                .request("HF bad percent-encoding", "GET", "/hf/org/name/resolve/main/%zz"),
                .request("HF NUL in path", "GET", "/hf/org/name/resolve/main/a%00b"),
                .request("HF import of garbage", "POST", "/hf/_import", headers: ["Content-Length: 0"]),
                .request("warm of garbage", "POST", "/warm", headers: ["Content-Length: 0"]),
            ]
            list += ociRequests
            return list
        }

        /// The OCI registry mirror (`/v2/…`): names, references, digests, ranges and push methods. The server has no
        /// registry configured, so every one must fail on its own input (400/404/405/416), never reach an upstream.
        static let ociRequests: [Hostile] = [
            .request("OCI uppercase name", "GET", "/v2/Library/Python/manifests/latest?ns=docker.io"),
            .request("OCI traversal in name", "GET", "/v2/library/../../etc/manifests/latest?ns=docker.io"),
            .request("OCI encoded traversal", "GET", "/v2/library%2F..%2F..%2Fetc/manifests/latest?ns=docker.io"),
            .request("OCI empty component", "GET", "/v2/library//python/manifests/latest?ns=docker.io"),
            .request("OCI over-long name", "GET", "/v2/" + String(repeating: "a", count: 300) + "/manifests/latest?ns=docker.io"),
            .request("OCI bad tag", "GET", "/v2/library/python/manifests/-bad:tag?ns=docker.io"),
            .request("OCI bad digest", "GET", "/v2/library/python/blobs/sha256:xyz?ns=docker.io"),
            .request("OCI unknown algorithm", "GET", "/v2/library/python/blobs/md5:d41d8cd98f00b204e9800998ecf8427e?ns=docker.io"),
            .request("OCI huge range", "GET", "/v2/library/python/blobs/sha256:" + String(repeating: "a", count: 64) + "?ns=docker.io",
                     headers: ["Range: bytes=99999999999999999999-"]),
            .request("OCI bad ns", "GET", "/v2/library/python/manifests/latest?ns=%00evil"),
            .request("OCI unknown registry", "GET", "/v2/library/python/manifests/latest?ns=registry.example"),
            .request("OCI push of a manifest", "PUT", "/v2/library/python/manifests/latest", headers: ["Content-Length: 0"]),
            .request("OCI upload start", "POST", "/v2/library/python/blobs/uploads/", headers: ["Content-Length: 0"]),
            .request("OCI upload chunk", "PATCH", "/v2/library/python/blobs/uploads/..%2F..", headers: ["Content-Length: 0"]),
            .request("OCI tag eviction of garbage", "DELETE", "/admin/oci/tags?ref=%zz"),
        ]

        @Test("every hostile request gets a 4xx; the server stays healthy and its store intact")
        func hostileRequests() async throws {
            let tally = FaultTally("hostile input over raw sockets")
            defer { tally.finish() }
            let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1", "--client-timeout", "5"])
            defer { server.kill() }
            let bytes = seededBytes(100_000, seed: 1100)
            let blob = BlobDigest(hashing: bytes)
            tally.request()
            try #require(await put("\(server.url)/blobs/\(blob)", bytes).status == 201)
            for hostile in Self.requests(blob: blob) {
                tally.fault()
                tally.request()
                let answer = try await RawExchange.send(port: server.port, hostile.bytes, closeWrite: false, quietSeconds: 8)
                let status = answer.status ?? 0
                #expect((400..<500).contains(status), "\(hostile): \(status) \(answer.text.prefix(160))")
                let health = await get(server.url + "/healthz")
                #expect(health.status == 200, "after \(hostile) the server is not healthy")
                if health.status != 200 { break }
            }
            expectCorrect(await get("\(server.url)/blobs/\(blob)"), is: bytes, tally: tally)
            let listing = await get(server.url + "/blobs")
            let entries = (try? JSONSerialization.jsonObject(with: Data(listing.body)) as? [Any]) ?? []
            #expect(entries.count == 1, "hostile input stored something: \(listing.text.prefix(300))")
            #expect(!FileManager.default.fileExists(atPath: server.directory + "/../secret"))
        }
    }
}
