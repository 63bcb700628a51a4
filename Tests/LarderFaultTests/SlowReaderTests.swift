import Foundation
import LarderAPI
import LarderStore
import LarderTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A client reading one response at about `bytesPerSecond` on a blocking socket with a small receive buffer, on a
/// thread of its own, until ``stop()``; it keeps what it read for checking.
final class ThrottledReader: Sendable {
    private let received = Mutex<[UInt8]>([])
    private let stopped = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)

    /// Starts reading `GET path` from 127.0.0.1:`port`.
    init(port: Int, path: String, bytesPerSecond: Int) {
        let thread = Thread { [self] in
            self.run(port: port, path: path, bytesPerSecond: bytesPerSecond)
            self.done.store(true, ordering: .releasing)
        }
        thread.start()
    }

    /// Whether the server closed the connection.
    var closedByServer: Bool { closed.load(ordering: .acquiring) }

    /// Everything read so far (status line and headers included).
    var bytes: [UInt8] { received.withLock { $0 } }

    /// Stops reading, closes the socket and waits for the thread.
    func stop() async {
        stopped.store(true, ordering: .releasing)
        _ = await eventually(timeout: .seconds(10)) { self.done.load(ordering: .acquiring) }
    }

    private func run(port: Int, path: String, bytesPerSecond: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var size: Int32 = 4096
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        // 1/10 of the rate every 100 ms.
        let step = max(1, bytesPerSecond / 10)
        var buffer = [UInt8](repeating: 0, count: step)
        while !stopped.load(ordering: .acquiring) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, step, Int32(MSG_DONTWAIT)) }
            if count == 0 {
                closed.store(true, ordering: .releasing)
                return
            }
            if count > 0 { received.withLock { $0 += buffer[0..<count] } }
            usleep(100_000)
        }
    }
}

extension FaultSuite {
    @Suite("A slow reader never slows a fill's other readers")
    struct SlowReader {
        /// Runs 8 full-speed readers of a fresh fill of `path` (with an optional throttled one) and returns the
        /// slowest reader's time.
        static func eightReaders(server: LarderServeProcess, url: String, truth: [UInt8], tally: FaultTally,
                                 slow: Bool) async throws -> (Duration, ThrottledReader?) {
            let fetch = "/fetch?url=\(queryValue(url))"
            let throttled = slow ? ThrottledReader(port: server.port, path: fetch, bytesPerSecond: 10_000) : nil
            if slow {
                // The slow reader is the fill's first client: the eight join the fill it started.
                #expect(await eventually(timeout: .seconds(20)) { (await server.metric("larder_fills_in_flight") ?? 0) == 1 })
            }
            let started = ContinuousClock.now
            let times = await withTaskGroup(of: Duration.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = await get(server.url + fetch)
                        expectCorrect(reply, is: truth, tally: tally, "\(reply.status) \(reply.error ?? "")")
                        return ContinuousClock.now - started
                    }
                }
                return await group.reduce(into: [Duration]()) { $0.append($1) }
            }
            return (times.max() ?? .zero, throttled)
        }

        @Test("8 readers of an 8 MiB fill with a 10 KB/s reader attached finish within 1.2 x the fill without it")
        func slowReaderDoesNotSlowOthers() async throws {
            let tally = FaultTally("10 KB/s reader beside 8 full-speed readers")
            defer { tally.finish() }
            let truth = seededBytes(8 << 20, seed: 1000)
            let upstream = try await UpstreamFixture.start(bigSize: 1024, extraFiles: ["eight.bin": truth])
            defer { upstream.stop() }
            let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1"])
            defer { server.kill() }
            // The upstream sends at 4 MB/s, so a fill takes about 2 s whoever reads it.
            let (baseline, _) = try await Self.eightReaders(server: server, url: upstream.url(unique("/slow/eight.bin?rate=4000000")),
                                                            truth: truth, tally: tally, slow: false)
            let (withSlow, reader) = try await Self.eightReaders(server: server, url: upstream.url(unique("/slow/eight.bin?rate=4000000")),
                                                                 truth: truth, tally: tally, slow: true)
            tally.fault()
            let slowReader = try #require(reader)
            // The slow reader is still reading while the eight are done; what it read so far is a correct prefix.
            let partial = slowReader.bytes
            await slowReader.stop()
            if let split = partial.firstRange(of: Array("\r\n\r\n".utf8)) {
                let body = Array(partial[split.upperBound...])
                #expect(body.count < truth.count, "the 10 KB/s reader cannot have finished")
                let correctPrefix = Array(truth.prefix(body.count)) == body
                #expect(correctPrefix, "the slow reader got wrong bytes")
                tally.verified(body.count)
            }
            print("slow reader: 8 readers took \(baseline) without, \(withSlow) with a 10 KB/s reader attached")
            #expect(withSlow.seconds <= baseline.seconds * 1.2 + 0.25,
                    "8 readers took \(withSlow) with a slow reader, \(baseline) without")
            #expect(await server.isHealthy())
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
