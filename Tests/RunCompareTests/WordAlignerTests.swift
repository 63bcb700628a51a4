import Testing
@testable import RunCompare

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
            var hits = 0
            let m = WordErrorMeasures(edits: edits, referenceWords: a.count)
            hits = m.hits
            #expect(m.hypothesisWords == b.count && hits >= 0)
        }
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
