/// One edit in an alignment of a hypothesis against a reference, positioned like rapidfuzz's
/// `editops`: `referenceIndex`/`hypothesisIndex` are the positions in each word list where the
/// edit applies.
public struct WordEdit: Hashable, Sendable {
    /// What the edit does to the reference to turn it into the hypothesis.
    public enum Kind: String, Sendable, Codable {
        /// A reference word replaced by a different hypothesis word.
        case substitute
        /// A reference word missing from the hypothesis.
        case delete
        /// A hypothesis word absent from the reference.
        case insert
    }

    /// The kind of edit.
    public var kind: Kind
    /// Position in the reference word list.
    public var referenceIndex: Int
    /// Position in the hypothesis word list.
    public var hypothesisIndex: Int

    /// Creates an edit.
    public init(kind: Kind, referenceIndex: Int, hypothesisIndex: Int) {
        self.kind = kind
        self.referenceIndex = referenceIndex
        self.hypothesisIndex = hypothesisIndex
    }
}

/// A minimum-edit alignment of two word sequences that makes the same choices as jiwer 4
/// (rapidfuzz's `Levenshtein.opcodes`), so that substitution, deletion and insertion counts —
/// not only the distance — agree with jiwer.
///
/// The structure follows rapidfuzz: strip the common prefix and suffix; when the remaining
/// banded matrix would exceed 1 MiB of bit vectors, split the hypothesis in half at the
/// reference position that minimises the summed distances (the first such position, never 0),
/// and recurse (Hirschberg); otherwise backtrack from the end preferring a deletion, then an
/// insertion, then the diagonal. Distances come from Ukkonen's furthest-reaching diagonals
/// (``FurthestReaching``), so the cost is O((n + m) · d) time, not an n × m table.
public enum WordAligner {
    /// Most `L(d, k)` entries kept for one backtracking subproblem before falling back to a
    /// table (which the split rule keeps small in that case).
    static let maximumHistoryEntries = 16 << 20

    /// Aligns `hypothesis` against `reference` and returns the edits in increasing position order.
    public static func align(reference: [Int32], hypothesis: [Int32]) -> [WordEdit] {
        var edits: [WordEdit] = []
        reference.withUnsafeBufferPointer { a in
            hypothesis.withUnsafeBufferPointer { b in
                alignRange(a, b, aOffset: 0, bOffset: 0, bound: max(a.count, b.count), into: &edits)
            }
        }
        return edits
    }

    /// The edit distance alone (the same number every minimal alignment has).
    public static func distance(reference: [Int32], hypothesis: [Int32]) -> Int {
        align(reference: reference, hypothesis: hypothesis).count
    }

    private static func alignRange(
        _ fullA: UnsafeBufferPointer<Int32>, _ fullB: UnsafeBufferPointer<Int32>,
        aOffset: Int, bOffset: Int, bound: Int, into edits: inout [WordEdit]
    ) {
        var prefix = 0
        while prefix < fullA.count, prefix < fullB.count, fullA[prefix] == fullB[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < fullA.count - prefix, suffix < fullB.count - prefix,
              fullA[fullA.count - 1 - suffix] == fullB[fullB.count - 1 - suffix] { suffix += 1 }
        let a = UnsafeBufferPointer(rebasing: fullA[prefix..<(fullA.count - suffix)])
        let b = UnsafeBufferPointer(rebasing: fullB[prefix..<(fullB.count - suffix)])
        let aOffset = aOffset + prefix, bOffset = bOffset + prefix

        let bound = min(bound, max(a.count, b.count))
        let fullBand = min(a.count, 2 * bound + 1)
        let matrixSize = 2 * fullBand * b.count / 8
        if matrixSize < 1 << 20 || a.count < 65 || b.count < 10 {
            backtrack(a, b, aOffset: aOffset, bOffset: bOffset, into: &edits)
            return
        }
        let middle = b.count / 2
        let split = bestSplit(a, b, middle: middle)
        alignRange(UnsafeBufferPointer(rebasing: a[..<split.position]), UnsafeBufferPointer(rebasing: b[..<middle]),
                   aOffset: aOffset, bOffset: bOffset, bound: split.left, into: &edits)
        alignRange(UnsafeBufferPointer(rebasing: a[split.position...]), UnsafeBufferPointer(rebasing: b[middle...]),
                   aOffset: aOffset + split.position, bOffset: bOffset + middle, bound: split.right, into: &edits)
    }

    /// The first reference position x in 1...n minimising D(a[..<x], b[..<middle]) + D(a[x...], b[middle...]).
    private static func bestSplit(
        _ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, middle: Int
    ) -> (position: Int, left: Int, right: Int) {
        let n = a.count
        let reversedA = Array(a.reversed())
        let reversedRight = Array(b[middle...].reversed())
        var cap = 64
        let ceiling = max(n, b.count)
        while true {
            let left = FurthestReaching.lastColumn(a, UnsafeBufferPointer(rebasing: b[..<middle]), cap: cap)
            let right = reversedA.withUnsafeBufferPointer { ra in
                reversedRight.withUnsafeBufferPointer { rb in FurthestReaching.lastColumn(ra, rb, cap: cap) }
            }
            var best: (position: Int, left: Int, right: Int)?
            for x in 1...max(n, 1) where x <= n {
                let l = left[x], r = right[n - x]
                guard l <= cap, r <= cap else { continue }
                if best.map({ l + r < $0.left + $0.right }) ?? true { best = (x, l, r) }
            }
            if let best, best.left + best.right <= cap || cap >= ceiling { return best }
            if cap >= ceiling { return (max(n, 1), left[n], right[0]) }
            cap = min(cap * 2, ceiling)
        }
    }

    /// rapidfuzz's `recover_alignment` over exact distances.
    private static func backtrack(
        _ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>,
        aOffset: Int, bOffset: Int, into edits: inout [WordEdit]
    ) {
        if a.isEmpty || b.isEmpty {
            for i in 0..<a.count { edits.append(WordEdit(kind: .delete, referenceIndex: aOffset + i, hypothesisIndex: bOffset)) }
            for j in 0..<b.count { edits.append(WordEdit(kind: .insert, referenceIndex: aOffset, hypothesisIndex: bOffset + j)) }
            return
        }
        if let history = FurthestReaching(a, b, margin: 2, maximumEntries: maximumHistoryEntries) {
            recover(a, b, aOffset: aOffset, bOffset: bOffset, into: &edits) { history.value($0, $1) }
        } else {
            let table = DistanceTable(a, b)
            recover(a, b, aOffset: aOffset, bOffset: bOffset, into: &edits) { table.value($0, $1) }
        }
    }

    private static func recover(
        _ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>, aOffset: Int, bOffset: Int,
        into edits: inout [WordEdit], distance: (Int, Int) -> Int
    ) {
        var reversed: [WordEdit] = []
        var i = a.count, j = b.count
        while i > 0, j > 0 {
            if distance(i, j) - distance(i - 1, j) == 1 {
                i -= 1
                reversed.append(WordEdit(kind: .delete, referenceIndex: aOffset + i, hypothesisIndex: bOffset + j))
            } else {
                j -= 1
                if j > 0, distance(i, j) - distance(i - 1, j) == -1 {
                    reversed.append(WordEdit(kind: .insert, referenceIndex: aOffset + i, hypothesisIndex: bOffset + j))
                } else {
                    i -= 1
                    if a[i] != b[j] {
                        reversed.append(WordEdit(kind: .substitute, referenceIndex: aOffset + i, hypothesisIndex: bOffset + j))
                    }
                }
            }
        }
        while i > 0 {
            i -= 1
            reversed.append(WordEdit(kind: .delete, referenceIndex: aOffset + i, hypothesisIndex: bOffset + j))
        }
        while j > 0 {
            j -= 1
            reversed.append(WordEdit(kind: .insert, referenceIndex: aOffset + i, hypothesisIndex: bOffset + j))
        }
        edits.append(contentsOf: reversed.reversed())
    }
}

/// A full dynamic-programming table, used only for the small subproblems where the diagonal
/// history would be larger (very unequal lengths).
private struct DistanceTable {
    let columns: Int
    var cells: [Int32]

    init(_ a: UnsafeBufferPointer<Int32>, _ b: UnsafeBufferPointer<Int32>) {
        columns = b.count + 1
        cells = [Int32](repeating: 0, count: (a.count + 1) * columns)
        for j in 0...b.count { cells[j] = Int32(j) }
        for i in 1...max(a.count, 1) where i <= a.count {
            cells[i * columns] = Int32(i)
            for j in 1...max(b.count, 1) where j <= b.count {
                let diagonal = cells[(i - 1) * columns + j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                let up = cells[(i - 1) * columns + j] + 1
                let left = cells[i * columns + j - 1] + 1
                cells[i * columns + j] = min(diagonal, up, left)
            }
        }
    }

    func value(_ i: Int, _ j: Int) -> Int { Int(cells[i * columns + j]) }
}
