import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the peers' DNS name into addresses: the seam between membership and the system resolver.
public protocol PeerResolver: Sendable {
    /// The IPv4 and IPv6 addresses `name` resolves to now (may block; called on its own thread).
    func resolve(_ name: String) throws -> [String]
}

/// The system resolver (`getaddrinfo`): DNS, and `/etc/hosts` first as the system is configured.
public struct SystemPeerResolver: PeerResolver {
    /// Creates the resolver.
    public init() {}

    /// Resolves `name` with `getaddrinfo` (TCP, any family); throws ``PeerResolutionError`` when it fails.
    public func resolve(_ name: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw PeerResolutionError(name: name, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if let address = entry.pointee.ai_addr,
               getnameinfo(address, entry.pointee.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}

/// A peers DNS name that did not resolve.
public struct PeerResolutionError: Error, CustomStringConvertible {
    /// The name.
    public var name: String
    /// The resolver's reason.
    public var reason: String
    /// Creates the error for `name`.
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    /// One sentence.
    public var description: String { "resolving the peers name \(name) failed: \(reason)" }
}
