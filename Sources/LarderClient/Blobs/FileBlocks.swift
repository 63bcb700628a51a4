import Foundation
import LarderStore

/// The contents of an open file (or standard input) as an async sequence of blocks of at most `blockSize` bytes,
/// for the store's upload loop (`BlobWriter.write`). Reads block the calling thread, as the CLI's local mode does.
struct FileBlocks: AsyncSequence {
    typealias Element = Data

    let handle: FileHandle
    var blockSize = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        let blockSize: Int

        mutating func next() async throws -> Data? {
            guard let data = try handle.read(upToCount: blockSize), !data.isEmpty else { return nil }
            return data
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: handle, blockSize: blockSize)
    }
}
