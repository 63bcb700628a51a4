import Foundation
import LarderTestSupport
import Testing
@testable import RunCompare
import RunFixtures

/// Runs jiwer (from PyPI, in `tools/wer-corpus/.venv`) on 262 generated pairs and on corpora
/// mixing identical and differing pairs, and requires runcmp's WER, MER, WIL and
/// hit/substitution/deletion/insertion counts to be identical.
/// Fails, with jiwer's installer output, when jiwer cannot be installed.
@Suite struct JiwerCorpusTests {
    struct Pair: Codable { var reference: String; var hypothesis: String; var normalize: String }
    struct Result: Codable, Equatable {
        var wer: Double; var mer: Double; var wil: Double
        var hits: Int; var substitutions: Int; var deletions: Int; var insertions: Int
    }

    static let words = ["the", "The", "a", "cat", "sat", "on", "mat", "Hello,", "world!", "it's", "its", "twenty", "one", "21",
                        "café", "cafe\u{301}", "naïve", "Straße", "“quoted”", "end-to-end", "—", "don't", "colour", "color",
                        "1,000", "5%", "$5", "Mr.", "smith", "(laughs)", "[music]", "um", "uh", "x", "y", "z"]

    /// Deterministic pairs: short sentences with punctuation, case, Unicode and odd whitespace;
    /// empty and identical texts; tie-heavy long texts (up to 2,600 words, some past rapidfuzz's
    /// Hirschberg threshold) and two 20,000-word texts.
    static func corpus() -> [Pair] {
        var rng = SplitMix64(seed: 2024)
        var pairs: [Pair] = []
        func sentence(_ count: Int, vocabulary: Int) -> [String] {
            (0..<count).map { _ in words[Int(rng.next() % UInt64(min(vocabulary, words.count)))] }
        }
        func mutate(_ source: [String], rate: Double, vocabulary: Int) -> [String] {
            var out: [String] = []
            for word in source {
                let roll = Double(rng.next() % 10_000) / 10_000
                if roll < rate / 3 { continue }
                if roll < 2 * rate / 3 { out.append(words[Int(rng.next() % UInt64(vocabulary))]); continue }
                out.append(word)
                if roll < rate { out.append(words[Int(rng.next() % UInt64(vocabulary))]) }
            }
            return out
        }
        func join(_ list: [String]) -> String {
            var text = ""
            for (index, word) in list.enumerated() {
                if index > 0 { text += ["  ", " ", " ", "\t", "\n", " \n "][Int(rng.next() % 6)] }
                text += word
            }
            return (rng.next() % 4 == 0 ? "  " : "") + text + (rng.next() % 4 == 0 ? " \n" : "")
        }
        let fixed: [(String, String)] = [("", ""), ("", "a b"), ("a b c", ""), ("same words here", "same words here"),
                                         ("a b c d", "w x y z"), ("b c d", "a b c d e"), ("Hello, World!", "hello world")]
        for (reference, hypothesis) in fixed {
            for mode in ["none", "basic"] { pairs.append(Pair(reference: reference, hypothesis: hypothesis, normalize: mode)) }
        }
        while pairs.count < 200 {
            let vocabulary = [3, 6, 12, words.count][Int(rng.next() % 4)]
            let reference = sentence(Int(rng.next() % 40), vocabulary: vocabulary)
            let hypothesis = rng.next() % 5 == 0 ? sentence(Int(rng.next() % 40), vocabulary: vocabulary)
                : mutate(reference, rate: [0.05, 0.2, 0.5][Int(rng.next() % 3)], vocabulary: vocabulary)
            pairs.append(Pair(reference: join(reference), hypothesis: join(hypothesis), normalize: rng.next() % 2 == 0 ? "none" : "basic"))
        }
        for length in [300, 800, 2100, 2600] {
            for rate in [0.05, 0.4, 1.0] {
                for vocabulary in [3, 20] {
                    let reference = sentence(length, vocabulary: vocabulary)
                    let hypothesis = rate >= 1 ? sentence(length + Int(rng.next() % 100), vocabulary: vocabulary)
                        : mutate(reference, rate: rate, vocabulary: vocabulary)
                    pairs.append(Pair(reference: reference.joined(separator: " "), hypothesis: hypothesis.joined(separator: " "),
                                      normalize: "none"))
                }
            }
        }
        // Two 20,000-word texts (several Hirschberg levels in rapidfuzz).
        for vocabulary in [3, words.count] {
            let reference = sentence(20_000, vocabulary: vocabulary)
            pairs.append(Pair(reference: reference.joined(separator: " "),
                              hypothesis: mutate(reference, rate: 0.05, vocabulary: vocabulary).joined(separator: " "), normalize: "none"))
        }
        // Whisper mode: runcmp normalises, jiwer aligns the normalised words.
        for index in 0..<24 {
            let reference = join(sentence(10 + index, vocabulary: words.count))
            let hypothesis = join(mutate(sentence(10 + index, vocabulary: words.count), rate: 0.3, vocabulary: words.count))
            pairs.append(Pair(reference: WhisperNormalizer.normalize(reference), hypothesis: WhisperNormalizer.normalize(hypothesis),
                              normalize: "none"))
        }
        return pairs
    }

    /// A corpus measured as jiwer measures lists.
    struct Corpus: Codable { var references: [String]; var hypotheses: [String]; var normalize: String }

    /// Runs `tools/wer-corpus/run.sh` on `items`; nil (with an issue recorded) when jiwer is unavailable.
    static func jiwer<Item: Encodable>(_ items: [Item]) throws -> [Result]? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wer-corpus-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("pairs.json")
        try JSONEncoder().encode(items).write(to: input)
        let outcome = try ProcessRunner.runBlocking(
            "/bin/bash", [Fixtures.repositoryRoot.appendingPathComponent("tools/wer-corpus/run.sh").path, input.path],
            timeout: .seconds(600))
        guard outcome.status == 0 else {
            Issue.record("tools/wer-corpus/run.sh failed (status \(outcome.status)); jiwer is required for this check:\n\(outcome.stderr)")
            return nil
        }
        return try JSONDecoder().decode([Result].self, from: Data(outcome.stdout.utf8))
    }

    /// Corpus WER of runcmp's report (every text pair, identical ones included) equals
    /// `jiwer.wer(list_of_refs, list_of_hyps)` on mixes of identical and differing pairs.
    @Test func corpusWEREqualsJiwerOverLists() throws {
        let pairs = Self.corpus().filter { pair in
            let mode = TextNormalization(rawValue: pair.normalize) ?? .none
            return !WordErrorRate.words(pair.reference, normalization: mode).isEmpty
                && !WordErrorRate.words(pair.hypothesis, normalization: mode).isEmpty && pair.reference.count < 2000
        }
        var rng = SplitMix64(seed: 99)
        var corpora: [(Corpus, ComparisonReport)] = []
        for group in 0..<16 {
            let mode = group % 2 == 0 ? "none" : "basic"
            let candidates = pairs.filter { $0.normalize == mode }
            let size = 3 + Int(rng.next() % 10)
            let identicalShare = [0.0, 0.3, 0.7, 1.0][group % 4]
            var references: [String] = [], hypotheses: [String] = []
            for _ in 0..<size {
                let pair = candidates[Int(rng.next() % UInt64(candidates.count))]
                let identical = Double(rng.next() % 1000) / 1000 < identicalShare
                references.append(pair.reference)
                hypotheses.append(identical ? pair.reference : pair.hypothesis)
            }
            let tasksA = references.enumerated().map { TextRuns.Task(task: "\($0.offset + 1)", input: ["url": "v\($0.offset)"], text: $0.element) }
            let tasksB = hypotheses.enumerated().map { TextRuns.Task(task: "\($0.offset + 1)", input: ["url": "v\($0.offset)"], text: $0.element) }
            let report = RunComparer.compare(try TextRuns.run("A", tasksA), try TextRuns.run("B", tasksB),
                                             options: ComparisonOptions(normalization: TextNormalization(rawValue: mode) ?? .none))
            corpora.append((Corpus(references: references, hypotheses: hypotheses, normalize: mode), report))
        }
        // The issue's example: 10 identical words and 1 substitution in 4 words → 1/14.
        let example = try CorpusWERTests.example()
        corpora.append((Corpus(references: [CorpusWERTests.ten, "hello six minute english"],
                               hypotheses: [CorpusWERTests.ten, "hello six minutes english"], normalize: "basic"), example))
        guard let expected = try Self.jiwer(corpora.map(\.0)) else { return }
        try #require(expected.count == corpora.count)
        #expect(corpora.contains { $0.1.outputs.overall?.differ == 0 } && corpora.contains { ($0.1.outputs.overall?.differ ?? 0) > 0 })
        for (index, (corpus, report)) in corpora.enumerated() {
            let overall = try #require(report.outputs.overall)
            #expect(overall.texts == corpus.references.count)
            let m = overall.measures
            let actual = Result(wer: m.wer, mer: m.mer, wil: m.wil, hits: m.hits, substitutions: m.substitutions,
                                deletions: m.deletions, insertions: m.insertions)
            #expect(actual == expected[index], "corpus \(index) (\(corpus.normalize), \(corpus.references.count) pairs)")
        }
        #expect(expected.last?.wer == 1.0 / 14.0)
    }

    @Test func werEqualsJiwer() throws {
        let pairs = Self.corpus()
        #expect(pairs.count >= 200)
        guard let expected = try Self.jiwer(pairs) else { return }

        try #require(expected.count == pairs.count)
        var mismatches = 0
        for (index, pair) in pairs.enumerated() {
            let mode = TextNormalization(rawValue: pair.normalize) ?? .none
            let m = WordErrorRate.compare(reference: pair.reference, hypothesis: pair.hypothesis, normalization: mode).measures
            let actual = Result(wer: m.wer, mer: m.mer, wil: m.wil, hits: m.hits, substitutions: m.substitutions,
                                deletions: m.deletions, insertions: m.insertions)
            if actual != expected[index] {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("pair \(index) (\(pair.normalize), \(pair.reference.count) chars): runcmp \(actual), jiwer \(expected[index])")
                }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(pairs.count) pairs differ from jiwer")
    }
}
