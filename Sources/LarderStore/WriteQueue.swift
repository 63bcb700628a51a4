import Foundation
import LMDB
import Synchronization

/// The one thread that runs LMDB write transactions for the store, with group commit.
///
/// LMDB allows one write transaction at a time and ties it to its thread; a blocked `mdb_txn_begin` or a
/// commit's `fdatasync` would stall a thread of Swift's cooperative pool. So every write is a job queued here.
/// The thread takes all queued jobs, runs them in one transaction, commits once, and then reports the outcome
/// to each job. A job must change nothing outside the transaction before its completion reports success. While a commit syncs, new jobs queue up and form the next group, so a fast fill amortises one
/// `fdatasync` over several chunks without any timer.
final class WriteQueue: Sendable {
    /// A unit of work: runs inside the group's transaction; `completion` runs after the commit (or failure).
    struct Job: Sendable {
        let work: @Sendable (borrowing Transaction) throws -> Void
        let completion: @Sendable (Result<Void, any Error>) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var stopped = false
    }

    private let environment: Environment
    private let state = Mutex(State())
    private let wakeup = NSCondition()
    private let finished = DispatchSemaphore(value: 0)

    init(environment: Environment) {
        self.environment = environment
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "larder-lmdb-writer"
        thread.start()
    }

    /// Queues `work` without waiting; `completion` is called on the writer thread after the commit.
    func submit(_ work: @escaping @Sendable (borrowing Transaction) throws -> Void,
                completion: @escaping @Sendable (Result<Void, any Error>) -> Void = { _ in }) {
        wakeup.lock()
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.jobs.append(Job(work: work, completion: completion))
            return true
        }
        wakeup.signal()
        wakeup.unlock()
        if !accepted { completion(.failure(StoreError.writeAborted)) }
    }

    /// Runs `work` in a write transaction and returns once it is committed.
    func perform<Result: Sendable>(_ work: @escaping @Sendable (borrowing Transaction) throws -> Result) async throws -> Result {
        let box = ResultBox<Result>()
        return try await withCheckedThrowingContinuation { continuation in
            submit({ txn in box.set(try work(txn)) }, completion: { outcome in
                switch outcome {
                case .success:
                    if let value = box.take() {
                        continuation.resume(returning: value)
                    } else {
                        continuation.resume(throwing: StoreError.writeAborted)
                    }
                case .failure(let error):
                    continuation.resume(throwing: error)
                }
            })
        }
    }

    /// Runs `work` in a write transaction from synchronous code, blocking the calling thread until committed.
    func performBlocking<Result: Sendable>(_ work: @escaping @Sendable (borrowing Transaction) throws -> Result) throws -> Result {
        let box = ResultBox<Result>()
        let error = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        submit({ txn in box.set(try work(txn)) }, completion: { outcome in
            if case .failure(let failure) = outcome { error.withLock { $0 = failure } }
            done.signal()
        })
        done.wait()
        if let failure = error.withLock({ $0 }) { throw failure }
        guard let value = box.take() else { throw StoreError.writeAborted }
        return value
    }

    /// Finishes the queued jobs and stops the thread.
    func stop() {
        wakeup.lock()
        let wasRunning = state.withLock { state -> Bool in
            let was = !state.stopped
            state.stopped = true
            return was
        }
        wakeup.signal()
        wakeup.unlock()
        if wasRunning { finished.wait() }
    }

    private func runLoop() {
        while true {
            wakeup.lock()
            var batch: [Job] = []
            var stop = false
            while true {
                (batch, stop) = state.withLock { state in
                    let jobs = state.jobs
                    state.jobs.removeAll(keepingCapacity: true)
                    return (jobs, state.stopped)
                }
                if !batch.isEmpty || stop { break }
                wakeup.wait()
            }
            wakeup.unlock()
            if batch.isEmpty && stop { break }
            runGroup(batch)
        }
        finished.signal()
    }

    /// Runs `batch` in one transaction and reports the outcome to every job. Jobs report their own logical
    /// failures through their results; a thrown error is an LMDB failure and fails the whole group.
    private func runGroup(_ batch: [Job]) {
        let outcome: Result<Void, any Error>
        do {
            try environment.write { txn in
                for job in batch { try job.work(txn) }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for job in batch { job.completion(outcome) }
    }
}

/// Carries a job's result from the writer thread to its waiter.
final class ResultBox<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func take() -> Value? { value.withLock { $0.take() } }
}
