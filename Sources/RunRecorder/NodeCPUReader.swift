/// Reads node-wide CPU and memory figures from `/proc`.
public struct NodeCPUReader: Sendable {
    /// The proc file system root, `/proc` outside tests.
    public let procRoot: String

    /// Creates a reader of `procRoot`.
    public init(procRoot: String = "/proc") {
        self.procRoot = procRoot
    }

    /// The aggregate CPU tick counters; take two and use ``NodeCPUTimes/busyFraction(from:to:)``.
    public func cpuTimes() -> NodeCPUTimes? {
        ProcFile.readText(procRoot + "/stat").flatMap { NodeCPUTimes(parsingProcStat: $0) }
    }

    /// Number of CPUs listed in `/proc/stat` (`cpu0`, `cpu1`, …); nil if none are listed.
    public func cpuCount() -> Int? {
        guard let text = ProcFile.readText(procRoot + "/stat") else { return nil }
        let count = text.split(separator: "\n").filter { line in
            line.hasPrefix("cpu") && line.dropFirst(3).first.map { $0.isASCII && $0.isNumber } == true
        }.count
        return count > 0 ? count : nil
    }

    /// Total memory of the node in bytes (`MemTotal` of `/proc/meminfo`).
    public func memoryTotalBytes() -> Int64? {
        guard let text = ProcFile.readText(procRoot + "/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let words = line.split(separator: " ")
            guard words.count >= 2, let kibibytes = Int64(words[1]) else { return nil }
            return words.count >= 3 && words[2] == "kB" ? kibibytes * 1024 : kibibytes
        }
        return nil
    }

    /// Node-wide CPU pressure (`/proc/pressure/cpu`), the fallback when the cgroup has none.
    public func cpuPressure() -> PressureStallInfo? {
        ProcFile.readText(procRoot + "/pressure/cpu").flatMap { PressureStallInfo(parsing: $0) }
    }
}
