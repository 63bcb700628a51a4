import Foundation
import RunModel

/// A run as the server returns it (`larder.run/v1`), or as `larder runs export` writes it.
///
/// ```
/// {"schema": "larder.run/v1", "flow": "F", "run": "R",
///  "tasks": [<larder.task/v1>, …],            // every attempt
///  "inline": {"sha256:…": "<UTF-8 text>"}}    // export only: text artifacts up to 1 MiB
/// ```
public struct RunDocument: Sendable {
    /// The schema identifier of run documents.
    public static let schema = "larder.run/v1"

    /// The flow name.
    public var flow: String
    /// The run identifier.
    public var run: String
    /// Every task attempt in the document.
    public var tasks: [TaskRecord]
    /// Text of artifacts by digest (present in exported files).
    public var inline: [String: String]

    /// Creates a document.
    public init(flow: String, run: String, tasks: [TaskRecord], inline: [String: String] = [:]) {
        self.flow = flow
        self.run = run
        self.tasks = tasks
        self.inline = inline
    }

    /// `FLOW/RUN`.
    public var name: String { "\(flow)/\(run)" }

    /// The highest attempt of each (step, task), in step-then-task order of first appearance.
    public var latestAttempts: [TaskRecord] {
        var best: [String: Int] = [:]
        var order: [String] = []
        var result: [TaskRecord] = []
        for record in tasks {
            let key = record.identity.step + "\u{0}" + record.identity.task
            if let index = best[key] {
                if record.identity.attempt > result[index].identity.attempt { result[index] = record }
            } else {
                best[key] = result.count
                order.append(key)
                result.append(record)
            }
        }
        return result
    }

    /// Decodes a run document.
    /// - Throws: ``RunCompareError/invalidDocument(_:)`` for another schema or malformed JSON.
    public static func decode(_ data: Data) throws -> RunDocument {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: data)
        } catch let error as RunModelError {
            throw RunCompareError.invalidDocument("a task record is invalid: \(error)")
        } catch let error as DecodingError {
            throw RunCompareError.invalidDocument(Self.explain(error))
        } catch {
            throw RunCompareError.invalidDocument("not a larder.run/v1 document; write one with `larder runs export FLOW/RUN`")
        }
        guard let schema = wire.schema, schema == Self.schema || schema.hasPrefix(Self.schema + ".") else {
            throw RunCompareError.invalidDocument(
                "schema is \(wire.schema.map { "\"\($0)\"" } ?? "missing"); expected \"\(Self.schema)\"")
        }
        return RunDocument(flow: wire.flow, run: wire.run, tasks: wire.tasks, inline: wire.inline ?? [:])
    }

    /// One sentence for a decoding failure: which field, at which path, without Swift's debug dump.
    static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop { $0 == "." })
        }
        let hint = "; compare files written by `larder runs export FLOW/RUN`"
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "the field \"\(key.stringValue)\" is missing\(parent), so this is not a larder.run/v1 document" + hint
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "the field \(path(context.codingPath)) has the wrong type" + hint
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the file is not valid JSON" + hint
                : "the field \(path(context.codingPath)) is invalid" + hint
        @unknown default:
            return "not a larder.run/v1 document" + hint
        }
    }

    /// Encodes the document (with `inline` when present) as JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Wire(schema: Self.schema, flow: flow, run: run, tasks: tasks,
                                       inline: inline.isEmpty ? nil : inline))
    }

    private struct Wire: Codable {
        var schema: String?
        var flow: String
        var run: String
        var tasks: [TaskRecord]
        var inline: [String: String]?
    }
}

/// Errors of the comparison tool; each renders as one sentence.
public enum RunCompareError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A run document (or exported file) could not be read.
    case invalidDocument(String)
    /// A run reference on the command line is not `FLOW/RUN` or a readable file.
    case invalidReference(String)
    /// The server answered with an error or could not be reached.
    case server(String)
    /// A feature that needs something not available yet.
    case unsupported(String)
    /// A `--fail-if` rule could not be parsed.
    case invalidRule(String)

    /// The message.
    public var description: String {
        switch self {
        case .invalidDocument(let text): return "invalid run document: \(text)"
        case .invalidReference(let text): return text
        case .server(let text): return text
        case .unsupported(let text): return text
        case .invalidRule(let text): return "invalid --fail-if rule: \(text)"
        }
    }
}
