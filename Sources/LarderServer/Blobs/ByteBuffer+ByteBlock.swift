import LarderStore
import NIOCore

/// Request bodies arrive as `ByteBuffer`s; the store's upload loop (`BlobWriter.write`) reads their readable bytes.
extension ByteBuffer: ByteBlock {
    /// Calls `body` with the readable bytes.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeReadableBytes(body)
    }
}
