import LarderAPI
/// Byte layouts of the keys in the store's LMDB databases. Integers are big-endian so that LMDB's byte order is
/// numeric order.
enum StoreKeys {
    /// `chunks` key: blob id (8 bytes) then chunk index (4 bytes).
    static func chunk(id: UInt64, index: Int) -> [UInt8] {
        var key = bigEndian(id)
        key.append(contentsOf: bigEndian(UInt32(truncatingIfNeeded: index)))
        return key
    }

    /// `access` key: last access in milliseconds (8 bytes) then the digest (32 bytes), oldest first.
    static func access(time: Double, digest: BlobDigest) -> [UInt8] {
        var key = bigEndian(UInt64(max(0, time * 1000)))
        key.append(contentsOf: digest.bytes)
        return key
    }

    /// The digest part of an `access` key.
    static func digest(fromAccessKey key: UnsafeRawBufferPointer) -> BlobDigest? {
        guard key.count == 40 else { return nil }
        return BlobDigest(bytes: Array(key[8..<40]))
    }

    /// `pending` and `info` keys: a blob id.
    static func id(_ id: UInt64) -> [UInt8] { bigEndian(id) }

    /// Reads a big-endian `UInt64` from the first 8 bytes.
    static func readUInt64(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        return bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
    }
}
