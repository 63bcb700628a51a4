import Foundation
import RunModel

/// The rule that turns observed usage into `@kubernetes(cpu=…, memory=…)`.
///
/// - CPU: the `cpuPercentile`-th percentile (default 95) of the step's per-interval core samples
///   (pooled over its tasks; a task without samples contributes its recorded p95), taken in
///   each run, the higher of the two; times `1 + cpuHeadroom` (default 0.15); rounded up to a
///   whole core (to a quarter core below one core).
/// - Memory: the highest peak RSS of the step's tasks in either run, times `1 + memoryHeadroom`
///   (default 0.15), in MiB rounded up to a multiple of 256 MiB.
///
/// This follows Robusta KRR (CPU p95, memory max × 1.15) and the Kubernetes VPA recommender's
/// idea of a high percentile plus a safety margin. Requests come from the records (downward API);
/// nothing is inferred from cgroup `cpu.weight`.
public struct RecommendationRule: Sendable, Equatable, Codable {
    /// Percentile of core usage, 0…100.
    public var cpuPercentile: Double = 95
    /// Fraction added to CPU usage.
    public var cpuHeadroom: Double = 0.15
    /// Fraction added to peak memory.
    public var memoryHeadroom: Double = 0.15

    /// Creates a rule.
    public init(cpuPercentile: Double = 95, cpuHeadroom: Double = 0.15, memoryHeadroom: Double = 0.15) {
        self.cpuPercentile = cpuPercentile
        self.cpuHeadroom = cpuHeadroom
        self.memoryHeadroom = memoryHeadroom
    }

    /// Recommended cores for a usage percentile.
    public func cpu(forUsage cores: Double) -> Double {
        let target = cores * (1 + cpuHeadroom)
        if target <= 1 { return max(0.25, (target * 4).rounded(.up) / 4) }
        return target.rounded(.up)
    }

    /// Recommended MiB for a peak in bytes.
    public func memoryMiB(forPeak bytes: Int64) -> Int64 {
        let mib = Double(bytes) * (1 + memoryHeadroom) / 1_048_576
        let blocks = max(1, (mib / 256).rounded(.up))
        return Int64(blocks) * 256
    }

    /// The decorator text, e.g. `@kubernetes(cpu=14, memory=14336)`.
    public static func decorator(cpu: Double, memoryMiB: Int64) -> String {
        "@kubernetes(cpu=\(Quantity.formatCPU(cpu)), memory=\(memoryMiB))"
    }
}
