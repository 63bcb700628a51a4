import Foundation
import Glibc
import RunModel
@testable import RunRecorder
import Testing

/// End-to-end recordings of real child processes (and the sampler on a real process tree).
/// Serialized: the CPU measurements would disturb each other, and the signal test sends
/// SIGTERM and SIGINT to this process.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TaskRecorderProcessTests {
    @Test func twoBusyProcessesAverageAboutTwoCores() async throws {
        let busy = "timeout 2 sh -c 'while :; do :; done'"
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // `times` prints the shell's and its reaped children's CPU as the kernel accounted it:
        // an independent figure to compare the recording with.
        var configuration = try TestSupport.configuration(
            TestSupport.shell("\(busy) & \(busy) & wait; times"), interval: .milliseconds(250))
        configuration.captureStdout = true
        configuration.captureDirectory = directory
        configuration.stdoutPassthroughDescriptor = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(configuration.stdoutPassthroughDescriptor) }
        let result = try await TaskRecorder(configuration: configuration).run()
        let record = result.record
        let usage = record.usage
        #expect(result.exitStatus == 0)
        #expect((1.9...2.6).contains(record.durationSeconds))
        #expect(abs(usage.cpuSeconds - usage.avgCores * record.durationSeconds) < 0.01)
        #expect(usage.samples.count >= 6)
        #expect(usage.p95Cores <= usage.maxCores)

        let times = try String(contentsOfFile: try #require(result.stdoutCapturePath), encoding: .utf8)
        let kernelCPU = Self.sumOfShellTimes(times)
        #expect(kernelCPU > 0.2, "times output: \(times)")
        #expect(abs(usage.cpuSeconds - kernelCPU) < 0.05 + 0.05 * kernelCPU, "recorded \(usage.cpuSeconds) vs kernel \(kernelCPU)")

        // The samples must agree with the total: their time-weighted mean is the average.
        var previous = 0.0
        var coreSeconds = 0.0
        for sample in usage.samples {
            coreSeconds += sample.cores * (sample.t - previous)
            previous = sample.t
        }
        #expect(abs(coreSeconds / previous - usage.avgCores) < 0.15 * usage.avgCores + 0.05)
        // About two cores, unless other work on this machine took them: the node's busy share
        // tells how much CPU others used meanwhile.
        let cpus = Double(record.node.cpuCount ?? 2)
        let otherCores = (record.nodeCPUBusyFraction ?? 0) * cpus - usage.avgCores
        if cpus >= 2, otherCores < 0.3 {
            #expect((1.4...2.2).contains(usage.avgCores), "avgCores \(usage.avgCores)")
            #expect((1.4...2.3).contains(usage.maxCores), "maxCores \(usage.maxCores)")
            #expect(usage.p95Cores >= 1.3)
        } else {
            print("note: \(otherCores) cores used by other processes; two-core range not checked (avgCores \(usage.avgCores))")
        }
    }

    /// Adds up the four `NmS.SSs` figures printed by the shell's `times` builtin.
    static func sumOfShellTimes(_ text: String) -> Double {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).reduce(0) { total, word in
            let parts = word.dropLast().split(separator: "m")
            guard word.hasSuffix("s"), parts.count == 2, let minutes = Double(parts[0]), let seconds = Double(parts[1])
            else { return total }
            return total + minutes * 60 + seconds
        }
    }

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
    @Test func peakMemoryCatchesSpikesButNotTheRecorder() async throws {
        let spike = try await TaskRecorder(configuration: TestSupport.configuration(
            ["python3", "-c", "b = bytearray(300*1024*1024)"], interval: .seconds(5))).run()
        #expect(spike.exitStatus == 0)
        #expect(spike.record.usage.samples.count == 1)
        #expect(spike.record.usage.peakMemoryBytes >= 300 << 20)

        let small = try await TaskRecorder(configuration: TestSupport.configuration(["sleep", "0.3"])).run()
        let ownHighWater = try #require(ProcFile.statusBytes("VmHWM"))
        #expect(ownHighWater > 32 << 20)
        #expect(small.record.usage.peakMemoryBytes < 16 << 20, "sleep peak \(small.record.usage.peakMemoryBytes)")
        #expect(small.record.usage.peakMemoryBytes > 0)
    }

    /// The same fixed amount of shell work, run directly, in two subshells, in short-lived
    /// grandchildren reaped between samples, and in an orphan: all must be accounted.
    @Test func cpuOfGrandchildrenIsAccounted() async throws {
        let work = TestSupport.fixedWork
        let single = try await TaskRecorder(configuration: TestSupport.configuration(TestSupport.shell(work))).run()
        let unit = single.record.usage.cpuSeconds
        #expect(unit > 0.1)

        let subshells = try await TaskRecorder(configuration: TestSupport.configuration(
            TestSupport.shell("(\(work)) & (\(work)) & wait"))).run()
        #expect(abs(subshells.record.usage.cpuSeconds - 2 * unit) < 0.35 * unit,
                "two subshells: \(subshells.record.usage.cpuSeconds) vs unit \(unit)")

        // Eight grandchildren doing an eighth of the work each, started and reaped by the shell
        // between two 5 s samples.
        let quickWork = "i=0; while [ $i -lt 50000 ]; do i=$((i+1)); done"
        let quick = try await TaskRecorder(configuration: TestSupport.configuration(
            TestSupport.shell("for n in 1 2 3 4 5 6 7 8; do sh -c '\(quickWork)'; done"), interval: .seconds(5))).run()
        #expect(abs(quick.record.usage.cpuSeconds - unit) < 0.35 * unit,
                "short-lived grandchildren: \(quick.record.usage.cpuSeconds) vs unit \(unit)")
    }

    /// A worker that is orphaned at once (its parent shell exits) and is reaped by init, so its
    /// CPU never reaches the command's rusage; found through the process group.
    @Test func cpuOfAnOrphanInTheProcessGroupIsAccounted() async throws {
        try await checkOrphanAccounting(parentLingers: 0, ownProcessGroup: true)
    }

    /// The same orphan seen as a descendant before its parent exits, then followed after it is
    /// reparented (sticky membership), without process-group tracking.
    @Test func cpuOfAnOrphanSeenBeforeReparentingIsAccounted() async throws {
        try await checkOrphanAccounting(parentLingers: 0.4, ownProcessGroup: false)
    }

    private func checkOrphanAccounting(parentLingers: Double, ownProcessGroup: Bool) async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let done = directory + "/done"
        let script = "sh -c '(\(TestSupport.fixedWork); touch \(done)) & sleep \(parentLingers)'; "
            + "while [ ! -e \(done) ]; do sleep 0.05; done"
        let work = try await TaskRecorder(configuration: TestSupport.configuration(
            TestSupport.shell(TestSupport.fixedWork), ownProcessGroup: ownProcessGroup)).run()
        let result = try await TaskRecorder(configuration: TestSupport.configuration(
            TestSupport.shell(script), ownProcessGroup: ownProcessGroup)).run()
        let unit = work.record.usage.cpuSeconds
        #expect(result.record.usage.cpuSeconds > 0.6 * unit, "orphan: \(result.record.usage.cpuSeconds) vs unit \(unit)")
        #expect(result.record.usage.cpuSeconds < 1.5 * unit + 0.2)
    }

    /// Grandchildren that ran and were reaped before the sampler ever looked are still counted,
    /// through the parent's cutime/cstime.
    @Test func countsGrandchildrenReapedBeforeTheFirstSample() async throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let marker = directory + "/done"
        let unitRun = try await TaskRecorder(configuration: TestSupport.configuration(TestSupport.shell(TestSupport.fixedWork))).run()
        let unit = unitRun.record.usage.cpuSeconds

        // Started with the recorder's spawner: Foundation's Process would pass on this thread's
        // blocked signal mask, and dash then never wakes up from `wait`.
        let child = try ChildProcess.spawn(
            command: TestSupport.shell("for n in 1 2 3 4; do sh -c '\(TestSupport.fixedWork)' & wait; done; touch \(marker); sleep 5"),
            environment: nil, standardOutput: nil, newProcessGroup: false)
        defer {
            kill(child.pid, SIGKILL)
            _ = child.reap()
        }
        #expect(try await TestSupport.waitUntil(seconds: 20) { FileManager.default.fileExists(atPath: marker) })
        var sampler = ProcessTreeSampler(rootPID: child.pid)
        let sample = sampler.sample()
        #expect(sample.processCount == 2)  // the shell and its sleep
        #expect(abs(sample.cpuSeconds - 4 * unit) < 0.35 * 4 * unit, "\(sample.cpuSeconds) vs 4 × \(unit)")
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
        #expect(try await TestSupport.waitUntil { FileManager.default.fileExists(atPath: ready) })
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
        let result = try await TaskRecorder(configuration: configuration).run()
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
        #expect(record.nodeCPUBusyFraction.map { (0...1).contains($0) } ?? true)
        #expect(try TaskRecord.decode(record.encoded()).identity == record.identity)
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
