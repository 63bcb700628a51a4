import Foundation

/// Runs `body(i)` for every i in 0..<count on dedicated threads (one per active processor).
///
/// Not `DispatchQueue.concurrentPerform`: the body may block on network I/O (artifact fetches
/// through URLSession), and blocking libdispatch's worker threads can starve the queues that
/// deliver URLSession's completions. Returns when every index is done.
enum ParallelWork {
    static func run(count: Int, body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let workers = max(1, min(count, ProcessInfo.processInfo.activeProcessorCount))
        if workers == 1 {
            for index in 0..<count { body(index) }
            return
        }
        let next = Counter()
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<workers {
            let thread = Thread {
                while let index = next.take(below: count) { body(index) }
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        for _ in 0..<workers { done.wait() }
    }

    /// A shared index.
    ///
    /// `@unchecked Sendable` invariant: `value` is only read and written while holding `lock`.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0

        func take(below limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}
