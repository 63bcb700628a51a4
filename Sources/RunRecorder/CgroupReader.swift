/// Reads the cgroup v2 interface files of one cgroup directory.
///
/// By default the directory is the calling process's own cgroup: the `0::/path` line of
/// `/proc/self/cgroup` appended to the cgroup v2 mount (`/sys/fs/cgroup`). Every accessor
/// returns nil when its file is absent, unreadable or malformed (cgroup v1 hosts, controllers
/// not enabled, older kernels without `memory.peak`); none of them throws.
public struct CgroupReader: Sendable {
    /// The cgroup directory read from, or nil when the process's cgroup could not be resolved.
    public let directory: String?

    /// Resolves the calling process's cgroup v2 directory under `root`.
    /// - Parameters:
    ///   - root: where the cgroup v2 hierarchy is mounted.
    ///   - membershipFile: the file listing the process's cgroups (`/proc/self/cgroup`).
    public init(root: String = "/sys/fs/cgroup", membershipFile: String = "/proc/self/cgroup") {
        directory = ProcFile.readText(membershipFile).flatMap { Self.resolve(membership: $0, root: root) }
    }

    /// Reads a given cgroup directory (a fixture in tests, or a known pod cgroup).
    public init(directory: String) {
        self.directory = directory
    }

    /// The directory for the unified (`0::`) entry of a `/proc/<pid>/cgroup` listing; nil without one.
    public static func resolve(membership: String, root: String) -> String? {
        for line in membership.split(separator: "\n") where line.hasPrefix("0::") {
            let path = line.dropFirst(3).trimmingWhitespace()
            guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else { return nil }
            let trimmedRoot = root.hasSuffix("/") ? String(root.dropLast()) : root
            return path == "/" ? trimmedRoot : trimmedRoot + path
        }
        return nil
    }

    /// The CPU limit in cores from `cpu.max` (`"200000 100000"` → 2.0); nil when unlimited (`max`).
    public func cpuLimitCores() -> Double? {
        guard let words = read("cpu.max")?.split(separator: " "), words.count == 2,
              let quota = Double(words[0]), let period = Double(words[1]), period > 0
        else { return nil }
        return quota / period
    }

    /// The memory limit in bytes from `memory.max`; nil when unlimited (`max`).
    public func memoryLimitBytes() -> Int64? {
        read("memory.max").flatMap { Int64($0) }
    }

    /// The highest memory use recorded for the cgroup (`memory.peak`, Linux ≥ 5.19).
    public func memoryPeakBytes() -> Int64? {
        read("memory.peak").flatMap { Int64($0) }
    }

    /// Current memory use of the cgroup (`memory.current`).
    public func memoryCurrentBytes() -> Int64? {
        read("memory.current").flatMap { Int64($0) }
    }

    /// CPU usage and throttling counters from `cpu.stat`.
    public func cpuStat() -> CgroupCPUStat? {
        read("cpu.stat").flatMap { CgroupCPUStat(parsing: $0) }
    }

    /// CPU pressure of the cgroup from `cpu.pressure`.
    public func cpuPressure() -> PressureStallInfo? {
        read("cpu.pressure").flatMap { PressureStallInfo(parsing: $0) }
    }

    /// The `some avg10` value of `cpu.pressure` (percent).
    public func cpuPressureSomeAvg10() -> Double? {
        cpuPressure()?.someAvg10
    }

    private func read(_ file: String) -> String? {
        guard let directory, let text = ProcFile.readText(directory + "/" + file) else { return nil }
        return text.trimmingWhitespace()
    }
}
