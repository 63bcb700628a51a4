import Foundation

/// Glob matching as Python's `fnmatch.fnmatchcase` (`*` also matches `/`), with `dir/` meaning `dir/*`, as the
/// Hub client filters `allow_patterns`.
public enum HFGlob {
    /// Whether `path` matches `pattern`.
    public static func matches(_ path: String, _ pattern: String) -> Bool {
        var pattern = pattern.replacingOccurrences(of: "\\", with: "/")
        if pattern.hasSuffix("/") { pattern += "*" }
        return match(Array(path.unicodeScalars), 0, Array(pattern.unicodeScalars), 0)
    }

    /// The files of `paths` that match an include (all when `include` is empty) and no exclude.
    public static func filter(_ paths: [String], include: [String], exclude: [String]) -> [String] {
        paths.filter { path in
            (include.isEmpty || include.contains { matches(path, $0) }) && !exclude.contains { matches(path, $0) }
        }
    }

    private static func match(_ text: [Unicode.Scalar], _ t: Int, _ pattern: [Unicode.Scalar], _ p: Int) -> Bool {
        var t = t
        var p = p
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case "*":
                    starP = p
                    starT = t
                    p += 1
                    continue
                case "?":
                    t += 1
                    p += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(text[t], pattern, p) {
                        if matched {
                            t += 1
                            p = next
                            continue
                        }
                    } else if text[t] == "[" {
                        t += 1
                        p += 1
                        continue
                    }
                default:
                    if pattern[p] == text[t] {
                        t += 1
                        p += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            starT += 1
            t = starT
            p = starP + 1
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Matches `char` against the class starting at `pattern[start]` (`[`); nil when the class is not closed.
    private static func matchClass(_ char: Unicode.Scalar, _ pattern: [Unicode.Scalar], _ start: Int) -> (Bool, Int)? {
        var index = start + 1
        var negate = false
        if index < pattern.count && pattern[index] == "!" {
            negate = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.count && (first || pattern[index] != "]") {
            first = false
            let low = pattern[index]
            if index + 2 < pattern.count && pattern[index + 1] == "-" && pattern[index + 2] != "]" {
                if low.value <= char.value && char.value <= pattern[index + 2].value { matched = true }
                index += 3
            } else {
                if low == char { matched = true }
                index += 1
            }
        }
        guard index < pattern.count else { return nil }
        return (matched != negate, index + 1)
    }
}
