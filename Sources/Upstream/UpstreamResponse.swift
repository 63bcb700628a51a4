/// A response whose head is known and whose body is still being received.
///
/// The body is a single-pass asynchronous sequence of blocks, each exactly
/// ``UpstreamConfiguration/blockSize`` bytes except the last. Cancelling, deinitialising the
/// response or abandoning an iteration before its end aborts the transfer.
public final class UpstreamResponse: Sendable, AsyncSequence {
    /// A block of body bytes.
    public typealias Element = [UInt8]

    /// Status and header fields of the final response.
    public let head: UpstreamResponseHead
    let channel: TransferChannel

    init(head: UpstreamResponseHead, channel: TransferChannel) {
        self.head = head
        self.channel = channel
    }

    deinit {
        channel.cancel()
    }

    /// Aborts the transfer promptly; a pending or later iteration throws ``UpstreamError/cancelled``.
    public func cancel() {
        channel.cancel()
    }

    /// Returns an iterator over the body; the body can be iterated once.
    public func makeAsyncIterator() -> Iterator {
        Iterator(lease: IterationLease(response: self))
    }

    /// Reads the whole body, throwing `UpstreamError.transport` (code 63, `CURLE_FILESIZE_EXCEEDED`)
    /// and cancelling the transfer if it exceeds `maxBytes`.
    public func collect(upTo maxBytes: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        for try await block in self {
            guard block.count <= maxBytes - result.count else {
                cancel()
                throw UpstreamError.transport(code: 63, message: "body exceeds \(maxBytes) bytes")
            }
            result += block
        }
        return result
    }

    /// Iterator over the body blocks.
    public struct Iterator: AsyncIteratorProtocol, Sendable {
        private let lease: IterationLease

        fileprivate init(lease: IterationLease) {
            self.lease = lease
        }

        /// The next block, `nil` after the last one; throws ``UpstreamError`` if the transfer failed.
        public mutating func next() async throws -> [UInt8]? {
            try await lease.response.channel.next()
        }
    }

    // MARK: Test hooks

    /// Largest number of full blocks that were queued between the transfer thread and the consumer.
    package var peakBufferedBlocks: Int { channel.peakQueuedBlocks }

    /// Whether the transfer thread is still running (it ends after the handle is released).
    package var isTransferRunning: Bool { channel.isTransferRunning }
}

/// Keeps the response alive while an iterator exists, and aborts the transfer when the
/// iterator goes away (a no-op once the body was delivered completely).
private final class IterationLease: Sendable {
    let response: UpstreamResponse

    init(response: UpstreamResponse) {
        self.response = response
    }

    deinit {
        response.cancel()
    }
}
