import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP connection kept open between steps of a test, for requests whose timing matters (a body
/// that stops half-way while the test looks at the server, then a close).
///
/// `@unchecked Sendable` invariant: `descriptor` is set in `init` and only `close()` (called once, by the test
/// that owns the connection, after its last write) changes the socket's state.
public final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw FixtureError("connect to \(port) failed")
        }
        self.descriptor = descriptor
    }

    /// Writes all of `bytes` (small writes: the kernel buffers them, so this does not block for long).
    public func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw FixtureError("write failed after \(sent) bytes") }
            sent += count
        }
    }

    /// Closes the connection (the server sees the end of the stream).
    public func close() {
        Glibc.close(descriptor)
    }
}
