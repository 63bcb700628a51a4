import Foundation
import LarderTestSupport
import Glibc
import RunModel
@testable import RunRecorder
import Testing

/// CPU accounting of real process trees, measured against the kernel's own figure for the same processes: a
/// CPU-accounting cgroup each command joins first (``CPUAccountingGroup``). The tolerances are small enough
/// that one worker counted twice, or one lost, fails.
extension TaskRecorderProcessTests {
    /// The recorder's CPU may differ from the cgroup's by the shell's start before it joined the group and by
    /// rounding: a few milliseconds.
    static func tolerance(_ kernel: Double) -> Double { 0.02 + 0.03 * kernel }

    @Test func twoBusyProcessesAreMeasuredAgainstTheKernel() async throws {
        let group = try CPUAccountingGroup.create()
        defer { group.remove() }
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let busy = "timeout 2 sh -c 'while :; do :; done'"
        // `read … < /proc/uptime` is a shell builtin (no process): the span the loops ran, on the kernel's clock.
        // `times` prints the shell's and its reaped children's CPU as the kernel accounted it.
        var configuration = try TestSupport.configuration(group.shell(
            "read t0 rest < /proc/uptime; \(busy) & \(busy) & wait; read t1 rest < /proc/uptime; echo \"span $t0 $t1\"; times"),
            interval: .milliseconds(250))
        configuration.captureStdout = true
        configuration.captureDirectory = directory
        configuration.stdoutPassthroughDescriptor = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(configuration.stdoutPassthroughDescriptor) }
        let started = ContinuousClock.now
        let result = try await TaskRecorder(configuration: configuration).run()
        let wall = Self.seconds(ContinuousClock.now - started)
        let kernelCPU = try group.cpuSeconds()
        let record = result.record
        let usage = record.usage
        #expect(result.exitStatus == 0)

        let output = try String(contentsOfFile: try #require(result.stdoutCapturePath), encoding: .utf8)
        let span = try #require(Self.span(output), "output: \(output)")
        #expect(span >= 1.95, "the loops ran \(span) s")
        // The recorded duration encloses the loops and is enclosed by the test's own clock.
        #expect(record.durationSeconds >= span - 0.02 && record.durationSeconds <= wall + 0.01,
                "duration \(record.durationSeconds), loops \(span), test \(wall)")
        #expect(record.durationSeconds - span < 0.5, "duration \(record.durationSeconds), loops \(span)")

        // CPU: the cgroup's figure, and the shell's `times` (the same kernel accounting, from another place).
        #expect(kernelCPU > 0.5, "cgroup \(kernelCPU)")
        #expect(abs(usage.cpuSeconds - kernelCPU) <= Self.tolerance(kernelCPU), "recorded \(usage.cpuSeconds) vs cgroup \(kernelCPU)")
        let shellTimes = Self.sumOfShellTimes(output)
        #expect(abs(usage.cpuSeconds - shellTimes) < 0.05 + 0.05 * shellTimes, "recorded \(usage.cpuSeconds) vs times \(shellTimes)")

        // Cores: however much of the two cores the loops got on this machine, the recording must say the
        // same as the kernel's CPU over the loops' span.
        let kernelCores = kernelCPU / span
        #expect(abs(usage.avgCores - kernelCores) <= 0.1 * kernelCores + 0.05, "avgCores \(usage.avgCores) vs kernel \(kernelCores)")
        // The samples must agree with the total: their time-weighted mean is the average.
        var previous = 0.0
        var coreSeconds = 0.0
        for sample in usage.samples {
            coreSeconds += sample.cores * (sample.t - previous)
            previous = sample.t
        }
        #expect(usage.samples.count >= 6)
        #expect(abs(coreSeconds / previous - usage.avgCores) < 0.15 * usage.avgCores + 0.05)
        // The busiest interval used at least the average; two single-threaded loops cannot use more than two cores.
        let cores = Double(min(2, record.node.cpuCount ?? 2))
        #expect(usage.maxCores >= kernelCores - 0.1, "maxCores \(usage.maxCores) vs kernel average \(kernelCores)")
        #expect(usage.maxCores <= cores + 0.3, "maxCores \(usage.maxCores)")
        #expect(usage.p95Cores <= usage.maxCores)
    }

    /// The span between the two `/proc/uptime` readings printed as `span T0 T1`.
    static func span(_ output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("span ") }) else { return nil }
        let parts = line.split(separator: " ").compactMap { Double($0) }
        return parts.count == 2 ? parts[1] - parts[0] : nil
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

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Records `script` run inside a fresh CPU-accounting group; returns the recorded and the kernel's CPU.
    func recordInGroup(_ script: String, interval: Duration = .milliseconds(100),
                       ownProcessGroup: Bool = true) async throws -> (recorded: Double, kernel: Double) {
        let group = try CPUAccountingGroup.create()
        defer { group.remove() }
        let result = try await TaskRecorder(configuration: TestSupport.configuration(
            group.shell(script), interval: interval, ownProcessGroup: ownProcessGroup)).run()
        #expect(result.exitStatus == 0)
        return (result.record.usage.cpuSeconds, try group.cpuSeconds())
    }

    /// Work run directly, in two subshells, and in eight short-lived grandchildren reaped between two samples:
    /// all of it is accounted, once.
    @Test func cpuOfGrandchildrenIsAccounted() async throws {
        let work = TestSupport.fixedWork
        let single = try await recordInGroup(work)
        #expect(single.kernel > 0.1)
        #expect(abs(single.recorded - single.kernel) <= Self.tolerance(single.kernel), "one shell: \(single)")

        let subshells = try await recordInGroup("(\(work)) & (\(work)) & wait")
        #expect(subshells.kernel > 1.6 * single.kernel, "the work ran twice: \(subshells) vs \(single)")
        #expect(abs(subshells.recorded - subshells.kernel) <= Self.tolerance(subshells.kernel), "two subshells: \(subshells)")

        // Eight grandchildren, each doing about a quarter of the work, started and reaped by the shell between
        // two 5 s samples: one of them lost (or counted twice) is outside the tolerance.
        let quickWork = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done"
        let quick = try await recordInGroup("for n in 1 2 3 4 5 6 7 8; do sh -c '\(quickWork)'; done", interval: .seconds(5))
        // What makes the check below able to fail: one grandchild's share is larger than the tolerance. (Not a ratio
        // to `single`: on a loaded 2-core machine the eight shell start-ups made that ratio swing around 1.5.)
        #expect(quick.kernel > 0.2, "the grandchildren did measurable work: \(quick)")
        #expect(Self.tolerance(quick.kernel) < quick.kernel / 8, "the tolerance must be below one grandchild's share")
        #expect(abs(quick.recorded - quick.kernel) <= Self.tolerance(quick.kernel), "short-lived grandchildren: \(quick)")
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
        let orphan = try await recordInGroup(script, ownProcessGroup: ownProcessGroup)
        #expect(orphan.kernel > 0.1)
        // The orphan is sampled, not waited for: what it used after the last sample (at most one 100 ms
        // interval, and its exit) may be missing, never more; nothing may be counted twice.
        #expect(orphan.recorded >= orphan.kernel - 0.12 - 0.03 * orphan.kernel, "orphan: \(orphan)")
        #expect(orphan.recorded <= orphan.kernel + Self.tolerance(orphan.kernel), "orphan: \(orphan)")
    }

    /// Grandchildren that ran and were reaped before the sampler ever looked are still counted,
    /// through the parent's cutime/cstime.
    @Test func countsGrandchildrenReapedBeforeTheFirstSample() async throws {
        let group = try CPUAccountingGroup.create()
        defer { group.remove() }
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let marker = directory + "/done"

        // Started with the recorder's spawner: Foundation's Process would pass on this thread's
        // blocked signal mask, and dash then never wakes up from `wait`.
        let child = try ChildProcess.spawn(
            command: group.shell("for n in 1 2 3 4; do sh -c '\(TestSupport.fixedWork)' & wait; done; touch \(marker); sleep 5"),
            environment: nil, standardOutput: nil, newProcessGroup: false)
        defer {
            kill(child.pid, SIGKILL)
            _ = child.reap()
        }
        #expect(await eventually(timeout: .seconds(20), interval: .milliseconds(20)) { FileManager.default.fileExists(atPath: marker) })
        var sampler = ProcessTreeSampler(rootPID: child.pid)
        let sample = sampler.sample()
        let kernel = try group.cpuSeconds()
        #expect(sample.processCount == 2)  // the shell and its sleep
        #expect(kernel > 0.4)
        // cutime/cstime are in clock ticks (10 ms), so a little more rounding than elsewhere; one of the four
        // grandchildren lost is far outside.
        #expect(abs(sample.cpuSeconds - kernel) <= 0.04 + 0.03 * kernel, "sampled \(sample.cpuSeconds) vs cgroup \(kernel)")
    }
}
