import ArgumentParser
import Foundation
import RunFixtures

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
