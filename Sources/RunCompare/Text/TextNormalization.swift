/// How texts are normalised before words are compared (`--normalize`).
///
/// Each mode is defined as a jiwer 4 transform, so that runcmp's numbers can be reproduced:
/// - `none`: jiwer's default (`RemoveMultipleSpaces`, `Strip`, `ReduceToListOfListOfWords`):
///   runs of two or more whitespace characters become one space, the ends are stripped, and
///   words are split on single spaces (a lone tab or newline stays inside a word, as in jiwer).
/// - `basic`: `ToLowerCase`, `RemovePunctuation` (every Unicode `P*` character is deleted),
///   then every run of whitespace separates words.
/// - `whisper`: Whisper's English text normaliser (``WhisperNormalizer``), then whitespace splitting.
public enum TextNormalization: String, CaseIterable, Sendable, Codable {
    /// jiwer's default transform.
    case none
    /// Lower case, no punctuation, whitespace-separated words.
    case basic
    /// Whisper-style English normalisation (numbers, spellings, contractions, fillers).
    case whisper
}

/// Splits normalised text into interned word identifiers.
enum Tokenizer {
    /// Python's `str.isspace()` (what `\s` matches in a `str` pattern).
    @inline(__always)
    static func isSpace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) || (value >= 0x1C && value <= 0x1F) }
        guard let scalar = Unicode.Scalar(value) else { return false }
        return scalar.properties.isWhitespace
    }

    /// Whether a scalar is Unicode punctuation (general category `P*`).
    @inline(__always)
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            switch v {
            case 0x21...0x23, 0x25...0x2A, 0x2C...0x2F, 0x3A, 0x3B, 0x3F, 0x40, 0x5B...0x5D, 0x5F, 0x7B, 0x7D: return true
            default: return false
            }
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// Tokenises `text` under `mode`, interning words in `table`.
    static func words(_ text: String, mode: TextNormalization, table: inout WordTable) -> [Int32] {
        switch mode {
        case .none: return jiwerDefault(text, table: &table)
        case .basic: return basic(text, table: &table)
        case .whisper: return whitespaceSplit(WhisperNormalizer.normalize(text), lowercase: false, table: &table)
        }
    }

    /// jiwer's default: `re.sub(r"\s\s+", " ")`, `strip()`, `split(" ")` dropping empty words.
    static func jiwerDefault(_ text: String, table: inout WordTable) -> [Int32] {
        var ids: [Int32] = []
        var pendingSpace: [Unicode.Scalar] = []
        var inWord = false
        func flushSpace(final: Bool) {
            // A lone non-space whitespace character inside the text is part of a word.
            if pendingSpace.count == 1, pendingSpace[0] != " ", inWord, !final {
                table.append(pendingSpace[0])
            } else if inWord, !pendingSpace.isEmpty || final {
                ids.append(table.finishWord())
                inWord = false
            }
            pendingSpace.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            if isSpace(scalar.value) {
                pendingSpace.append(scalar)
                continue
            }
            if !pendingSpace.isEmpty { flushSpace(final: false) }
            table.append(scalar)
            inWord = true
        }
        pendingSpace.removeAll()
        if inWord { ids.append(table.finishWord()) }
        return ids
    }

    /// Lower-cases, deletes punctuation and splits on any whitespace.
    static func basic(_ text: String, table: inout WordTable) -> [Int32] {
        var ids: [Int32] = []
        var inWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if isSpace(v) {
                if inWord { ids.append(table.finishWord()); inWord = false }
                continue
            }
            if v < 0x80 {
                if isPunctuation(scalar) { continue }
                table.appendByte(v >= 0x41 && v <= 0x5A ? UInt8(v + 32) : UInt8(v))
                inWord = true
                continue
            }
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                if isPunctuation(lower) { continue }
                if isSpace(lower.value) {
                    if inWord { ids.append(table.finishWord()); inWord = false }
                    continue
                }
                table.append(lower)
                inWord = true
            }
        }
        if inWord { ids.append(table.finishWord()) }
        return ids
    }

    /// Splits on any whitespace, optionally lower-casing.
    static func whitespaceSplit(_ text: String, lowercase: Bool, table: inout WordTable) -> [Int32] {
        var ids: [Int32] = []
        var inWord = false
        for scalar in text.unicodeScalars {
            if isSpace(scalar.value) {
                if inWord { ids.append(table.finishWord()); inWord = false }
                continue
            }
            if lowercase {
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { table.append(lower) }
            } else {
                table.append(scalar)
            }
            inWord = true
        }
        if inWord { ids.append(table.finishWord()) }
        return ids
    }
}
