import Foundation
import LarderAPI
import RunModel

/// Where runs come from: a Larder server, or anything else that can produce run documents.
///
/// Contract: calls are blocking and may be made from any thread; implementations must be safe
/// to call concurrently. Errors are ``RunCompareError`` values with a complete message.
public protocol RunSource: Sendable {
    /// All flows (`GET /runs`).
    func flows() throws -> [FlowSummary]
    /// The runs of one flow (`GET /runs/<flow>`).
    func runs(flow: String) throws -> [RunSummary]
    /// One run with every task attempt (`GET /runs/<flow>/<run>`).
    func run(flow: String, run: String) throws -> RunDocument
    /// The bytes of one artifact of one task, or nil when the source does not have them.
    func artifact(task: TaskIdentity, artifact: ArtifactReference) throws -> Data?
}

/// A run loaded for comparison, with a way to read its artifacts.
public struct LoadedRun: Sendable {
    /// The run document.
    public var document: RunDocument
    /// Reads an artifact's bytes (nil when unavailable). Called concurrently.
    public var artifactBytes: @Sendable (TaskIdentity, ArtifactReference) -> Data?

    /// Creates a loaded run; by default artifacts come only from the document's `inline` texts.
    public init(document: RunDocument, artifactBytes: (@Sendable (TaskIdentity, ArtifactReference) -> Data?)? = nil) {
        self.document = document
        let inline = document.inline ?? [:]
        self.artifactBytes = artifactBytes ?? { _, artifact in inline[artifact.digest].map { Data($0.utf8) } }
    }

    /// Loads `FLOW/RUN` from `source`, reading artifacts from the inline map first, then the source.
    public static func load(flow: String, run: String, from source: any RunSource) throws -> LoadedRun {
        let document = try source.run(flow: flow, run: run)
        let inline = document.inline ?? [:]
        return LoadedRun(document: document) { task, artifact in
            if let text = inline[artifact.digest] { return Data(text.utf8) }
            return try? source.artifact(task: task, artifact: artifact)
        }
    }

    /// Loads a file written by `larder runs export`.
    public static func load(exportFile path: String) throws -> LoadedRun {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunCompareError.invalidReference(
                "\(path) does not exist; give FLOW/RUN or a file written by `larder runs export FLOW/RUN`")
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw RunCompareError.invalidReference(
                "cannot read \(path)\(isDirectory.boolValue ? " (it is a directory)" : ""); give a file written by `larder runs export FLOW/RUN`")
        }
        do {
            return LoadedRun(document: try RunDocument.decode(data))
        } catch RunCompareError.invalidDocument(let text) {
            throw RunCompareError.invalidDocument("\(path): \(text)")
        }
    }
}

/// What a command-line run argument names: `FLOW/RUN` on the source, or an exported file.
public enum RunReference: Hashable, Sendable, CustomStringConvertible {
    /// A run on the server.
    case stored(flow: String, run: String)
    /// A file written by `larder runs export`.
    case file(String)
    /// A run read straight from a run archive: `s3://BUCKET[/PREFIX]/FLOW/RUN` (the caller knows how to read it).
    case archived(String)

    /// Parses an argument: `s3://…` names a run in an archive; an existing file path (or one ending in `.json`) is a
    /// file; otherwise it must be exactly `FLOW/RUN`.
    public static func parse(_ text: String, fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws -> RunReference {
        if text.hasPrefix("s3://") { return .archived(text) }
        if fileExists(text) || text.hasSuffix(".json") { return .file(text) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw RunCompareError.invalidReference(
                "\"\(text)\" is neither FLOW/RUN (e.g. SixMinVideos/1680000000) nor an existing file from `larder runs export`")
        }
        return .stored(flow: parts[0], run: parts[1])
    }

    /// The argument as written.
    public var description: String {
        switch self {
        case .stored(let flow, let run): return "\(flow)/\(run)"
        case .file(let path), .archived(let path): return path
        }
    }

    /// Loads the run this reference names, using `source` for stored runs and `archive` for archived ones.
    public func load(source: () throws -> any RunSource,
                     archive: (String) throws -> LoadedRun = { text in
                         throw RunCompareError.invalidReference("\(text): reading runs from S3 is not available here")
                     }) throws -> LoadedRun {
        switch self {
        case .stored(let flow, let run): return try LoadedRun.load(flow: flow, run: run, from: source())
        case .file(let path): return try LoadedRun.load(exportFile: path)
        case .archived(let text): return try archive(text)
        }
    }
}
