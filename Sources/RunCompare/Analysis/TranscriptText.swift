import Foundation

/// Pulls comparable text out of an artifact: plain UTF-8 text as is; for JSON, the field named by
/// `--text-field` when given, else the top-level `text` string (a Whisper result), else the
/// `segments[].text` strings joined by spaces, else every string under a key named `text`, in
/// document order.
public enum TranscriptText {
    /// The text, or nil when the bytes are not UTF-8 text or JSON with text fields.
    /// - Parameter field: a ``TextFieldPath`` chosen with `--text-field`; nil for the default rule.
    public static func extract(_ data: Data, mediaType: String, field: TextFieldPath? = nil) -> String? {
        let looksJSON = mediaType.lowercased().contains("json") || firstNonSpace(data).map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } == true
        if looksJSON, let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
            if let field { return field.strings(in: object).map { $0.joined(separator: " ") } }
            if let text = object as? String { return text }
            if let dictionary = object as? [String: Any] {
                if let text = dictionary["text"] as? String { return text }
                if let segments = dictionary["segments"] as? [[String: Any]] {
                    let texts = segments.compactMap { $0["text"] as? String }
                    if !texts.isEmpty { return texts.joined(separator: " ") }
                }
            }
            var texts: [String] = []
            collect(object, into: &texts)
            return texts.isEmpty ? nil : texts.joined(separator: " ")
        }
        guard let text = String(validatingUTF8Data: data), !text.contains("\u{0}") else { return nil }
        return text
    }

    private static func firstNonSpace(_ data: Data) -> UInt8? {
        data.first { ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains($0) }
    }

    private static func collect(_ value: Any, into texts: inout [String]) {
        if let dictionary = value as? [String: Any] {
            for key in dictionary.keys.sorted() {
                if key == "text", let text = dictionary[key] as? String { texts.append(text) } else if let child = dictionary[key] {
                    collect(child, into: &texts)
                }
            }
        } else if let array = value as? [Any] {
            for element in array { collect(element, into: &texts) }
        }
    }
}

/// A path to the transcript inside a JSON artifact (`--text-field`): keys separated by `.`; a key
/// followed by `[]` walks every element of an array. Examples: `text`, `result.text`,
/// `segments[].text`. The strings found are joined with spaces.
public struct TextFieldPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of the path.
    struct Component: Sendable, Hashable {
        var key: String
        var each: Bool
    }

    let components: [Component]
    /// The path as written.
    public let description: String

    /// Parses a path.
    /// - Throws: ``RunCompareError/invalidReference(_:)`` for an empty path or component.
    public init(parsing text: String) throws {
        var components: [Component] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            let each = part.hasSuffix("[]")
            let key = each ? String(part.dropLast(2)) : part
            guard !key.isEmpty else {
                throw RunCompareError.invalidReference(
                    "--text-field \"\(text)\" is not a path such as text, result.text or segments[].text")
            }
            components.append(Component(key: key, each: each))
        }
        self.components = components
        description = text
    }

    /// The strings at the path in a decoded JSON value, or nil when the path is missing or leads
    /// to something other than strings.
    func strings(in value: Any) -> [String]? {
        var current: [Any] = [value]
        for component in components {
            var next: [Any] = []
            for item in current {
                guard let dictionary = item as? [String: Any], let child = dictionary[component.key] else { return nil }
                if component.each {
                    guard let array = child as? [Any] else { return nil }
                    next += array
                } else {
                    next.append(child)
                }
            }
            current = next
        }
        var result: [String] = []
        for item in current {
            guard let text = item as? String else { return nil }
            result.append(text)
        }
        return result
    }
}

extension String {
    /// Decodes UTF-8, returning nil for invalid sequences (unlike `String(decoding:as:)`).
    init?(validatingUTF8Data data: Data) {
        guard let text = String(data: data, encoding: .utf8) else { return nil }
        self = text
    }
}
