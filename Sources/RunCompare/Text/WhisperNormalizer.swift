import Foundation

/// Whisper-style English text normalisation, following the steps of `EnglishTextNormalizer`
/// in openai-whisper (`whisper/normalizers/english.py`), in the same order:
///
/// 1. lower-case; drop `[…]`/`<…>` and `(…)` spans and the fillers hmm, mm, mhm, mmm, uh, um;
/// 2. standardise contractions and titles (`won't` → `will not`, `mr` → `mister`, `'re` → ` are`, …);
/// 3. drop commas between digits and periods not followed by a digit;
/// 4. replace symbols and punctuation by spaces and strip diacritics (NFKD), keeping `. % $ ¢ € £`;
/// 5. spelled-out numbers to digits (``WhisperNumbers``: cardinals, ordinals, decimals with
///    `point`, `percent`, and dollars/pounds/euros/cents);
/// 6. British to American spellings (a list of common words, a subset of Whisper's);
/// 7. drop currency/percent symbols not attached to a digit, and collapse whitespace.
///
/// It is not byte-identical to openai-whisper in every case: the number rules cover the common
/// forms listed above, and the spelling list is shorter.
public enum WhisperNormalizer {
    /// Normalises `text`.
    public static func normalize(_ text: String) -> String {
        var s = text.lowercased()
        s = replace(s, #"[<\[][^>\]]*[>\]]"#, "")
        s = replace(s, #"\(([^)]+?)\)"#, "")
        s = replace(s, #"\b(hmm|mm|mhm|mmm|uh|um)\b"#, "")
        s = replace(s, #"\s+'"#, "'")
        for (pattern, replacement) in replacers { s = replace(s, pattern, replacement) }
        s = replace(s, #"(\d),(\d)"#, "$1$2")
        s = replace(s, #"\.([^0-9]|$)"#, " $1")
        s = removeSymbolsAndDiacritics(s, keep: ".%$¢€£")
        s = WhisperNumbers.normalize(s)
        s = s.split(separator: " ", omittingEmptySubsequences: false)
            .map { spellings[String($0)] ?? String($0) }.joined(separator: " ")
        s = replace(s, #"[.$¢€£]([^0-9])"#, " $1")
        s = replace(s, #"([^0-9])%"#, "$1 ")
        s = replace(s, #"\s+"#, " ")
        return s.trimmingCharacters(in: .whitespaces)
    }

    private static func replace(_ text: String, _ pattern: String, _ template: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return regex.stringByReplacingMatches(in: text, range: range, withTemplate: template)
    }

    /// Whisper's `remove_symbols_and_diacritics`: NFKD, drop nonspacing marks, map a few
    /// letters (œ → oe, ß → ss, …), and turn other marks, symbols and punctuation into spaces.
    static func removeSymbolsAndDiacritics(_ text: String, keep: String) -> String {
        let keepSet = Set(keep.unicodeScalars)
        var result = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCompatibilityMapping.unicodeScalars {
            if keepSet.contains(scalar) { result.append(scalar); continue }
            if let mapped = additionalDiacritics[scalar] { result.append(contentsOf: mapped.unicodeScalars); continue }
            switch scalar.properties.generalCategory {
            case .nonspacingMark:
                continue
            case .spacingMark, .enclosingMark, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                 .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                result.append(" ")
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static let additionalDiacritics: [Unicode.Scalar: String] = [
        "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "th", "ł": "l", "Ł": "L",
    ]

    private static let replacers: [(String, String)] = [
        (#"\bwon't\b"#, "will not"), (#"\bcan't\b"#, "can not"), (#"\blet's\b"#, "let us"),
        (#"\bain't\b"#, "aint"), (#"\by'all\b"#, "you all"), (#"\bwanna\b"#, "want to"),
        (#"\bgotta\b"#, "got to"), (#"\bgonna\b"#, "going to"), (#"\bi'ma\b"#, "i am going to"),
        (#"\bimma\b"#, "i am going to"), (#"\bwoulda\b"#, "would have"), (#"\bcoulda\b"#, "could have"),
        (#"\bshoulda\b"#, "should have"), (#"\bma'am\b"#, "madam"),
        (#"\bmr\b"#, "mister "), (#"\bmrs\b"#, "missus "), (#"\bst\b"#, "saint "), (#"\bdr\b"#, "doctor "),
        (#"\bprof\b"#, "professor "), (#"\bcapt\b"#, "captain "), (#"\bgov\b"#, "governor "),
        (#"\bald\b"#, "alderman "), (#"\bgen\b"#, "general "), (#"\bsen\b"#, "senator "),
        (#"\brep\b"#, "representative "), (#"\bpres\b"#, "president "), (#"\brev\b"#, "reverend "),
        (#"\bhon\b"#, "honorable "), (#"\basst\b"#, "assistant "), (#"\bassoc\b"#, "associate "),
        (#"\blt\b"#, "lieutenant "), (#"\bcol\b"#, "colonel "), (#"\bjr\b"#, "junior "),
        (#"\bsr\b"#, "senior "), (#"\besq\b"#, "esquire "),
        (#"'d been\b"#, " had been"), (#"'s been\b"#, " has been"), (#"'d gone\b"#, " had gone"),
        (#"'s gone\b"#, " has gone"), (#"'d done\b"#, " had done"), (#"'s got\b"#, " has got"),
        (#"n't\b"#, " not"), (#"'re\b"#, " are"), (#"'s\b"#, " is"), (#"'d\b"#, " would"),
        (#"'ll\b"#, " will"), (#"'t\b"#, " not"), (#"'ve\b"#, " have"), (#"'m\b"#, " am"),
    ]

    /// British → American spellings (common words; Whisper ships a longer list).
    static let spellings: [String: String] = [
        "colour": "color", "colours": "colors", "coloured": "colored", "favour": "favor",
        "favourite": "favorite", "favourites": "favorites", "flavour": "flavor", "honour": "honor",
        "humour": "humor", "labour": "labor", "neighbour": "neighbor", "neighbours": "neighbors",
        "behaviour": "behavior", "harbour": "harbor", "rumour": "rumor", "vapour": "vapor",
        "centre": "center", "centres": "centers", "metre": "meter", "metres": "meters",
        "litre": "liter", "litres": "liters", "theatre": "theater", "fibre": "fiber",
        "organise": "organize", "organised": "organized", "organisation": "organization",
        "realise": "realize", "realised": "realized", "recognise": "recognize", "recognised": "recognized",
        "apologise": "apologize", "analyse": "analyze", "analysed": "analyzed", "criticise": "criticize",
        "emphasise": "emphasize", "memorise": "memorize", "summarise": "summarize", "specialise": "specialize",
        "travelled": "traveled", "travelling": "traveling", "traveller": "traveler", "cancelled": "canceled",
        "cancelling": "canceling", "modelling": "modeling", "labelled": "labeled", "fulfil": "fulfill",
        "enrol": "enroll", "skilful": "skillful", "defence": "defense", "offence": "offense",
        "licence": "license", "practise": "practice", "catalogue": "catalog", "dialogue": "dialog",
        "programme": "program", "programmes": "programs", "grey": "gray", "tyre": "tire", "tyres": "tires",
        "aluminium": "aluminum", "cheque": "check", "jewellery": "jewelry", "mum": "mom",
        "pyjamas": "pajamas", "sceptical": "skeptical", "plough": "plow", "manoeuvre": "maneuver",
        "oestrogen": "estrogen", "paediatric": "pediatric", "encyclopaedia": "encyclopedia",
    ]
}
