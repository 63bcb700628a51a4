import Glibc
import Synchronization

/// The write end of the self-pipe the signal handler writes to (-1 until set up). A global
/// because a C signal handler cannot capture context; an atomic because the handler may run
/// on any thread at any time.
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// The installed handler: records the signal number, and whether the kernel generated it for a
/// whole process group (terminal Ctrl-C), in the self-pipe. Only async-signal-safe calls.
private func recordSignal(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    let savedErrno = errno
    // SI_KERNEL (0x80): sent by the kernel, e.g. the terminal's SIGINT to the foreground group,
    // which the child, being in our process group, has received already.
    let fromKernel: UInt8 = info?.pointee.si_code == 0x80 ? 1 : 0
    var message: (UInt8, UInt8) = (UInt8(truncatingIfNeeded: signal), fromKernel)
    let fd = signalPipeWriteEnd.load(ordering: .acquiring)
    if fd >= 0 {
        _ = withUnsafeBytes(of: &message) { write(fd, $0.baseAddress, 2) }
    }
    errno = savedErrno
}

/// Forwards SIGTERM and SIGINT received by this process to the commands being recorded.
///
/// While at least one recorder is active, handlers for the forwarded signals are installed
/// (the previous dispositions are restored when the last recorder finishes). The handler only
/// writes to a self-pipe; a dedicated thread, which keeps the signals unblocked so that a
/// process-directed signal always finds a thread to run on, reads it and sends the signal to
/// every registered child with `kill`. A signal raised by the kernel for the whole foreground
/// process group (Ctrl-C in a terminal) is not forwarded to children in this process's group,
/// because they received it already.
final class SignalForwarder: Sendable {
    /// The process-wide forwarder.
    static let shared = SignalForwarder()
    /// Signals that are forwarded to children.
    static let forwardedSignals: [Int32] = [SIGTERM, SIGINT]

    private struct State {
        /// Registered children, each with whether it shares this process's process group.
        var children: [Int32: Bool] = [:]
        var activeRecorders = 0
        /// Signals that arrived while recorders were active but before any child was registered
        /// (e.g. SIGTERM during start-up); delivered to the next child registered.
        var pendingSignals: [Int32] = []
        var savedActions: [Int32: sigaction] = [:]
        var pipeReady = false
    }

    private let state = Mutex(State())

    private init() {}

    /// Marks a recorder as active, installing the handlers if it is the first.
    /// - Throws: ``TaskRecorderError`` when the pipe or forwarding thread cannot be created.
    func activate() throws {
        try state.withLock { state in
            if !state.pipeReady {
                try startForwardingThread()
                state.pipeReady = true
            }
            state.activeRecorders += 1
            guard state.activeRecorders == 1 else { return }
            for signal in Self.forwardedSignals {
                var action = sigaction()
                action.__sigaction_handler.sa_sigaction = recordSignal
                action.sa_flags = SA_SIGINFO | SA_RESTART
                sigemptyset(&action.sa_mask)
                var previous = sigaction()
                if sigaction(signal, &action, &previous) == 0 {
                    state.savedActions[signal] = previous
                }
            }
        }
    }

    /// Marks a recorder as finished, restoring the previous handlers after the last one.
    func deactivate() {
        state.withLock { state in
            state.activeRecorders -= 1
            guard state.activeRecorders == 0 else { return }
            state.pendingSignals = []
            for (signal, previous) in state.savedActions {
                var action = previous
                sigaction(signal, &action, nil)
            }
            state.savedActions = [:]
        }
    }

    /// Starts forwarding to `pid`.
    /// - Parameter sharesProcessGroup: whether the child is in this process's process group.
    func register(_ pid: Int32, sharesProcessGroup: Bool) {
        state.withLock { state in
            state.children[pid] = sharesProcessGroup
            for signal in state.pendingSignals { kill(pid, signal) }
            state.pendingSignals = []
        }
    }

    /// Stops forwarding to `pid`; once this returns no signal is sent to it any more, so the
    /// caller may reap it without risking a signal to a reused pid.
    func unregister(_ pid: Int32) {
        state.withLock { _ = $0.children.removeValue(forKey: pid) }
    }

    /// Sends `signal` to every registered child now.
    /// - Parameter fromKernel: the kernel raised it for the foreground process group, so children
    ///   in this process's group have it already.
    func forward(_ signal: Int32, fromKernel: Bool = false) {
        state.withLock { state in
            if state.children.isEmpty, state.activeRecorders > 0, !fromKernel {
                state.pendingSignals.append(signal)
            }
            for (pid, sharesGroup) in state.children where !(fromKernel && sharesGroup) {
                kill(pid, signal)
            }
        }
    }

    private func startForwardingThread() throws {
        let (readEnd, writeEnd): (Int32, Int32)
        switch CloseOnExecPipe.make() {
        case .success(let ends): (readEnd, writeEnd) = ends
        case .failure(let error): throw TaskRecorderError.signalSetupFailed(errno: error.code)
        }
        // The handler must never block, even if the pipe fills up.
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        do {
            try OSThread.detach { [self] in
                var unblocked = sigset_t()
                sigemptyset(&unblocked)
                for signal in Self.forwardedSignals { sigaddset(&unblocked, signal) }
                pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
                var message: (UInt8, UInt8) = (0, 0)
                while true {
                    let count = withUnsafeMutableBytes(of: &message) { read(readEnd, $0.baseAddress, 2) }
                    if count < 0, errno == EINTR { continue }
                    guard count == 2 else { return }
                    forward(Int32(message.0), fromKernel: message.1 != 0)
                }
            }
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        signalPipeWriteEnd.store(writeEnd, ordering: .releasing)
    }
}
