import Glibc

/// Creates pipes whose both ends are close-on-exec from the start.
///
/// Atomicity matters: a recorder (or test) may spawn other processes concurrently, and a pipe
/// end leaked into one of them would keep the stdout capture from ever seeing end-of-file.
/// `pipe2` is not exported by the Glibc module map, so it is looked up dynamically; without it,
/// `pipe` + `FD_CLOEXEC` is used (atomic only in single-threaded use).
enum CloseOnExecPipe {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    /// Returns `(readEnd, writeEnd)`, or the errno value on failure.
    static func make() -> Result<(readEnd: Int32, writeEnd: Int32), Errno> {
        var fds: [Int32] = [-1, -1]
        if let symbol = dlsym(nil, "pipe2") {
            let pipe2 = unsafeBitCast(symbol, to: Pipe2.self)
            let result = fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress, O_CLOEXEC) }
            guard result == 0 else { return .failure(Errno(code: errno)) }
        } else {
            guard pipe(&fds) == 0 else { return .failure(Errno(code: errno)) }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return .success((fds[0], fds[1]))
    }

    /// An errno value carried through `Result`.
    struct Errno: Error {
        let code: Int32
    }
}
