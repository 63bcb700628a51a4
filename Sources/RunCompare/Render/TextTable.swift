/// A plain-text table whose columns are padded to their widest cell; numeric columns align right.
/// Cells longer than `maximumCellWidth` are cut with `…`, so the table fits 100 columns when the
/// caller chooses columns sensibly.
struct TextTable {
    /// Column titles.
    var headers: [String]
    /// Which columns align right.
    var rightAligned: Set<Int>
    /// The rows.
    var rows: [[String]] = []
    /// Longest cell shown.
    var maximumCellWidth = 28

    init(_ headers: [String], right: Set<Int> = []) {
        self.headers = headers
        self.rightAligned = right
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// Renders with two spaces of indent and two between columns.
    func render(indent: String = "  ") -> [String] {
        let all = [headers] + rows
        let cut = all.map { row in row.map { cell in
            cell.count > maximumCellWidth ? String(cell.prefix(maximumCellWidth - 1)) + "…" : cell
        } }
        var widths = [Int](repeating: 0, count: headers.count)
        for row in cut { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        return cut.map { row in
            var line = indent
            for (index, cell) in row.enumerated() where index < widths.count {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                line += rightAligned.contains(index) ? padding + cell : cell + (index == row.count - 1 ? "" : padding)
                if index < row.count - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}

/// Wraps `text` to `width` columns after `indent`, continuing lines with `hanging`.
func wrap(_ text: String, width: Int = 100, indent: String = "", hanging: String = "    ") -> [String] {
    var lines: [String] = []
    var current = indent
    var empty = true
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
        if !empty, current.count + 1 + word.count > width {
            lines.append(current)
            current = hanging + word
        } else {
            current += (empty ? "" : " ") + word
        }
        empty = false
    }
    lines.append(current)
    return lines
}
