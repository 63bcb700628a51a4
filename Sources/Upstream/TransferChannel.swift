import Foundation

/// Hand-off point between one transfer thread (producer) and async Swift code (consumer).
///
/// The producer blocks on `condition` when `maxBufferedBlocks` full blocks are queued
/// (back-pressure); the consumer never blocks a thread and waits through continuations.
///
/// `@unchecked Sendable` invariant: every mutable stored property is read and written only
/// while `condition` is locked, and continuations are resumed after unlocking.
final class TransferChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int

    private var head: Result<UpstreamResponseHead, UpstreamError>?
    private var headWaiter: CheckedContinuation<UpstreamResponseHead, any Error>?
    private var queue: [[UInt8]] = []
    private var end: Result<Void, UpstreamError>?
    private var bodyWaiter: CheckedContinuation<[UInt8]?, any Error>?
    private var cancelled = false
    private var running = true
    private var peakQueued = 0

    /// Creates a channel queueing at most `capacity` blocks.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: Producer (transfer thread)

    /// Whether the consumer cancelled the transfer.
    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Whether the head was already published.
    var hasHead: Bool {
        condition.lock()
        defer { condition.unlock() }
        return head != nil
    }

    /// Publishes the final response head, waking `waitForHead`. Later calls are ignored.
    func publishHead(_ value: UpstreamResponseHead) {
        condition.lock()
        guard head == nil else {
            condition.unlock()
            return
        }
        head = .success(value)
        let waiter = headWaiter
        headWaiter = nil
        condition.unlock()
        waiter?.resume(returning: value)
    }

    /// Queues a body block, waiting while the queue is full. Returns `false` once cancelled.
    func push(_ block: [UInt8]) -> Bool {
        condition.lock()
        while queue.count >= capacity && !cancelled {
            condition.wait()
        }
        if cancelled {
            condition.unlock()
            return false
        }
        if let waiter = bodyWaiter {
            bodyWaiter = nil
            condition.unlock()
            waiter.resume(returning: block)
            return true
        }
        queue.append(block)
        peakQueued = max(peakQueued, queue.count)
        condition.unlock()
        return true
    }

    /// Ends the stream: successfully when `error` is nil. Fails `waitForHead` if no head was published.
    func finish(_ error: UpstreamError?) {
        condition.lock()
        var headWaiterToFail: CheckedContinuation<UpstreamResponseHead, any Error>?
        var bodyWaiterToWake: CheckedContinuation<[UInt8]?, any Error>?
        let failure = error ?? .transport(code: 0, message: "transfer ended without a response")
        if head == nil {
            head = .failure(failure)
            headWaiterToFail = headWaiter
            headWaiter = nil
        }
        if end == nil {
            end = error.map { .failure($0) } ?? .success(())
            bodyWaiterToWake = bodyWaiter
            bodyWaiter = nil
        }
        condition.unlock()
        headWaiterToFail?.resume(throwing: failure)
        if let bodyWaiterToWake {
            if let error {
                bodyWaiterToWake.resume(throwing: error)
            } else {
                bodyWaiterToWake.resume(returning: nil)
            }
        }
    }

    /// Waits up to `duration` unless cancelled first; returns `false` when cancelled.
    func sleep(for duration: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: duration.larderSeconds)
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && Date() < deadline {
            _ = condition.wait(until: deadline)
        }
        return !cancelled
    }

    /// Records that the transfer thread has released its handle and is exiting.
    func markTransferEnded() {
        condition.lock()
        running = false
        condition.unlock()
    }

    // MARK: Consumer (async)

    /// Aborts the transfer: drops queued blocks, wakes the producer and fails pending waits.
    func cancel() {
        condition.lock()
        if cancelled {
            condition.unlock()
            return
        }
        cancelled = true
        if !queue.isEmpty {
            queue.removeAll()
            // Blocks were dropped: a body that had already ended cleanly is now incomplete.
            if case .success = end {
                end = .failure(.cancelled)
            }
        }
        condition.broadcast()
        let headWaiter = self.headWaiter
        let bodyWaiter = self.bodyWaiter
        self.headWaiter = nil
        self.bodyWaiter = nil
        condition.unlock()
        headWaiter?.resume(throwing: UpstreamError.cancelled)
        bodyWaiter?.resume(throwing: UpstreamError.cancelled)
    }

    /// Waits for the final response head (or the transfer's failure).
    func waitForHead() async throws -> UpstreamResponseHead {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UpstreamResponseHead, any Error>) in
                condition.lock()
                if let head {
                    condition.unlock()
                    continuation.resume(with: head.mapError { $0 as any Error })
                } else if cancelled {
                    condition.unlock()
                    continuation.resume(throwing: UpstreamError.cancelled)
                } else {
                    headWaiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Next body block, `nil` at the end of the body; throws the transfer's failure.
    func next() async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                condition.lock()
                if !queue.isEmpty {
                    let block = queue.removeFirst()
                    condition.broadcast()
                    condition.unlock()
                    continuation.resume(returning: block)
                } else if let end {
                    condition.unlock()
                    switch end {
                    case .success: continuation.resume(returning: nil)
                    case .failure(let error): continuation.resume(throwing: error)
                    }
                } else if cancelled {
                    condition.unlock()
                    continuation.resume(throwing: UpstreamError.cancelled)
                } else if bodyWaiter != nil {
                    condition.unlock()
                    continuation.resume(throwing: UpstreamError.transport(
                        code: 0, message: "the body of a response can be iterated by one consumer at a time"))
                } else {
                    bodyWaiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    // MARK: Test hooks

    /// Largest number of blocks ever queued at once.
    var peakQueuedBlocks: Int {
        condition.lock()
        defer { condition.unlock() }
        return peakQueued
    }

    /// Whether the transfer thread is still running.
    var isTransferRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running
    }
}
