import Foundation
import LarderAPI
import RunModel

/// Reading and writing run documents for comparison: decoding with one-sentence errors, and the latest attempt of
/// each task.
extension RunDocument {
    /// `FLOW/RUN`.
    public var name: String { "\(flow)/\(run)" }

    /// The highest attempt of each (step, task), in step-then-task order of first appearance.
    public var latestAttempts: [TaskRecord] {
        var best: [String: Int] = [:]
        var result: [TaskRecord] = []
        for record in tasks {
            let key = record.identity.step + "\u{0}" + record.identity.task
            if let index = best[key] {
                if record.identity.attempt > result[index].identity.attempt { result[index] = record }
            } else {
                best[key] = result.count
                result.append(record)
            }
        }
        return result
    }

    /// Decodes a run document.
    /// - Throws: ``RunCompareError/invalidDocument(_:)`` for another schema or malformed JSON.
    public static func decode(_ data: Data) throws -> RunDocument {
        let document: RunDocument
        do {
            document = try JSONDecoder().decode(RunDocument.self, from: data)
        } catch let error as RunModelError {
            throw RunCompareError.invalidDocument("a task record is invalid: \(error)")
        } catch DecodingError.keyNotFound(let key, let context) where key.stringValue == "schema" && context.codingPath.isEmpty {
            throw RunCompareError.invalidDocument("schema is missing; expected \"\(currentSchema)\"")
        } catch let error as DecodingError {
            throw RunCompareError.invalidDocument(Self.explain(error))
        } catch {
            throw RunCompareError.invalidDocument("not a larder.run/v1 document; write one with `larder runs export FLOW/RUN`")
        }
        let schema = document.schema
        guard schema == currentSchema || schema.hasPrefix(currentSchema + ".") else {
            throw RunCompareError.invalidDocument("schema is \"\(schema)\"; expected \"\(currentSchema)\"")
        }
        return document
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

    /// Encodes the document (with `inline` when it has entries) as JSON with sorted keys.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var document = RunDocument(flow: flow, run: run, tasks: tasks, inline: inline?.isEmpty == false ? inline : nil)
        document.schema = Self.currentSchema
        return try encoder.encode(document)
    }
}
