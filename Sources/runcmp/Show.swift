import ArgumentParser
import Foundation
import RunCompare

/// `runcmp show FLOW/RUN`.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Summarise one run: steps, tasks, nodes.")

    @Argument(help: "FLOW/RUN, s3://BUCKET/PREFIX/FLOW/RUN or an exported file.") var flowRun: String
    @OptionGroup var source: SourceOptions
    @Flag(help: "Print the run document as JSON instead.") var json = false

    func run() throws {
        let reference = try loading { try RunReference.parse(flowRun) }
        let loaded = try loading { try reference.load(source: source.source, archive: source.archive) }
        if json {
            try emit(String(decoding: try loaded.document.encoded(), as: UTF8.self) + "\n", to: nil)
        } else {
            try emit(RunSummaryRenderer.render(loaded.document), to: nil)
        }
    }
}

/// `runcmp ls [FLOW]`.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List flows, or the runs of FLOW.")

    @Argument(help: "A flow name.") var flow: String?
    @OptionGroup var source: SourceOptions

    func run() throws {
        let runs = try loading { try source.source() }
        if let flow {
            try emit(RunSummaryRenderer.render(runs: try loading { try runs.runs(flow: flow) }, flow: flow), to: nil)
        } else {
            try emit(RunSummaryRenderer.render(flows: try loading { try runs.flows() }), to: nil)
        }
    }
}
