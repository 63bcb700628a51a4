import Crypto
import LarderAPI

/// Computing digests: the store hashes what it stores.
extension BlobDigest {
    /// The digest of `data`.
    public init(hashing data: [UInt8]) {
        self.init(SHA256.hash(data: data))
    }

    /// The digest a finished SHA-256 hasher gives.
    init(_ digest: SHA256.Digest) {
        // SHA-256 digests are always 32 bytes, so `init(bytes:)` cannot refuse one.
        guard let value = BlobDigest(bytes: Array(digest)) else { preconditionFailure("a SHA-256 digest is not 32 bytes") }
        self = value
    }
}
