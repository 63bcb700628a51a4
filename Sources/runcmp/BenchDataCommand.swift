import ArgumentParser
import Foundation
import RunFixtures

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
