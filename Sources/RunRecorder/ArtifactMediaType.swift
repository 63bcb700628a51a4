import Foundation

/// The media type an artifact is stored with when none is given: from a known file extension, else from the
/// content — a JSON object or array is `application/json`, other valid UTF-8 text (no NUL bytes) is
/// `text/plain; charset=utf-8`, anything else `application/octet-stream`.
public enum ArtifactMediaType {
    /// Media type for JSON documents.
    public static let json = "application/json"
    /// Media type for UTF-8 text.
    public static let text = "text/plain; charset=utf-8"
    /// Media type for anything else.
    public static let binary = "application/octet-stream"

    /// Files up to this size are read whole (and JSON is recognised); of larger files only this prefix is
    /// checked for text.
    public static let sniffLimit = 16 << 20

    /// The media type for the file at `path`; `application/octet-stream` when it cannot be read.
    public static func detect(path: String) -> String {
        if let byExtension = forExtension(URL(fileURLWithPath: path).pathExtension) { return byExtension }
        guard let handle = FileHandle(forReadingAtPath: path) else { return binary }
        defer { try? handle.close() }
        let prefix: Data
        do {
            prefix = try handle.read(upToCount: sniffLimit + 1) ?? Data()
        } catch {
            return binary
        }
        let complete = prefix.count <= sniffLimit
        return detect(content: complete ? prefix : prefix.prefix(sniffLimit), complete: complete)
    }

    /// The media type for `content`; `complete` is false when it is only the start of the artifact.
    public static func detect(content: Data, complete: Bool = true) -> String {
        guard isText(content, complete: complete) else { return binary }
        if complete, let first = content.first(where: { !Self.isJSONWhitespace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            if (try? JSONSerialization.jsonObject(with: content)) != nil { return json }
        }
        return text
    }

    /// A media type known from a file extension, nil when the extension says nothing.
    public static func forExtension(_ pathExtension: String) -> String? {
        switch pathExtension.lowercased() {
        case "txt", "log", "srt", "vtt", "csv", "tsv", "md": return text
        case "json": return json
        case "html": return "text/html"
        default: return nil
        }
    }

    /// Valid UTF-8 without NUL bytes; a multi-byte character cut at the end of an incomplete prefix is allowed.
    static func isText(_ content: Data, complete: Bool) -> Bool {
        guard !content.contains(0) else { return false }
        if String(validating: content, as: UTF8.self) != nil { return true }
        guard !complete else { return false }
        // Drop at most three trailing bytes of an unfinished sequence and try again.
        for cut in 1...3 where content.count > cut {
            if String(validating: content.dropLast(cut), as: UTF8.self) != nil { return true }
        }
        return false
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
