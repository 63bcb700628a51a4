import Glibc
import Synchronization

/// Copies a child's standard output to a passthrough descriptor (normally this process's
/// stdout) and, byte for byte, to a capture file, in 64 KiB chunks on its own thread.
///
/// The child writes into a pipe. The copy ends at end-of-file, i.e. when every process holding
/// the pipe's write end has closed it. If a background descendant keeps it open after the
/// command exits, ``finish(waitingAtMost:)`` stops waiting after the grace period, copies what
/// is buffered and reports the capture as cut short.
final class StdoutTee: Sendable {
    /// What the copy did, reported by ``finish(waitingAtMost:)``.
    struct Outcome: Sendable {
        /// Bytes copied into the capture file.
        var capturedBytes: Int64 = 0
        /// Why the capture may be incomplete; nil when it is complete.
        var captureError: String?
        /// CPU used by the copying thread, in seconds.
        var cpuSeconds: Double = 0
    }

    /// The descriptor the child must get as fd 1.
    let childWriteEnd: Int32
    /// Path of the capture file.
    let capturePath: String

    private let readEnd: Int32
    private let captureFile: Int32
    private let passthrough: Int32
    /// Monotonic nanoseconds after which to stop waiting for end-of-file (`UInt64.max`: wait).
    private let stopDeadline = Atomic<UInt64>(UInt64.max)
    private let outcome = Mutex(Outcome())
    private let thread = Mutex<OSThread?>(nil)
    private let writeEndClosed = Atomic<Bool>(false)

    /// Creates the pipe and a new capture file `larder-stdout-<random>` (mode 0600) in `directory`.
    /// - Throws: ``TaskRecorderError/stdoutCaptureFailed(path:errno:)``.
    init(directory: String, passthrough: Int32) throws {
        var suffix = ""
        for _ in 0..<12 { suffix.append("abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "x") }
        let path = directory + "/larder-stdout-" + suffix
        let file = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard file >= 0 else { throw TaskRecorderError.stdoutCaptureFailed(path: path, errno: errno) }
        let fds: (readEnd: Int32, writeEnd: Int32)
        switch CloseOnExecPipe.make() {
        case .success(let ends):
            fds = ends
        case .failure(let error):
            close(file)
            unlink(path)
            throw TaskRecorderError.stdoutCaptureFailed(path: path, errno: error.code)
        }
        readEnd = fds.readEnd
        childWriteEnd = fds.writeEnd
        captureFile = file
        capturePath = path
        self.passthrough = passthrough
    }

    /// Starts the copying thread; on failure closes everything and removes the capture file.
    func start() throws {
        do {
            let worker = try OSThread.start { [self] in copyUntilEnd() }
            thread.withLock { $0 = worker }
        } catch {
            closeChildWriteEnd()
            close(readEnd)
            close(captureFile)
            unlink(capturePath)
            throw error
        }
    }

    /// Closes this process's copy of the write end (after the child has been started), so that
    /// end-of-file arrives when the child's side closes.
    func closeChildWriteEnd() {
        if !writeEndClosed.exchange(true, ordering: .acquiringAndReleasing) { close(childWriteEnd) }
    }

    /// Waits for end-of-file for at most `seconds` more, then stops, closes the files and returns
    /// the outcome.
    func finish(waitingAtMost seconds: Double) -> Outcome {
        closeChildWriteEnd()
        stopDeadline.store(MonotonicClock.now() + UInt64(max(0, seconds) * 1e9), ordering: .releasing)
        thread.withLock { $0 }?.join()
        return outcome.withLock { $0 }
    }

    private func copyUntilEnd() {
        // Writing to a closed passthrough pipe must yield EPIPE here, not kill the process.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)

        let chunkSize = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var passthroughOpen = true
        var captureError: String?
        var captured: Int64 = 0
        var drainingReads = -1

        while true {
            if drainingReads < 0, MonotonicClock.now() >= stopDeadline.load(ordering: .acquiring) {
                // Grace period over: copy what is already buffered, without blocking.
                _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
                drainingReads = 0
            }
            if drainingReads < 0 {
                var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 100)
                if ready <= 0 { continue }
            } else {
                drainingReads += 1
                if drainingReads > 256 {
                    captureError = captureError ?? "standard output was still being written by a background process after the command exited; the capture stops there"
                    break
                }
            }
            let count = read(readEnd, buffer, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    captureError = captureError ?? "standard output was still open in a background process after the command exited; the capture stops there"
                    break
                }
                captureError = captureError ?? "reading standard output failed: \(TaskRecorderError.message(errno))"
                break
            }
            if count == 0 { break }
            if passthroughOpen, !Self.writeAll(passthrough, buffer, count) {
                passthroughOpen = false
            }
            if captureError == nil {
                if Self.writeAll(captureFile, buffer, count) {
                    captured += Int64(count)
                } else {
                    captureError = "writing the capture file failed: \(TaskRecorderError.message(errno))"
                }
            }
        }
        close(readEnd)
        if close(captureFile) != 0, captureError == nil {
            captureError = "closing the capture file failed: \(TaskRecorderError.message(errno))"
        }
        let cpu = OSThread.currentThreadCPUSeconds()
        outcome.withLock { $0 = Outcome(capturedBytes: captured, captureError: captureError, cpuSeconds: cpu) }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset < count {
            let written = write(fd, buffer + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
