import Foundation

/// Whether the store's writer thread answers: the liveness half of readiness (`/readyz`).
public enum WriterState: Sendable, Equatable {
    /// An empty write transaction went through the writer thread and committed.
    case alive
    /// The store was closed: writes are refused.
    case closed
    /// The writer thread did not run the probe within the deadline (stuck in a commit or gone).
    case stalled
    /// LMDB refused the probe's transaction.
    case failed(String)
}

extension BlobStore {
    /// Sends an empty write transaction through the writer thread and waits at most `timeout` for it.
    ///
    /// An empty LMDB commit writes nothing and does not sync, so the probe is cheap; it queues behind the writes
    /// already waiting, so a writer stuck in one commit for longer than `timeout` reads as ``WriterState/stalled``.
    public func probeWriter(within timeout: Duration) async -> WriterState {
        let (states, continuation) = AsyncStream<WriterState>.makeStream(bufferingPolicy: .bufferingNewest(1))
        writes.submit({ _ in }, completion: { outcome in
            switch outcome {
            case .success: continuation.yield(.alive)
            case .failure(StoreError.writeAborted): continuation.yield(.closed)
            case .failure(let error): continuation.yield(.failed("\(error)"))
            }
            continuation.finish()
        })
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.yield(.stalled)
            continuation.finish()
        }
        defer { timer.cancel() }
        for await state in states { return state }
        return .stalled
    }
}
