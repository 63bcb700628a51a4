import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sends hand-made bytes to a loopback server and reads what comes back, for requests no well-behaved client
/// would send (bodies shorter or longer than declared, huge headers, raw paths).
public enum RawExchange {
    /// What the server answered before closing or going quiet.
    public struct Answer: Sendable {
        /// Everything read.
        public var bytes: [UInt8]
        /// The status code of the first response, when one was read.
        public var status: Int? {
            let text = String(decoding: bytes.prefix(64), as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
            return Int(parts[1])
        }
        /// The whole answer as text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// Connects to 127.0.0.1:`port`, writes `request`, optionally half-closes, and reads until the server closes
    /// or `quietSeconds` pass without data. The blocking socket calls run on a thread of their own, so an
    /// in-process server on the cooperative pool keeps running meanwhile.
    public static func send(port: Int, _ request: [UInt8], closeWrite: Bool = false, quietSeconds: Int = 3) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try sendBlocking(port: port, request, closeWrite: closeWrite, quietSeconds: quietSeconds)
                })
            }
            thread.start()
        }
    }

    static func sendBlocking(port: Int, _ request: [UInt8], closeWrite: Bool, quietSeconds: Int) throws -> Answer {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw FixtureError("connect to \(port) failed") }
        var timeout = timeval(tv_sec: quietSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            sent += count
        }
        if closeWrite { shutdown(descriptor, Int32(SHUT_WR)) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return Answer(bytes: answer)
    }
}
