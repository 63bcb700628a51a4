import Foundation
import Glibc
import RunModel
import RunRecorder

/// Shared helpers for the RunRecorder tests.
enum TestSupport {
    /// `Tests/RunRecorderTests/Fixtures`, located from this source file so no resources are needed.
    static let fixtures: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// Creates a fresh, empty temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("larder-recorder-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A recorder configuration for `command` with a short sampling interval, started in its
    /// own process group (as `larder run` does without a terminal) unless told otherwise.
    static func configuration(
        _ command: [String], interval: Duration = .milliseconds(100), ownProcessGroup: Bool = true
    ) throws -> TaskRecorder.Configuration {
        var configuration = try TaskRecorder.Configuration(
            identity: TaskIdentity(pathspec: "RecorderTests/1/step/1"),
            command: command,
            nodeName: "test-node",
            sampleInterval: interval
        )
        configuration.ownProcessGroup = ownProcessGroup
        return configuration
    }

    /// `/bin/sh -c script`.
    static func shell(_ script: String) -> [String] {
        ["/bin/sh", "-c", script]
    }

    /// A shell loop that burns a fixed amount of CPU (about 0.3 s here), independent of machine load.
    static let fixedWork = "i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done"

    /// Raises `signal` in this process on a new thread that has it unblocked, and waits until
    /// the handler has run. (Swift concurrency threads block asynchronous signals, so a
    /// `pthread_kill` to one of them would stay pending.)
    static func raiseInThisProcess(_ signal: Int32) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, signal)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                pthread_kill(pthread_self(), signal)
                continuation.resume()
            }
            thread.start()
        }
    }
}
