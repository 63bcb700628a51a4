import Glibc
import Synchronization

/// A plain POSIX thread running one closure, for blocking work (waiting on a child, copying a
/// pipe, sampling) that must not occupy a Swift concurrency thread.
final class OSThread: Sendable {
    private let handle: pthread_t
    private let joined = Mutex(false)

    private init(handle: pthread_t) {
        self.handle = handle
    }

    /// Starts `body` on a new joinable thread.
    /// - Throws: ``TaskRecorderError/threadStartFailed(errno:)`` when the system refuses a thread.
    static func start(_ body: @escaping @Sendable () -> Void) throws -> OSThread {
        OSThread(handle: try create(body, detached: false))
    }

    /// Starts `body` on a new detached thread that nobody joins.
    static func detach(_ body: @escaping @Sendable () -> Void) throws {
        _ = try create(body, detached: true)
    }

    /// Waits for the thread to finish; later calls return immediately.
    func join() {
        let shouldJoin = joined.withLock { alreadyJoined in
            defer { alreadyJoined = true }
            return !alreadyJoined
        }
        if shouldJoin { pthread_join(handle, nil) }
    }

    /// CPU time used so far by the calling thread, in seconds.
    static func currentThreadCPUSeconds() -> Double {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func create(_ body: @escaping @Sendable () -> Void, detached: Bool) throws -> pthread_t {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if detached { pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) }
        var handle = pthread_t()
        let result = pthread_create(&handle, &attributes, { context in
            guard let context else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw TaskRecorderError.threadStartFailed(errno: result)
        }
        return handle
    }
}

/// Boxes a thread's closure so it can travel through `pthread_create`'s context pointer.
private final class ThreadBody: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
