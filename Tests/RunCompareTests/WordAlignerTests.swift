import Testing
@testable import RunCompare
import RunFixtures

/// Reference edit distance by full dynamic programming (test oracle only).
func referenceDistance(_ a: [Int32], _ b: [Int32]) -> Int {
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where i <= a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where j <= b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

@Suite struct WordAlignerTests {
    func measures(_ r: String, _ h: String, _ mode: TextNormalization = .none) -> WordErrorMeasures {
        WordErrorRate.compare(reference: r, hypothesis: h, normalization: mode).measures
    }

    @Test func emptyStrings() {
        let both = measures("", "")
        #expect(both.wer == 0 && both.mer == 0 && both.wil == 0)
        let emptyReference = measures("", "a b")
        #expect(emptyReference.insertions == 2 && emptyReference.wer == 2 && emptyReference.mer == 1 && emptyReference.wil == 1)
        let emptyHypothesis = measures("a b c", "")
        #expect(emptyHypothesis.deletions == 3 && emptyHypothesis.wer == 1 && emptyHypothesis.wil == 1)
    }

    @Test func identical() {
        let m = measures("the cat sat on the mat", "the cat sat on the mat")
        #expect(m.errors == 0 && m.hits == 6 && m.wer == 0 && m.wil == 0)
    }

    @Test func allDifferent() {
        let m = measures("a b c d", "w x y z")
        #expect(m.substitutions == 4 && m.hits == 0 && m.wer == 1 && m.mer == 1 && m.wil == 1)
    }

    @Test func insertionsAtEnds() {
        let m = measures("b c d", "a b c d e")
        #expect(m.insertions == 2 && m.substitutions == 0 && m.deletions == 0)
        #expect(m.wer == 2.0 / 3.0)
        #expect(m.mer == 2.0 / 5.0)
        let edits = WordAligner.align(reference: [2, 3, 4], hypothesis: [1, 2, 3, 4, 5])
        #expect(edits == [WordEdit(kind: .insert, referenceIndex: 0, hypothesisIndex: 0),
                          WordEdit(kind: .insert, referenceIndex: 3, hypothesisIndex: 4)])
    }

    @Test func deletionsAtEnds() {
        let m = measures("a b c d e", "b c d")
        #expect(m.deletions == 2 && m.wer == 0.4)
    }

    @Test func distanceMatchesDynamicProgrammingOnRandomInputs() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<300 {
            let vocabulary = UInt64([2, 3, 6, 50][Int(rng.next() % 4)])
            let a = (0..<Int(rng.next() % 60)).map { _ in Int32(rng.next() % vocabulary) }
            let b = (0..<Int(rng.next() % 60)).map { _ in Int32(rng.next() % vocabulary) }
            let edits = WordAligner.align(reference: a, hypothesis: b)
            #expect(edits.count == referenceDistance(a, b))
            // Applying the edits to a must give b.
            #expect(Self.apply(edits, to: a, hypothesis: b) == b, "a=\(a) b=\(b) edits=\(edits)")
            let m = WordErrorMeasures(edits: edits, referenceWords: a.count)
            #expect(m.hypothesisWords == b.count && m.hits >= 0)
        }
    }

    /// Rebuilds the hypothesis from `reference` and the edits alone (words copied from the
    /// reference between edits, inserted/substituted words taken at their hypothesis index);
    /// nil when the edits are out of order or their hypothesis indexes are inconsistent.
    static func apply(_ edits: [WordEdit], to reference: [Int32], hypothesis: [Int32]) -> [Int32]? {
        var out: [Int32] = []
        var position = 0
        for edit in edits {
            guard edit.referenceIndex >= position, edit.referenceIndex <= reference.count else { return nil }
            out += reference[position..<edit.referenceIndex]
            position = edit.referenceIndex
            switch edit.kind {
            case .insert, .substitute:
                guard edit.hypothesisIndex == out.count, hypothesis.indices.contains(edit.hypothesisIndex) else { return nil }
                out.append(hypothesis[edit.hypothesisIndex])
                if edit.kind == .substitute {
                    guard position < reference.count else { return nil }
                    position += 1
                }
            case .delete:
                guard position < reference.count else { return nil }
                position += 1
            }
        }
        return out + reference[position...]
    }

    @Test func applyingEditsDetectsABrokenAlignment() {
        // The check above must be able to fail: a dropped edit or a wrong index gives another text.
        let a: [Int32] = [1, 2, 3], b: [Int32] = [1, 9, 3, 4]
        let edits = WordAligner.align(reference: a, hypothesis: b)
        #expect(Self.apply(edits, to: a, hypothesis: b) == b)
        #expect(Self.apply(Array(edits.dropLast()), to: a, hypothesis: b) != b)
        #expect(Self.apply([WordEdit(kind: .substitute, referenceIndex: 0, hypothesisIndex: 0)], to: a, hypothesis: b) != b)
    }

    @Test func longTextsUseTheSplitAndStayMinimal() {
        var rng = SplitMix64(seed: 11)
        let a = (0..<3000).map { _ in Int32(rng.next() % 4) }
        var b = a
        for _ in 0..<900 { b[Int(rng.next() % UInt64(b.count))] = Int32(rng.next() % 4) }
        for _ in 0..<200 { b.remove(at: Int(rng.next() % UInt64(b.count))) }
        let edits = WordAligner.align(reference: a, hypothesis: b)
        #expect(edits.count == referenceDistance(a, b))
    }

    @Test func twentyThousandWords() {
        var rng = SplitMix64(seed: 5)
        let a = (0..<20_000).map { _ in Int32(rng.next() % 3000) }
        var b = a
        for index in stride(from: 0, to: b.count, by: 20) { b[index] = 5000 }
        let m = WordErrorMeasures(edits: WordAligner.align(reference: a, hypothesis: b), referenceWords: a.count)
        #expect(m.substitutions == 1000 && m.wer == 0.05)
    }

    @Test func diffShowsFirstDifferences() {
        let c = WordErrorRate.compare(reference: "the cat sat on the mat today", hypothesis: "the cat sits on a mat today",
                                      normalization: .basic)
        #expect(c.diff == ["the cat [-sat on the-] {+sits on a+} mat today"])
    }
}
