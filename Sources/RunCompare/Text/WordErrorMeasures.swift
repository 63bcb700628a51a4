/// Word-level error measures of a hypothesis against a reference, computed exactly as jiwer 4
/// does (`process_words`), including its edge cases for empty texts.
///
/// WER is asymmetric: it divides by the reference length, so `B vs A` and `A vs B` differ.
/// MER and WIL are symmetric in the sense that they divide by both lengths.
public struct WordErrorMeasures: Hashable, Sendable, Codable {
    /// Words that match.
    public var hits: Int
    /// Reference words replaced by other words.
    public var substitutions: Int
    /// Reference words missing from the hypothesis.
    public var deletions: Int
    /// Hypothesis words absent from the reference.
    public var insertions: Int
    /// Words in the reference (`hits + substitutions + deletions`).
    public var referenceWords: Int { hits + substitutions + deletions }
    /// Words in the hypothesis (`hits + substitutions + insertions`).
    public var hypothesisWords: Int { hits + substitutions + insertions }
    /// The number of edits (`substitutions + deletions + insertions`).
    public var errors: Int { substitutions + deletions + insertions }

    /// Creates measures from counts.
    public init(hits: Int, substitutions: Int, deletions: Int, insertions: Int) {
        self.hits = hits
        self.substitutions = substitutions
        self.deletions = deletions
        self.insertions = insertions
    }

    /// Counts the edits of an alignment of `hypothesisWords` words against `referenceWords` words.
    public init(edits: [WordEdit], referenceWords: Int) {
        var s = 0, d = 0, i = 0
        for edit in edits {
            switch edit.kind {
            case .substitute: s += 1
            case .delete: d += 1
            case .insert: i += 1
            }
        }
        self.init(hits: referenceWords - s - d, substitutions: s, deletions: d, insertions: i)
    }

    /// Word error rate `(S + D + I) / (H + S + D)`; with an empty reference, jiwer's value:
    /// the number of insertions.
    public var wer: Double {
        referenceWords == 0 ? Double(insertions) : Double(errors) / Double(referenceWords)
    }

    /// Match error rate `(S + D + I) / (H + S + D + I)`; 0 or 1 with an empty reference.
    public var mer: Double {
        if referenceWords == 0 { return hypothesisWords == 0 ? 0 : 1 }
        return Double(errors) / Double(hits + substitutions + deletions + insertions)
    }

    /// Word information preserved `(H / N_ref) · (H / N_hyp)`.
    public var wip: Double {
        if referenceWords == 0 { return hypothesisWords == 0 ? 1 : 0 }
        guard hypothesisWords >= 1 else { return 0 }
        return (Double(hits) / Double(referenceWords)) * (Double(hits) / Double(hypothesisWords))
    }

    /// Word information lost `1 − WIP`.
    public var wil: Double { 1 - wip }

    /// The sum of two sets of counts (a corpus-level aggregate, as jiwer computes over lists).
    public static func + (lhs: WordErrorMeasures, rhs: WordErrorMeasures) -> WordErrorMeasures {
        WordErrorMeasures(
            hits: lhs.hits + rhs.hits, substitutions: lhs.substitutions + rhs.substitutions,
            deletions: lhs.deletions + rhs.deletions, insertions: lhs.insertions + rhs.insertions)
    }

    /// No words at all.
    public static let zero = WordErrorMeasures(hits: 0, substitutions: 0, deletions: 0, insertions: 0)
}

/// The comparison of two texts: measures plus a short word diff.
public struct TextComparison: Hashable, Sendable {
    /// The measures of the hypothesis against the reference.
    public var measures: WordErrorMeasures
    /// The first differences, e.g. `… sat on [-the-] {+a+} mat …`.
    public var diff: [String]
}

/// Computes WER and friends between two texts.
public enum WordErrorRate {
    /// Compares `hypothesis` with `reference` after normalising both with `normalization`.
    /// - Parameter diffLimit: how many difference hunks to describe.
    public static func compare(
        reference: String, hypothesis: String, normalization: TextNormalization, diffLimit: Int = 3
    ) -> TextComparison {
        var table = WordTable()
        let ref = Tokenizer.words(reference, mode: normalization, table: &table)
        let hyp = Tokenizer.words(hypothesis, mode: normalization, table: &table)
        let edits = WordAligner.align(reference: ref, hypothesis: hyp)
        let measures = WordErrorMeasures(edits: edits, referenceWords: ref.count)
        let diff = WordDiff.hunks(edits: edits, reference: ref, hypothesis: hyp, table: table, limit: diffLimit)
        return TextComparison(measures: measures, diff: diff)
    }

    /// The words of `text` after normalisation (for tests and tools).
    public static func words(_ text: String, normalization: TextNormalization) -> [String] {
        var table = WordTable()
        return Tokenizer.words(text, mode: normalization, table: &table).map { table.word($0) }
    }
}
