import Foundation
import RunRecorder
import Testing

@Suite struct CgroupReaderTests {
    @Test func readsALimitedCgroup() {
        let reader = CgroupReader(directory: TestSupport.fixtures + "/cgroup-limited")
        #expect(reader.cpuLimitCores() == 2.0)
        #expect(reader.memoryLimitBytes() == 4_294_967_296)
        #expect(reader.memoryPeakBytes() == 3_221_225_472)
        #expect(reader.memoryCurrentBytes() == 1_073_741_824)
        #expect(reader.cpuStat() == CgroupCPUStat(
            usageMicroseconds: 5_000_000, nrPeriods: 120, nrThrottled: 30, throttledMicroseconds: 2_500_000))
        #expect(reader.cpuPressureSomeAvg10() == 12.5)
        #expect(reader.cpuPressure() == PressureStallInfo(
            someAvg10: 12.5, someAvg60: 3.25, someAvg300: 0.75, someTotalMicroseconds: 987_654))
    }

    @Test func unlimitedValuesAndMissingControllersReadAsNil() {
        let reader = CgroupReader(directory: TestSupport.fixtures + "/cgroup-unlimited")
        #expect(reader.cpuLimitCores() == nil)
        #expect(reader.memoryLimitBytes() == nil)
        #expect(reader.memoryPeakBytes() == nil)
        #expect(reader.memoryCurrentBytes() == 524_288)
        let stat = reader.cpuStat()
        #expect(stat?.usageMicroseconds == 777)
        #expect(stat?.nrPeriods == nil)
        #expect(stat?.throttledMicroseconds == nil)
        #expect(reader.cpuPressure() == nil)
    }

    @Test func missingFilesAndDirectoriesReadAsNil() throws {
        let empty = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        for reader in [CgroupReader(directory: empty), CgroupReader(directory: empty + "/does-not-exist")] {
            #expect(reader.cpuLimitCores() == nil)
            #expect(reader.memoryLimitBytes() == nil)
            #expect(reader.memoryPeakBytes() == nil)
            #expect(reader.memoryCurrentBytes() == nil)
            #expect(reader.cpuStat() == nil)
            #expect(reader.cpuPressureSomeAvg10() == nil)
        }
    }

    @Test func malformedFilesReadAsNil() throws {
        let directory = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (file, text) in [("cpu.max", "lots\n"), ("memory.max", "4Gi\n"), ("cpu.stat", "nr_periods 1\n"), ("cpu.pressure", "some avg10=x\n")] {
            try text.write(toFile: directory + "/" + file, atomically: true, encoding: .utf8)
        }
        let reader = CgroupReader(directory: directory)
        #expect(reader.cpuLimitCores() == nil)
        #expect(reader.memoryLimitBytes() == nil)
        #expect(reader.cpuStat() == nil)
        #expect(reader.cpuPressure() == nil)
    }

    @Test func resolvesTheOwnCgroupFromTheMembershipFile() {
        let root = TestSupport.fixtures + "/cgroup-hierarchy"
        let reader = CgroupReader(root: root, membershipFile: TestSupport.fixtures + "/proc-self-cgroup-v2")
        #expect(reader.directory == root + "/kubepods.slice/pod-a/container-b")
        #expect(reader.cpuLimitCores() == 1.5)
        let hybrid = CgroupReader(root: root + "/", membershipFile: TestSupport.fixtures + "/proc-self-cgroup-hybrid")
        #expect(hybrid.directory == root + "/kubepods.slice/pod-a/container-b")
        let v1 = CgroupReader(root: root, membershipFile: TestSupport.fixtures + "/proc-self-cgroup-v1")
        #expect(v1.directory == nil)
        #expect(v1.cpuLimitCores() == nil)
        let missing = CgroupReader(root: root, membershipFile: TestSupport.fixtures + "/no-such-file")
        #expect(missing.directory == nil)
    }

    @Test func resolvesRootAndRejectsEscapes() {
        #expect(CgroupReader.resolve(membership: "0::/\n", root: "/sys/fs/cgroup") == "/sys/fs/cgroup")
        #expect(CgroupReader.resolve(membership: "0::/a/b\n", root: "/sys/fs/cgroup") == "/sys/fs/cgroup/a/b")
        #expect(CgroupReader.resolve(membership: "0::/../../etc\n", root: "/sys/fs/cgroup") == nil)
        #expect(CgroupReader.resolve(membership: "3:cpu:/a\n", root: "/sys/fs/cgroup") == nil)
    }
}

@Suite struct NodeCPUReaderTests {
    @Test func parsesProcStatAndComputesBusyFraction() throws {
        let before = try #require(NodeCPUTimes(parsingProcStat: "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n"))
        #expect(before == NodeCPUTimes(busyTicks: 150, totalTicks: 1000))
        let after = try #require(NodeCPUTimes(parsingProcStat: "cpu  400 0 50 1050 100 0 0 0 0 0\n"))
        #expect(NodeCPUTimes.busyFraction(from: before, to: after) == 0.5)
        #expect(NodeCPUTimes.busyFraction(from: before, to: before) == nil)
        #expect(NodeCPUTimes(parsingProcStat: "intr 1 2 3\n") == nil)
    }

    @Test func parsesPressureLines() {
        #expect(PressureStallInfo(parsing: "some avg10=1.50 avg60=0.20 avg300=0.05 total=42\n")?.someAvg10 == 1.5)
        #expect(PressureStallInfo(parsing: "full avg10=1.50 avg60=0.20 avg300=0.05 total=42\n") == nil)
        #expect(PressureStallInfo(parsing: "") == nil)
    }

    @Test func readsThisMachine() throws {
        let reader = NodeCPUReader()
        let count = try #require(reader.cpuCount())
        #expect(count == ProcessInfo.processInfo.processorCount)
        let memory = try #require(reader.memoryTotalBytes())
        #expect(memory == Int64(ProcessInfo.processInfo.physicalMemory))
        let first = try #require(reader.cpuTimes())
        #expect(first.busyTicks > 0 && first.totalTicks > first.busyTicks)
    }
}
