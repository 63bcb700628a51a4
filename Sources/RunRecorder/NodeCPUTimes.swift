/// The aggregate `cpu` line of `/proc/stat`, in clock ticks since boot.
public struct NodeCPUTimes: Sendable, Equatable {
    /// Ticks spent busy: user, nice, system, irq, softirq and steal.
    public var busyTicks: Int64
    /// All ticks: busy plus idle and iowait.
    public var totalTicks: Int64

    /// Creates a value from its parts.
    public init(busyTicks: Int64, totalTicks: Int64) {
        self.busyTicks = busyTicks
        self.totalTicks = totalTicks
    }

    /// Parses the first `cpu ` line of `/proc/stat` text; nil when absent or malformed.
    public init?(parsingProcStat text: String) {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { Int64($0) }
        guard values.count >= 4 else { return nil }
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let fields = Array(values.prefix(8))
        let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)
        let total = fields.reduce(0, +)
        self.init(busyTicks: total - idle, totalTicks: total)
    }

    /// The busy fraction (0…1) of all CPUs between `earlier` and `later`; nil if no time passed.
    public static func busyFraction(from earlier: NodeCPUTimes, to later: NodeCPUTimes) -> Double? {
        let total = later.totalTicks - earlier.totalTicks
        guard total > 0 else { return nil }
        let busy = later.busyTicks - earlier.busyTicks
        return min(1, max(0, Double(busy) / Double(total)))
    }
}
