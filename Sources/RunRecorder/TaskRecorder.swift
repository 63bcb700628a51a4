import Dispatch
import Foundation
import Glibc
import Logging
import RunModel

/// Runs one command and records what it used as a ``TaskRecord``.
///
/// The command is started with `posix_spawnp`; stdin and stderr are inherited, stdout is
/// passed through (and optionally copied byte-exact to a capture file). SIGTERM and SIGINT
/// sent to this process are forwarded to the command. While it runs, its whole process tree is
/// sampled every ``Configuration/sampleInterval`` with ``ProcessTreeSampler``; limits,
/// throttling and pressure come from the cgroup, node load from `/proc/stat`.
public struct TaskRecorder: Sendable {
    /// What to run and how.
    public let configuration: Configuration
    /// Where diagnostics go.
    public let logger: Logger

    /// Creates a recorder for one run of `configuration.command`.
    public init(configuration: Configuration, logger: Logger = Logger(label: "larder.recorder")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the command on a dedicated thread (not a Swift concurrency thread) and returns its record.
    /// - Throws: ``TaskRecorderError`` when the command cannot be started. A command that fails
    ///   or is killed is not an error; see ``TaskRunResult/exitStatus``.
    public func run() async throws -> TaskRunResult {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try OSThread.detach { continuation.resume(with: Result { try runBlocking() }) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Runs the command on the calling thread, blocking until it (and the stdout copy) finish.
    /// - Throws: ``TaskRecorderError`` when the command cannot be started.
    public func runBlocking() throws -> TaskRunResult {
        let config = configuration
        guard !config.command.isEmpty else { throw TaskRecorderError.emptyCommand }
        let interval = min(3600, max(0.01, config.sampleInterval.inSeconds))
        let limits = ResourceAmounts(cpu: config.cgroup.cpuLimitCores(), memoryBytes: config.cgroup.memoryLimitBytes())
        let cgroupCPUBefore = config.cgroup.cpuStat()
        let nodeTimesBefore = config.node.cpuTimes()

        let tee = try config.captureStdout
            ? StdoutTee(directory: config.captureDirectory ?? Self.temporaryDirectory(),
                        passthrough: config.stdoutPassthroughDescriptor)
            : nil
        try tee?.start()
        let forwarder = SignalForwarder.shared
        do { try forwarder.activate() } catch {
            Self.discard(tee)
            throw error
        }
        defer { forwarder.deactivate() }

        let threadCPUBefore = OSThread.currentThreadCPUSeconds()
        let startDate = Date()
        let startNanos = MonotonicClock.now()
        // The kernel seeds the child's ru_maxrss with this process's high-water mark (see below); resetting it to
        // our current size first keeps an earlier, since-freed peak of ours from hiding the task's own.
        ProcFile.resetOwnHighWaterMark()
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                command: config.command, environment: config.environment,
                standardOutput: tee?.childWriteEnd ?? config.stdoutPassthroughDescriptor,
                newProcessGroup: config.ownProcessGroup)
        } catch {
            Self.discard(tee)
            throw error
        }
        forwarder.register(child.pid, sharesProcessGroup: !config.ownProcessGroup)
        tee?.closeChildWriteEnd()
        logger.debug("started task command", metadata: ["task": "\(config.identity)", "pid": "\(child.pid)"])

        let exited = DispatchSemaphore(value: 0)
        let watcher: OSThread
        do {
            watcher = try OSThread.start { child.waitForExit(); exited.signal() }
        } catch {
            kill(child.pid, SIGKILL)
            child.waitForExit()
            forwarder.unregister(child.pid)
            _ = child.reap()
            Self.discard(tee)
            throw error
        }

        var sampler = ProcessTreeSampler(rootPID: child.pid, includeProcessGroup: config.ownProcessGroup)
        var tracker = UsageTracker(interval: interval, maxSamples: config.maxSamples)
        let intervalNanos = UInt64(interval * 1e9)
        var tick: UInt64 = 1
        while exited.wait(timeout: DispatchTime(uptimeNanoseconds: startNanos + tick * intervalNanos)) == .timedOut {
            let sample = sampler.sample()
            let elapsed = MonotonicClock.seconds(from: startNanos, to: MonotonicClock.now())
            tracker.record(sample, elapsed: elapsed, isFinal: false)
            tracker.notePressure(cpuPressureAvg10())
            tick = max(tick + 1, UInt64(elapsed / interval) + 1)
        }
        // The command has exited but is not reaped yet, so its /proc entry is still readable.
        let duration = MonotonicClock.seconds(from: startNanos, to: MonotonicClock.now())
        let endDate = Date()
        let finalSample = sampler.sample()
        tracker.record(finalSample, elapsed: duration, isFinal: true)
        tracker.notePressure(cpuPressureAvg10())
        forwarder.unregister(child.pid)
        let termination = child.reap()
        watcher.join()
        let samplingCPU = OSThread.currentThreadCPUSeconds() - threadCPUBefore
        let teeOutcome = tee?.finish(waitingAtMost: config.stdoutDrainTimeout.inSeconds)
        if let error = teeOutcome?.captureError {
            logger.warning("stdout capture incomplete", metadata: ["reason": "\(error)"])
        }

        // posix_spawn's vfork-style child starts out sharing this process's memory, so the
        // kernel seeds its ru_maxrss with our high-water mark; only a larger value is the task's.
        let ownHighWater = ProcFile.statusBytes("VmHWM") ?? Int64.max
        let childPeak = termination.maxResidentBytes > ownHighWater ? termination.maxResidentBytes : 0
        // wait4's rusage is exact (µs) for the command and all it waited for; the samples add
        // descendants that escaped that accounting (orphans) and fill gaps in the root's view.
        let cpuSeconds = finalSample.cpuSeconds + max(0, termination.cpuSeconds - (finalSample.rootCPUSeconds ?? 0))
        let exit = ExitOutcome(status: termination.status.map(Int.init), signal: termination.signal.map(Int.init))
        let record = TaskRecord(
            identity: config.identity,
            input: config.input,
            node: NodeDescription(
                name: config.nodeName,
                cpuCount: config.node.cpuCount() ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                memoryBytes: config.node.memoryTotalBytes()),
            start: startDate,
            end: endDate,
            durationSeconds: (duration * 1e6).rounded() / 1e6,
            exit: exit,
            requests: config.requests,
            limits: limits,
            usage: tracker.usage(
                cpuSeconds: cpuSeconds, duration: duration, otherPeakBytes: childPeak,
                cgroupPeakBytes: config.cgroup.memoryPeakBytes()),
            throttling: Self.throttling(from: cgroupCPUBefore, to: config.cgroup.cpuStat()),
            cpuPressureSomeAvg10: tracker.maxPressureAvg10,
            nodeCPUBusyFraction: nodeTimesBefore.flatMap { before in
                config.node.cpuTimes().flatMap { NodeCPUTimes.busyFraction(from: before, to: $0) }
            }.map { ($0 * 1e4).rounded() / 1e4 },
            command: config.command
        )
        logger.debug("task command finished", metadata: ["task": "\(config.identity)", "exit": "\(exit.shellStatus)"])
        return TaskRunResult(
            record: record,
            exitStatus: exit.shellStatus,
            stdoutCapturePath: tee?.capturePath,
            stdoutCaptureError: teeOutcome?.captureError,
            recorderCPUSeconds: samplingCPU + (teeOutcome?.cpuSeconds ?? 0)
        )
    }

    /// The cgroup's CPU pressure, or the node's when the cgroup has none.
    private func cpuPressureAvg10() -> Double? {
        configuration.cgroup.cpuPressureSomeAvg10() ?? configuration.node.cpuPressure()?.someAvg10
    }

    /// Throttling deltas between two `cpu.stat` readings; nil unless both report bandwidth counters.
    static func throttling(from before: CgroupCPUStat?, to after: CgroupCPUStat?) -> CPUThrottling? {
        guard let before, let after,
              let periodsBefore = before.nrPeriods, let periodsAfter = after.nrPeriods,
              let throttledBefore = before.nrThrottled, let throttledAfter = after.nrThrottled,
              let usecBefore = before.throttledMicroseconds, let usecAfter = after.throttledMicroseconds
        else { return nil }
        return CPUThrottling(
            nrPeriods: max(0, periodsAfter - periodsBefore),
            nrThrottled: max(0, throttledAfter - throttledBefore),
            throttledSeconds: Double(max(0, usecAfter - usecBefore)) / 1e6)
    }

    private static func temporaryDirectory() -> String {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        return directory.isEmpty ? "/tmp" : directory
    }

    /// Stops an unused capture and deletes its file.
    private static func discard(_ tee: StdoutTee?) {
        guard let tee else { return }
        _ = tee.finish(waitingAtMost: 0)
        unlink(tee.capturePath)
    }
}
