import Foundation

/// Renders a report as pretty-printed JSON with sorted keys (schema `runcmp.report/v2`).
public enum JSONRenderer {
    /// The JSON text, ending with a newline.
    public static func render(_ report: ComparisonReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// Decodes a report rendered by ``render(_:)``.
    /// - Throws: ``RunCompareError/invalidDocument(_:)`` for a report of another major version
    ///   (field meanings differ between majors), or a decoding error for malformed JSON.
    public static func decode(_ data: Data) throws -> ComparisonReport {
        struct Header: Decodable { var schema: String? }
        let schema = (try? JSONDecoder().decode(Header.self, from: data))?.schema
        guard let schema, schema == ComparisonReport.schema || schema.hasPrefix(ComparisonReport.schema + ".") else {
            throw RunCompareError.invalidDocument(
                "the report's schema is \(schema.map { "\"\($0)\"" } ?? "missing"); this runcmp reads \"\(ComparisonReport.schema)\"")
        }
        return try JSONDecoder().decode(ComparisonReport.self, from: data)
    }
}
