import ArgumentParser
import Foundation
import RunCompare

/// `runcmp example --out DIR`: writes the motivating-case runs as exported files.
struct Example: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the example runs (the Whisper case) as export files a.json and b.json.", shouldDisplay: false)

    @Option(help: "Directory to write into.") var out: String

    func run() throws {
        let (a, b) = try ExampleRuns.whisper()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try a.encoded().write(to: URL(fileURLWithPath: out).appendingPathComponent("a.json"))
        try b.encoded().write(to: URL(fileURLWithPath: out).appendingPathComponent("b.json"))
    }
}

/// `runcmp bench-data`: writes two large synthetic runs for the benchmark.
struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-data", abstract: "Write two synthetic runs for benchmarking.", shouldDisplay: false)

    @Option(help: "Directory to write into.") var out: String
    @Option(help: "Tasks per run.") var tasks = 5000
    @Option(help: "Words per transcript.") var words = 2000
    @Option(help: "Fraction of words that differ.") var difference = 0.05

    func run() throws {
        let (a, b) = try SyntheticRuns.benchmark(tasks: tasks, words: words, difference: difference)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try a.encoded().write(to: URL(fileURLWithPath: out).appendingPathComponent("a.json"))
        try b.encoded().write(to: URL(fileURLWithPath: out).appendingPathComponent("b.json"))
    }
}

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
