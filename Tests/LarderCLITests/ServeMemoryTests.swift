import Foundation
import LarderTestSupport
import Testing

/// Memory of `larder serve` under many concurrent readers of one stored blob (docs/memory.md).
///
/// The bound is the documented one: 64 MiB + 2 MiB per concurrent reader of anonymous resident memory, whatever
/// the blob's size and however slowly the readers read. Readers are real `curl` processes rate-limited so that
/// all of them are mid-body at the same time; the server's RssAnon is sampled from /proc every 20 ms.
@Suite("serve memory under concurrent readers", .serialized)
struct ServeMemoryTests {
    static let readers = 32
    static let blobMiB = 24

    @Test("32 concurrent readers of a stored blob stay under 64 MiB + 2 MiB per reader")
    func concurrentReadersStayBounded() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let (file, digest) = try Self.randomFile(mebibytes: Self.blobMiB)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let put = try Self.curl(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", file, "\(server.url)/blobs/\(digest)"])
        #expect(put.output == "201")
        let url = "\(server.url)/blobs/\(digest)"
        let idle = try #require(Self.rssAnonMiB(pid: server.pid))

        // 24 MiB at 12 MB/s: every reader is mid-body for about two seconds, all at the same time.
        let clients = try (0..<Self.readers).map { _ in
            try Self.startCurl(["-s", "-o", "/dev/null", "--limit-rate", "12M", "-w", "%{http_code} %{size_download}", url])
        }
        var peak = idle
        while clients.contains(where: { $0.isRunning }) {
            if let now = Self.rssAnonMiB(pid: server.pid) { peak = max(peak, now) }
            try await Task.sleep(for: .milliseconds(20))
        }
        for client in clients {
            let answer = Self.finish(client)
            #expect(answer == "200 \(Self.blobMiB << 20)", "a reader got \(answer)")
        }
        let bound = 64.0 + 2.0 * Double(Self.readers)
        #expect(peak <= bound, "peak RssAnon \(peak) MiB with \(Self.readers) readers (idle \(idle) MiB), bound \(bound) MiB")
        // After the burst the freed buffers are handed back (malloc_trim when the last stream ends).
        var after = Double.infinity
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            after = Self.rssAnonMiB(pid: server.pid) ?? .infinity
            if after <= idle + 16 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(after <= idle + 16, "RssAnon \(after) MiB after the burst, idle was \(idle) MiB")
    }

    @Test("past --max-streams a reader gets 503 with Retry-After and a JSON body")
    func streamLimitAnswers503() async throws {
        let server = try await LarderServeProcess.start(extraArguments: ["--max-streams", "2"])
        defer { server.stop() }
        let (file, digest) = try Self.randomFile(mebibytes: 64)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try Self.curl(["-sS", "-o", "/dev/null", "-T", file, "\(server.url)/blobs/\(digest)"])
        let url = "\(server.url)/blobs/\(digest)"
        // Two slow readers hold both slots: 64 MiB is more than loopback socket buffers absorb (about 10 MiB), so at
        // 256 KB/s both are mid-body for minutes (they are killed below).
        let slow = try (0..<2).map { _ in try Self.startCurl(["-s", "-o", "/dev/null", "--limit-rate", "256K", url]) }
        defer {
            // SIGKILL: a child spawned from a dispatch worker thread inherits its blocked SIGTERM.
            for client in slow { client.kill() }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        var streams = ""
        while ContinuousClock.now < deadline {
            streams = try Self.curl(["-s", "\(server.url)/metrics"]).output
                .split(separator: "\n").first { $0.hasPrefix("larder_body_streams ") }.map(String.init) ?? ""
            if streams == "larder_body_streams 2" || streams == "larder_body_streams 2.0" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(streams.hasPrefix("larder_body_streams 2"), "metrics said \(streams)")
        let refused = try Self.curl(["-s", "-D", "-", url])
        #expect(refused.output.hasPrefix("HTTP/1.1 503"), "\(refused.output.prefix(200))")
        #expect(refused.output.lowercased().contains("retry-after: 1"))
        #expect(refused.output.contains("\"error\":\"too_many_streams\""))
        // HEAD sends no body and is never refused.
        let head = try Self.curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-I", url])
        #expect(head.output == "200")
    }

    // MARK: helpers

    /// Starts `curl ARGS…`; its output is read with ``finish(_:)``.
    static func startCurl(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess.launch("/usr/bin/curl", arguments)
    }

    /// Waits for a curl started by ``startCurl(_:)`` and returns what it printed.
    static func finish(_ client: ChildProcess) -> String {
        client.process.waitUntilExit()
        return client.stdout
    }

    static func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let running = try startCurl(arguments)
        let output = finish(running)
        return (running.status, output)
    }

    static func rssAnonMiB(pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return nil }
        return kib / 1024
    }

    static func randomFile(mebibytes: Int) throws -> (path: String, digest: String) {
        let path = temporaryPath("larder-memory-blob")
        guard let random = FileHandle(forReadingAtPath: "/dev/urandom") else { throw FixtureError("cannot open /dev/urandom") }
        defer { try? random.close() }
        let bytes = try random.read(upToCount: mebibytes << 20) ?? Data()
        try bytes.write(to: URL(fileURLWithPath: path))
        let sum = try sha256sum(path: path)
        return (path, "sha256:" + sum)
    }

    static func sha256sum(path: String) throws -> String {
        let sum = try ProcessRunner.runBlocking("/usr/bin/sha256sum", [path], timeout: .seconds(120))
        return sum.stdout.split(separator: " ").first.map(String.init) ?? ""
    }
}
