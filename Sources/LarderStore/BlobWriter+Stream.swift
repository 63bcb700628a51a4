import Foundation

/// A block of bytes an upload arrives in: a request body's buffers, an upstream response's blocks, a file's reads.
public protocol ByteBlock {
    /// Calls `body` with the block's bytes.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

extension Array: ByteBlock where Element == UInt8 {}
extension Data: ByteBlock {}

extension BlobWriter {
    /// Writes every block of `blocks`, then finishes the blob: the one upload loop of every path that stores bytes
    /// (blob and artifact uploads, fills, local `put` and `import`).
    ///
    /// On any error, from the sequence or the store, the write is aborted (nothing is stored) and the error
    /// rethrown. Back-pressure: the next block is asked for only once the chunks completed so far are queued.
    /// - Parameters:
    ///   - expectedSize: when given, a different byte count fails with ``StoreError/sizeMismatch(expected:actual:)``.
    ///   - refs: names to point at the blob, published with it (see ``finish(expectedSize:refs:)``).
    ///   - received: called with the size of each block once it is buffered (progress, metrics).
    /// - Returns: the published record (an existing one when the same content was already stored).
    public func write<Blocks: AsyncSequence>(
        _ blocks: Blocks, expectedSize: Int64? = nil, refs: [String: [String: String]] = [:],
        received: (Int) -> Void = { _ in }
    ) async throws -> BlobRecord where Blocks.Element: ByteBlock {
        do {
            for try await block in blocks {
                let count = block.withUnsafeBytes { bytes in
                    buffer(bytes)
                    return bytes.count
                }
                received(count)
                try await drain()
            }
            return try await finish(expectedSize: expectedSize, refs: refs)
        } catch {
            abort()
            throw error
        }
    }
}
