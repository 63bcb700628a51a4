import Foundation

/// Small statistics used by the comparison.
public enum Statistics {
    /// The median (mean of the two middle values for an even count); nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        percentile(values, 50)
    }

    /// The `p`-th percentile (0…100) with linear interpolation between closest ranks
    /// (NumPy's default, Hyndman–Fan type 7); nil when empty.
    public static func percentile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = min(max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        let fraction = rank - Double(low)
        return sorted[low] + (sorted[high] - sorted[low]) * fraction
    }

    /// A two-sided Mann–Whitney U test of `a` against `b`.
    ///
    /// Exact (enumerating the U distribution) when there are no ties and both samples have at
    /// most 25 values; otherwise the normal approximation with tie and continuity correction.
    /// Returns nil when either sample is empty.
    public static func mannWhitneyU(_ a: [Double], _ b: [Double]) -> (u: Double, p: Double, exact: Bool)? {
        let n1 = a.count, n2 = b.count
        guard n1 > 0, n2 > 0 else { return nil }
        // Mid-ranks of the pooled sample.
        let pooled = (a.map { ($0, 0) } + b.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: pooled.count)
        var tieTerm = 0.0
        var index = 0
        while index < pooled.count {
            var end = index
            while end + 1 < pooled.count, pooled[end + 1].0 == pooled[index].0 { end += 1 }
            let rank = Double(index + end + 2) / 2
            for k in index...end { ranks[k] = rank }
            let t = Double(end - index + 1)
            tieTerm += t * t * t - t
            index = end + 1
        }
        var rankSumA = 0.0
        for (k, item) in pooled.enumerated() where item.1 == 0 { rankSumA += ranks[k] }
        let u1 = rankSumA - Double(n1 * (n1 + 1)) / 2
        if tieTerm == 0, n1 <= 25, n2 <= 25 {
            let counts = exactDistribution(n1, n2)
            let total = counts.reduce(0, +)
            let u = Int(u1.rounded())
            let lower = counts[0...min(u, counts.count - 1)].reduce(0, +)
            let upper = counts[max(0, u)...].reduce(0, +)
            let p = min(1, 2 * min(lower, upper) / total)
            return (u1, p, true)
        }
        let n = Double(n1 + n2)
        let mean = Double(n1 * n2) / 2
        let variance = Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return (u1, 1, false) }
        let z = max(0, abs(u1 - mean) - 0.5) / variance.squareRoot()
        return (u1, min(1, erfc(z / 2.0.squareRoot())), false)
    }

    /// Number of arrangements giving each U (0…n1·n2) for samples of n1 and n2 without ties.
    static func exactDistribution(_ n1: Int, _ n2: Int) -> [Double] {
        // f[i][j][u]: arrangements of i values of A and j of B with U = u; built row by row.
        let maxU = n1 * n2
        var table = [[[Double]]](repeating: [[Double]](repeating: [], count: n2 + 1), count: n1 + 1)
        for i in 0...n1 {
            for j in 0...n2 {
                var row = [Double](repeating: 0, count: i * j + 1)
                if i == 0 || j == 0 {
                    row[0] = 1
                } else {
                    // The largest value is from A (adds j to U) or from B.
                    for u in 0...(i * j) {
                        var count = 0.0
                        if u - j >= 0, u - j < table[i - 1][j].count { count += table[i - 1][j][u - j] }
                        if u < table[i][j - 1].count { count += table[i][j - 1][u] }
                        row[u] = count
                    }
                }
                table[i][j] = row
            }
        }
        let result = table[n1][n2]
        return result.count == maxU + 1 ? result : [1]
    }
}
