import Glibc

/// Errors that prevent ``TaskRecorder`` from running a command or ``Spool`` from storing one.
///
/// A command that runs and fails is not an error: its status is in the ``TaskRunResult``.
public enum TaskRecorderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration's command was empty.
    case emptyCommand
    /// `posix_spawnp` failed, e.g. `ENOENT` when the executable is not on `PATH`.
    case spawnFailed(executable: String, errno: Int32)
    /// The stdout capture file or pipe could not be created.
    case stdoutCaptureFailed(path: String, errno: Int32)
    /// A helper thread could not be started.
    case threadStartFailed(errno: Int32)
    /// The signal-forwarding pipe could not be created.
    case signalSetupFailed(errno: Int32)
    /// A spool file operation failed.
    case spoolFailed(path: String, reason: String)

    /// A one-line explanation suitable for showing to a user.
    public var description: String {
        switch self {
        case .emptyCommand:
            return "no command given to run"
        case .spawnFailed(let executable, let code):
            return "cannot start \"\(executable)\": \(Self.message(code))"
        case .stdoutCaptureFailed(let path, let code):
            return "cannot capture standard output to \(path): \(Self.message(code))"
        case .threadStartFailed(let code):
            return "cannot start a recorder thread: \(Self.message(code))"
        case .signalSetupFailed(let code):
            return "cannot set up signal forwarding: \(Self.message(code))"
        case .spoolFailed(let path, let reason):
            return "spool operation on \(path) failed: \(reason)"
        }
    }

    /// The C library's text for an errno value.
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text) + " (errno \(code))"
    }
}
