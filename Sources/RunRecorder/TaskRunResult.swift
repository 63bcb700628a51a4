import RunModel

/// The outcome of ``TaskRecorder/run()``.
public struct TaskRunResult: Sendable {
    /// The complete record of the task (with no artifacts; the caller adds those it uploads).
    public var record: TaskRecord
    /// The shell-style exit code to exit with: the status, or 128 + the signal number.
    public var exitStatus: Int32
    /// The file holding the captured standard output when capture was requested. The caller
    /// owns it and should delete it after use.
    public var stdoutCapturePath: String?
    /// Why the capture may be incomplete (disk full, output held open by a background process);
    /// nil when the capture is complete or was not requested.
    public var stdoutCaptureError: String?
    /// CPU seconds the recorder itself used (sampling and copying threads), for overhead checks.
    public var recorderCPUSeconds: Double

    /// Creates a result.
    public init(
        record: TaskRecord, exitStatus: Int32, stdoutCapturePath: String?,
        stdoutCaptureError: String? = nil, recorderCPUSeconds: Double = 0
    ) {
        self.record = record
        self.exitStatus = exitStatus
        self.stdoutCapturePath = stdoutCapturePath
        self.stdoutCaptureError = stdoutCaptureError
        self.recorderCPUSeconds = recorderCPUSeconds
    }
}
