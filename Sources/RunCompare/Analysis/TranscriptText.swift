import Foundation

/// Pulls comparable text out of an artifact: plain UTF-8 text as is; for JSON, the top-level
/// `text` string (a Whisper result), else the `segments[].text` strings joined by spaces, else
/// every string under a key named `text`, in document order.
public enum TranscriptText {
    /// The text, or nil when the bytes are not UTF-8 text or JSON with text fields.
    public static func extract(_ data: Data, mediaType: String) -> String? {
        let looksJSON = mediaType.lowercased().contains("json") || data.first.map { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") } == true
        if looksJSON, let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
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
        guard let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else { return nil }
        return text
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
