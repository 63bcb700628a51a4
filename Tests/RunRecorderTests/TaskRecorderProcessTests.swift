import Foundation
import LarderTestSupport
import Glibc
import RunModel
@testable import RunRecorder
import Testing

/// End-to-end recordings of real child processes (and the sampler on a real process tree).
/// Serialized: the CPU measurements would disturb each other, and the signal test sends
/// SIGTERM and SIGINT to this process.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TaskRecorderProcessTests {
    @Test func peakMemoryOfA300MBAllocation() async throws {
        let script = "import time; b = bytearray(300*1024*1024); time.sleep(1.5)"
        let result = try await TaskRecorder(configuration: TestSupport.configuration(["python3", "-c", script])).run()
        #expect(result.exitStatus == 0)
        let sampledPeak = result.record.usage.samples.map(\.memoryBytes).max() ?? 0
        #expect(sampledPeak >= 300 << 20, "sampled peak \(sampledPeak)")
        #expect(result.record.usage.peakMemoryBytes >= 300 << 20)
        #expect(result.record.usage.peakMemoryBytes < 600 << 20)
    }

    /// A spike between two samples is caught by the child's ru_maxrss; the recorder's own memory,
    /// which the kernel seeds into a spawned child's ru_maxrss, is not reported as the task's.
    /// An earlier peak of the recorder's own, since freed, must not hide the task's (the recorder resets its
    /// high-water mark before spawning): the test process first touches and frees more than the spike.
    @Test func peakMemoryCatchesSpikesButNotTheRecorder() async throws {
        let ownNow = try #require(ProcFile.statusBytes("VmRSS"))
        let spikeBytes = max(300 << 20, ownNow + (200 << 20))
        Self.touchAndFree(bytes: Int(spikeBytes + (100 << 20)))
        #expect(try #require(ProcFile.statusBytes("VmHWM")) > spikeBytes)
        let spike = try await TaskRecorder(configuration: TestSupport.configuration(
            ["python3", "-c", "b = bytearray(\(spikeBytes))"], interval: .seconds(5))).run()
        #expect(spike.exitStatus == 0)
        #expect(spike.record.usage.samples.count == 1)
        #expect(spike.record.usage.peakMemoryBytes >= spikeBytes)

        let small = try await TaskRecorder(configuration: TestSupport.configuration(["sleep", "0.3"])).run()
        let ownHighWater = try #require(ProcFile.statusBytes("VmHWM"))
        #expect(ownHighWater > 32 << 20)
        #expect(small.record.usage.peakMemoryBytes < 16 << 20, "sleep peak \(small.record.usage.peakMemoryBytes)")
        #expect(small.record.usage.peakMemoryBytes > 0)
    }

    /// Makes this process resident in `bytes` more memory, then frees it (a large allocation is its own mapping).
    static func touchAndFree(bytes: Int) {
        guard let memory = malloc(bytes) else { return }
        memset(memory, 1, bytes)
        free(memory)
    }

    @Test func exitStatusIsReported() async throws {
        let result = try await TaskRecorder(configuration: TestSupport.configuration(TestSupport.shell("exit 3"))).run()
        #expect(result.exitStatus == 3)
        #expect(result.record.exit == ExitOutcome(status: 3, signal: nil))
        let ok = try await TaskRecorder(configuration: TestSupport.configuration(["true"])).run()
        #expect(ok.exitStatus == 0)
        #expect(ok.record.exit == ExitOutcome(status: 0))
    }

    @Test func deathBySignalIsReportedShellStyle() async throws {
        let result = try await TaskRecorder(configuration: TestSupport.configuration(TestSupport.shell("kill -9 $$"))).run()
        #expect(result.exitStatus == 137)
        #expect(result.record.exit == ExitOutcome(status: nil, signal: 9))
    }

    @Test(arguments: [(SIGTERM, "TERM", 42), (SIGINT, "INT", 43)])
    func signalsToTheRecorderAreForwarded(signal: Int32, name: String, code: Int32) async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ready = directory + "/ready"
        // Gives up (exit 7) after ~10 s so a broken forwarder fails the test instead of hanging it.
        let script = "trap 'exit \(code)' \(name); touch \(ready); "
            + "i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; exit 7"
        let recorder = TaskRecorder(configuration: try TestSupport.configuration(TestSupport.shell(script)))
        async let running = recorder.run()
        #expect(await eventually(timeout: .seconds(10), interval: .milliseconds(20)) { FileManager.default.fileExists(atPath: ready) })
        // A real signal to this (the recorder's) process, delivered to a thread of the test's
        // own so no other test's thread is interrupted. It goes through the installed handler.
        await TestSupport.raiseInThisProcess(signal)
        let result = try await running
        #expect(result.exitStatus == code)
        #expect(result.record.exit.status == Int(code))
    }

    @Test func stdoutIsPassedThroughAndCapturedByteExact() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = directory + "/original.bin"
        let passthroughPath = directory + "/passthrough.bin"
        let passthrough = open(passthroughPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        #expect(passthrough >= 0)
        defer { close(passthrough) }
        var configuration = try TestSupport.configuration(
            TestSupport.shell("head -c 300000 /dev/urandom | tee \(original); printf '\\000\\377end'"))
        configuration.captureStdout = true
        configuration.captureDirectory = directory
        configuration.stdoutPassthroughDescriptor = passthrough
        let result = try await TaskRecorder(configuration: configuration).run()
        #expect(result.exitStatus == 0)
        #expect(result.stdoutCaptureError == nil)
        let capturePath = try #require(result.stdoutCapturePath)
        #expect(capturePath.hasPrefix(directory + "/larder-stdout-"))
        var expected = try Data(contentsOf: URL(fileURLWithPath: original))
        #expect(expected.count == 300_000)
        expected.append(contentsOf: [0, 0xFF] + Array("end".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: capturePath)) == expected)
        #expect(try Data(contentsOf: URL(fileURLWithPath: passthroughPath)) == expected)
    }

    @Test func captureStopsWhenABackgroundProcessKeepsStdoutOpen() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = try TestSupport.configuration(TestSupport.shell("echo before; sleep 3 & echo after"))
        configuration.captureStdout = true
        configuration.captureDirectory = directory
        configuration.stdoutPassthroughDescriptor = open("/dev/null", O_WRONLY | O_CLOEXEC)
        configuration.stdoutDrainTimeout = .milliseconds(200)
        defer { close(configuration.stdoutPassthroughDescriptor) }
        let started = Date()
        let result = try await TaskRecorder(configuration: configuration).run()
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(result.stdoutCaptureError != nil)
        let capturePath = try #require(result.stdoutCapturePath)
        #expect(try String(contentsOfFile: capturePath, encoding: .utf8) == "before\nafter\n")
    }

    @Test func recordDescribesTheRun() async throws {
        var configuration = try TestSupport.configuration(TestSupport.shell("test \"$LARDER_TEST\" = yes && sleep 0.3"))
        configuration.environment = ["LARDER_TEST": "yes"]
        configuration.input = ["video": "a.mp4"]
        configuration.requests = ResourceAmounts(cpu: 1, memoryBytes: 4 << 30)
        let before = Date()
        let nodeBefore = Self.nodeTicks()
        let result = try await TaskRecorder(configuration: configuration).run()
        let nodeAfter = Self.nodeTicks()
        let record = result.record
        #expect(result.exitStatus == 0)
        #expect(record.identity.pathspec == "RecorderTests/1/step/1")
        #expect(record.input == ["video": "a.mp4"])
        #expect(record.node.name == "test-node")
        #expect(record.node.cpuCount == ProcessInfo.processInfo.processorCount)
        #expect(record.requests == ResourceAmounts(cpu: 1, memoryBytes: 4 << 30))
        #expect(record.command == configuration.command)
        #expect(record.start >= before.addingTimeInterval(-0.01) && record.end > record.start)
        #expect(abs(record.end.timeIntervalSince(record.start) - record.durationSeconds) < 0.05)
        #expect((0.3...1.5).contains(record.durationSeconds))
        let busy = try #require(record.nodeCPUBusyFraction)
        #expect((0...1).contains(busy))
        // The test's own reading of /proc/stat over a window just around the recorder's.
        if let before = nodeBefore, let after = nodeAfter {
            let own = Double(after.busy - before.busy) / Double(max(1, after.total - before.total))
            #expect(abs(busy - own) < 0.2, "recorded \(busy), /proc/stat around the run \(own)")
        } else {
            Issue.record("cannot read /proc/stat")
        }
        #expect(try TaskRecord.decode(record.encoded()).identity == record.identity)
    }

    /// Busy (all but idle and iowait) and total ticks of the `cpu` line of /proc/stat, parsed here rather than
    /// with the recorder's parser.
    static func nodeTicks() -> (busy: Int64, total: Int64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst().prefix(8).compactMap { Int64($0) }
        guard fields.count == 8 else { return nil }
        let total = fields.reduce(0, +)
        return (total - fields[3] - fields[4], total)
    }

    @Test func longRunsAreDownsampled() async throws {
        var configuration = try TestSupport.configuration(["sleep", "1"], interval: .milliseconds(20))
        configuration.maxSamples = 8
        let result = try await TaskRecorder(configuration: configuration).run()
        #expect(result.record.usage.samples.count <= 8)
        #expect(result.record.usage.samples.count >= 3)
        #expect(result.record.usage.sampleIntervalSeconds >= 0.16)
    }

    @Test func recorderOverheadIsSmall() async throws {
        let result = try await TaskRecorder(configuration: TestSupport.configuration(["sleep", "2"], interval: .seconds(1))).run()
        let share = result.recorderCPUSeconds / result.record.durationSeconds
        #expect(share < 0.02, "recorder used \(result.recorderCPUSeconds) s CPU over \(result.record.durationSeconds) s")
        #expect(result.record.usage.cpuSeconds < 0.05)
    }

    @Test func unstartableCommandsThrow() async throws {
        await #expect(throws: TaskRecorderError.emptyCommand) {
            try await TaskRecorder(configuration: TestSupport.configuration([])).run()
        }
        await #expect(throws: TaskRecorderError.spawnFailed(executable: "larder-no-such-command", errno: ENOENT)) {
            try await TaskRecorder(configuration: TestSupport.configuration(["larder-no-such-command"])).run()
        }
    }
}
