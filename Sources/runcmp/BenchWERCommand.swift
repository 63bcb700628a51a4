import ArgumentParser
import Foundation
import RunCompare
import RunFixtures

/// `runcmp bench-wer`: times WER on two long texts.
struct BenchWER: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-wer", abstract: "Time WER of two long synthetic texts.", shouldDisplay: false)

    @Option(help: "Words per text.") var words = 20_000
    @Option(help: "Fraction of words that differ.") var difference = 0.05

    func run() throws {
        var rng = SplitMix64(seed: 7)
        let vocabulary = (0..<3000).map { "w\($0)" }
        var reference: [String] = [], hypothesis: [String] = []
        for _ in 0..<words {
            let word = vocabulary[Int(rng.next() % 3000)]
            reference.append(word)
            let roll = Double(rng.next() % 1_000_000) / 1_000_000
            if roll < difference / 3 { continue }
            if roll < 2 * difference / 3 { hypothesis.append(vocabulary[Int(rng.next() % 3000)]); continue }
            hypothesis.append(word)
            if roll < difference { hypothesis.append(vocabulary[Int(rng.next() % 3000)]) }
        }
        let ref = reference.joined(separator: " "), hyp = hypothesis.joined(separator: " ")
        let clock = ContinuousClock()
        var result: TextComparison?
        let elapsed = clock.measure {
            result = WordErrorRate.compare(reference: ref, hypothesis: hyp, normalization: .basic)
        }
        guard let m = result?.measures else { return }
        print("words=\(words) difference=\(difference) wer=\(m.wer) S=\(m.substitutions) D=\(m.deletions) I=\(m.insertions) "
            + "seconds=\(Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))")
    }
}
