/// Renders the first differences of an alignment as compact hunks with two words of context:
/// `… sat on [-the-] {+a+} mat …` (wdiff notation: `[-removed-]`, `{+added+}`).
enum WordDiff {
    /// Words of context on each side of a hunk.
    static let context = 2
    /// Longest run of words shown inside one side of a hunk before it is elided.
    static let maximumRun = 8

    static func hunks(edits: [WordEdit], reference: [Int32], hypothesis: [Int32], table: WordTable, limit: Int) -> [String] {
        guard !edits.isEmpty, limit > 0 else { return [] }
        // Group edits whose reference positions are within 2·context of each other.
        var groups: [[WordEdit]] = []
        for edit in edits {
            if var last = groups.last, let previous = last.last,
               edit.referenceIndex - previous.referenceIndex <= 2 * context,
               edit.hypothesisIndex - previous.hypothesisIndex <= 2 * context {
                last.append(edit)
                groups[groups.count - 1] = last
            } else {
                if groups.count == limit { break }
                groups.append([edit])
            }
        }
        return groups.map { render($0, reference: reference, hypothesis: hypothesis, table: table) }
    }

    private static func render(_ group: [WordEdit], reference: [Int32], hypothesis: [Int32], table: WordTable) -> String {
        guard let first = group.first, let last = group.last else { return "" }
        let refStart = first.referenceIndex, hypStart = first.hypothesisIndex
        let refEnd = last.kind == .insert ? last.referenceIndex : last.referenceIndex + 1
        let hypEnd = last.kind == .delete ? last.hypothesisIndex : last.hypothesisIndex + 1
        func words(_ ids: ArraySlice<Int32>) -> String {
            let all = ids.map { table.word($0) }
            if all.count <= maximumRun { return all.joined(separator: " ") }
            return all.prefix(maximumRun / 2).joined(separator: " ") + " … " + all.suffix(maximumRun / 2).joined(separator: " ")
        }
        let before = reference[max(0, refStart - context)..<refStart]
        let after = reference[min(refEnd, reference.count)..<min(reference.count, refEnd + context)]
        var parts: [String] = []
        if refStart - context > 0 { parts.append("…") }
        if !before.isEmpty { parts.append(words(before)) }
        let removed = reference[refStart..<max(refStart, min(refEnd, reference.count))]
        let added = hypothesis[hypStart..<max(hypStart, min(hypEnd, hypothesis.count))]
        if !removed.isEmpty { parts.append("[-" + words(removed) + "-]") }
        if !added.isEmpty { parts.append("{+" + words(added) + "+}") }
        if !after.isEmpty { parts.append(words(after)) }
        if refEnd + context < reference.count { parts.append("…") }
        return parts.joined(separator: " ")
    }
}
