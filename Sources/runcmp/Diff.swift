import ArgumentParser
import Foundation
import RunCompare

extension TextNormalization: ExpressibleByArgument {}

/// `runcmp diff A B`.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare run B with run A (A is the baseline and the WER reference).",
        discussion: """
        A and B are FLOW/RUN on the server, s3://BUCKET/PREFIX/FLOW/RUN read straight from the S3 run tier (same
        credentials as the servers: AWS_* environment or --s3-credentials-file), or files written by
        `larder runs export FLOW/RUN`, optionally
        followed by a selector that keeps some of the run's tasks: RUN[model=tiny], RUN[step=large],
        RUN[task=4], RUN[step=transcribe,model=large] (input keys, step=, task=; all must hold).
        Input keys used in a selector are ignored when tasks are matched, so
        `runcmp diff 'W/1[model=tiny]' 'W/1[model=large]'` pairs the tiny and large tasks of each video.
        --fail-if rules: wall>+10%, wer>0.05 (or wer>5%), step:large>+20%, task-seconds>+5%, wall>30m (repeatable).
        """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json, markdown, html }
    enum ColorMode: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Argument(help: "Run A: FLOW/RUN, s3://BUCKET/PREFIX/FLOW/RUN or an exported file, optionally with a selector such as [model=tiny].") var a: String
    @Argument(help: "Run B: FLOW/RUN, s3://BUCKET/PREFIX/FLOW/RUN or an exported file, optionally with a selector such as [model=large].") var b: String
    @OptionGroup var source: SourceOptions
    @Option(help: "Output format: text, json, markdown, html.") var format: OutputFormat = .text
    @Option(name: [.short, .customLong("output")], help: "Write the report to this file instead of standard output.")
    var output: String?
    @Option(help: "Text normalisation before WER: none, basic, whisper.") var normalize: TextNormalization = .basic
    @Option(name: .customLong("text-field"),
            help: "Where the transcript is inside JSON artifacts, e.g. text, result.text, segments[].text (default: text, else segments[].text).")
    var textField: String?
    @Option(help: "Usage percentile for CPU recommendations.") var cpuPercentile: Double = 95
    @Option(help: "CPU headroom added to the percentile (0.15 = +15%).") var cpuHeadroom: Double = 0.15
    @Option(help: "Memory headroom added to the peak (0.15 = +15%).") var memoryHeadroom: Double = 0.15
    @Option(help: "Significance level for the Mann–Whitney U test.") var alpha: Double = 0.05
    @Option(name: .customLong("fail-if"), help: "Exit 1 when this rule holds (repeatable).") var failIf: [String] = []
    @Option(help: "Colour in text output: auto (only on a terminal), always, never.") var color: ColorMode = .auto

    func validate() throws {
        guard (0...100).contains(cpuPercentile) else { throw ValidationError("--cpu-percentile must be within 0…100") }
        guard cpuHeadroom >= 0, memoryHeadroom >= 0 else { throw ValidationError("headroom must not be negative") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be within (0, 1)") }
        if format == .html, output == nil, isatty(STDOUT_FILENO) != 0 {
            throw ValidationError("--format html writes a file: add -o report.html")
        }
        for rule in failIf { _ = try loading { try FailRule(parsing: rule) } }
        if let textField { _ = try loading { try TextFieldPath(parsing: textField) } }
        if let output { try checkWritable(output) }
    }

    func run() throws {
        let rules = try loading { try failIf.map(FailRule.init(parsing:)) }
        let (textA, selectorA) = try loading { try SideSelector.split(a) }
        let (textB, selectorB) = try loading { try SideSelector.split(b) }
        let left = try loading { try RunReference.parse(textA) }
        let right = try loading { try RunReference.parse(textB) }
        let runA = try loading { try left.load(source: source.source, archive: source.archive) }
        let runB = left == right ? runA : try loading { try right.load(source: source.source, archive: source.archive) }
        let options = ComparisonOptions(
            normalization: normalize,
            rule: RecommendationRule(cpuPercentile: cpuPercentile, cpuHeadroom: cpuHeadroom, memoryHeadroom: memoryHeadroom),
            alpha: alpha, textField: try loading { try textField.map(TextFieldPath.init(parsing:)) })
        let report = try loading { try RunComparer.compare(runA, selectorA, runB, selectorB, options: options) }
        let text: String
        switch format {
        case .text:
            let useColor = color == .always || (color == .auto && output == nil && isatty(STDOUT_FILENO) != 0)
            text = TextRenderer(color: useColor).render(report)
        case .json: text = try JSONRenderer.render(report)
        case .markdown: text = MarkdownRenderer.render(report)
        case .html: text = HTMLRenderer.render(report)
        }
        try emit(text, to: output)
        let violations = rules.compactMap { $0.violation(in: report) }
        if !violations.isEmpty {
            for violation in violations { FileHandle.standardError.write(Data("runcmp: --fail-if \(violation)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}
