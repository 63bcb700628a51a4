import Foundation

/// Renders a report as pretty-printed JSON with sorted keys (schema `runcmp.report/v1`).
public enum JSONRenderer {
    /// The JSON text, ending with a newline.
    public static func render(_ report: ComparisonReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// Decodes a report rendered by ``render(_:)``.
    public static func decode(_ data: Data) throws -> ComparisonReport {
        try JSONDecoder().decode(ComparisonReport.self, from: data)
    }
}
