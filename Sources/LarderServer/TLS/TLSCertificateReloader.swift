import Foundation
import Glibc
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The certificate chain and private key of `larder serve --tls-cert/--tls-key`, re-read when either file changes.
///
/// Every TLS handshake asks for them (swift-nio-ssl's context callback), which costs one `stat(2)` per file
/// (following links, so a Kubernetes Secret volume's swap is seen); the files are parsed again only when a device,
/// inode, size, modification or change time differs. A renewed certificate is served from the next handshake on,
/// without a restart; a pair that cannot be parsed keeps the previous one in use, logged.
public final class TLSCertificateReloader: Sendable {
    /// The PEM certificate chain (leaf first).
    public let certificatePath: String
    /// The PEM private key.
    public let keyPath: String
    private let logger: Logger
    private let state: Mutex<Loaded>

    private struct Loaded: Sendable {
        var fingerprint: String
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    /// Why the files cannot be used at startup.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// One sentence saying what is wrong and what to do.
        public let description: String
    }

    /// Reads the pair; throws a ``LoadError`` naming the file that cannot be used.
    public init(certificate: String, key: String, logger: Logger) throws(LoadError) {
        self.certificatePath = certificate
        self.keyPath = key
        self.logger = logger
        self.state = Mutex(try Self.load(certificate: certificate, key: key))
    }

    /// The server's TLS configuration: the pair as loaded now, swapped per handshake for a newer one.
    public var configuration: TLSConfiguration {
        let loaded = state.withLock { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: loaded.chain.map { .certificate($0) }, privateKey: .privateKey(loaded.key))
        configuration.sslContextCallback = { [self] _, promise in
            let current = self.current()
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = current.chain.map { .certificate($0) }
            override.privateKey = .privateKey(current.key)
            promise.succeed(override)
        }
        return configuration
    }

    /// The pair in force, re-read first when a file changed.
    private func current() -> Loaded {
        let now = Self.fingerprint(certificatePath, keyPath)
        return state.withLock { loaded in
            guard let now, now != loaded.fingerprint else { return loaded }
            do {
                loaded = try Self.load(certificate: certificatePath, key: keyPath)
                logger.notice("tls certificate reloaded", metadata: ["certificate": "\(certificatePath)", "chain": "\(loaded.chain.count)"])
            } catch {
                loaded.fingerprint = now
                logger.error("tls certificate unusable; keeping the previous one", metadata: ["error": "\(error)"])
            }
            return loaded
        }
    }

    private static func load(certificate: String, key: String) throws(LoadError) -> Loaded {
        guard let fingerprint = fingerprint(certificate, key) else {
            throw LoadError(description: "cannot read the TLS certificate \(certificate) or key \(key); give readable PEM files with --tls-cert and --tls-key")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw LoadError(description: "the TLS certificate \(certificate) is not a PEM certificate chain (\(error)); give the chain with --tls-cert")
        }
        guard !chain.isEmpty else {
            throw LoadError(description: "the TLS certificate file \(certificate) holds no certificate; give the PEM chain with --tls-cert")
        }
        let privateKey: NIOSSLPrivateKey
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw LoadError(description: "the TLS key \(key) is not a PEM private key (\(error)); give an unencrypted PEM key with --tls-key")
        }
        return Loaded(fingerprint: fingerprint, chain: chain, key: privateKey)
    }

    /// Device, inode, size and times of both files, or nil when either cannot be examined.
    private static func fingerprint(_ paths: String...) -> String? {
        var parts: [String] = []
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            parts.append("\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)")
        }
        return parts.joined(separator: "|")
    }
}
