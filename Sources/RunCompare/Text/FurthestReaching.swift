/// Ukkonen's furthest-reaching diagonals for unit-cost edit distance, over interned words.
///
/// For diagonal `k = j − i` and cost `d`, `L(d, k)` is the largest `i` with `D[i][i+k] ≤ d`,
/// where `D[i][j]` is the edit distance between `a[..<i]` and `b[..<j]`. Because `D` never
/// decreases along a diagonal, `D[i][j] = min { d : L(d, j − i) ≥ i }`; storing `L` for every
/// `d` up to the distance therefore answers any `D` query near the optimal paths in O(log d)
/// while using O(d²) memory and O((n + m) · d) time — never an n × m table.
struct FurthestReaching {
    /// Marks a diagonal that is not reachable (or outside the matrix) at a given cost.
    static let unreachable = Int32.min

    let n: Int
    let m: Int
    /// `L(d, k)` at index `d * d + (k + d)`, for d in 0...highestCost.
    private(set) var storage: [Int32] = []
    /// The edit distance `D[n][m]`.
    private(set) var distance = 0
    /// The largest cost whose diagonals are stored (the distance plus the requested margin).
    private(set) var highestCost = 0

    /// Runs the recurrence until `D[n][m]` is found, then `margin` more costs (so that cells next
    /// to an optimal path are exact). Returns nil when more than `maximumEntries` would be stored.
    init?(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, margin: Int, maximumEntries: Int) {
        n = a.count
        m = b.count
        var found: Int?
        var d = 0
        var previous: [Int32] = []
        var current: [Int32] = []
        while true {
            if (d + 1) * (d + 1) > maximumEntries { return nil }
            Self.step(a, b, cost: d, previous: previous, into: &current)
            storage.append(contentsOf: current)
            swap(&previous, &current)
            let target = m - n
            if found == nil, abs(target) <= d, previous[target + d] >= Int32(n) { found = d }
            if let found, d >= found + margin { break }
            d += 1
        }
        distance = found ?? d
        highestCost = d
    }

    /// Computes the diagonals of cost `d` (−d…d) into `current` from those of cost d − 1.
    @inline(__always)
    private static func step(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>,
                             cost d: Int, previous: [Int32], into current: inout [Int32]) {
        let n = a.count
        let m = b.count
        current.removeAll(keepingCapacity: true)
        previous.withUnsafeBufferPointer { previous in
            @inline(__always) func at(_ k: Int) -> Int32 {
                guard d > 0, abs(k) <= d - 1 else { return unreachable }
                return previous[k + d - 1]
            }
            for k in -d...d {
                if k > m || k < -n { current.append(unreachable); continue }
                var best = Int(unreachable)
                if d == 0 {
                    best = 0
                } else {
                    let same = at(k), below = at(k + 1), above = at(k - 1)
                    if same != unreachable { best = max(best, Int(same) + 1) }
                    if below != unreachable { best = max(best, Int(below) + 1) }
                    if above != unreachable { best = max(best, Int(above)) }
                }
                if best == Int(unreachable) { current.append(unreachable); continue }
                best = min(best, min(n, m - k))
                if best < max(0, -k) { current.append(unreachable); continue }
                while best < n, best + k < m, a[best] == b[best + k] { best += 1 }
                current.append(Int32(best))
            }
        }
    }

    /// `D[i][j]`, exact when it is at most ``highestCost``; otherwise `highestCost + 1`.
    func value(_ i: Int, _ j: Int) -> Int {
        let k = j - i
        if abs(k) > highestCost { return highestCost + 1 }
        var low = abs(k), high = highestCost + 1
        while low < high {
            let middle = (low + high) / 2
            if Int(storage[middle * middle + k + middle]) >= i { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// The distances `D(a[..<x], b)` for every `x` in 0...n, each exact when at most `cap` and
    /// `cap + 1` otherwise. Keeps only two cost levels, so memory is O(cap).
    static func lastColumn(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, cap: Int) -> [Int] {
        let n = a.count, m = b.count
        var column = [Int](repeating: cap + 1, count: n + 1)
        var remaining = n + 1
        var previous: [Int32] = []
        var current: [Int32] = []
        for d in 0...cap {
            step(a, b, cost: d, previous: previous, into: &current)
            swap(&previous, &current)
            for k in -d...d {
                let x = m - k
                guard x >= 0, x <= n, column[x] > cap else { continue }
                if Int(previous[k + d]) >= x { column[x] = d; remaining -= 1 }
            }
            if remaining == 0 { break }
        }
        return column
    }
}
