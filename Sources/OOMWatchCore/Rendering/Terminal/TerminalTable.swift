/// A plain-text table fitted to a terminal width: columns are separated by two spaces, flexible
/// columns shrink (their cells end in `…`) before low-priority columns are dropped.
public struct TerminalTable: Sendable {
    /// One column.
    public struct Column: Sendable, Hashable {
        public enum Alignment: Sendable, Hashable { case left, right }
        /// The header text.
        public var title: String
        public var alignment: Alignment
        /// Whether cells may be cut to fit; fixed columns keep their natural width.
        public var flexible: Bool
        /// The narrowest a flexible column gets before columns are dropped.
        public var minimumWidth: Int
        /// Cut cells at the front (`…/system.slice at 32 MiB`): for paths, whose end says the most.
        public var truncatesFront: Bool
        /// Columns with the highest value are dropped first when even the minimum widths do not fit; 0 is never dropped.
        public var dropPriority: Int

        public init(_ title: String, alignment: Alignment = .left, flexible: Bool = false, minimumWidth: Int = 8, truncatesFront: Bool = false, dropPriority: Int = 0) {
            self.title = title
            self.alignment = alignment
            self.flexible = flexible
            self.minimumWidth = minimumWidth
            self.truncatesFront = truncatesFront
            self.dropPriority = dropPriority
        }
    }

    public var columns: [Column]
    public var rows: [[String]]
    /// Spaces between columns.
    public static let gap = 2

    public init(columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// Appends a row (missing cells are empty, extra cells ignored; cells are sanitized).
    public mutating func append(_ cells: [String]) {
        rows.append(cells.map(TerminalText.sanitize))
    }

    /// The widths each column gets at `width` (0 = dropped).
    public func layout(width: Int) -> [Int] {
        var natural = columns.map { TerminalText.width($0.title) }
        for row in rows {
            for index in columns.indices where index < row.count {
                natural[index] = max(natural[index], TerminalText.width(row[index]))
            }
        }
        var widths = natural
        var shown = Array(repeating: true, count: columns.count)
        func total() -> Int {
            let visible = widths.indices.filter { shown[$0] }
            return visible.reduce(0) { $0 + widths[$1] } + max(0, visible.count - 1) * Self.gap
        }
        while total() > width {
            // Shrink the widest flexible column that is above its minimum by one column.
            let candidates = columns.indices.filter {
                shown[$0] && columns[$0].flexible && widths[$0] > max(columns[$0].minimumWidth, TerminalText.width(columns[$0].title))
            }
            if let widest = candidates.max(by: { widths[$0] < widths[$1] || (widths[$0] == widths[$1] && $0 < $1) }) {
                widths[widest] -= 1
                continue
            }
            // Drop the column with the highest drop priority (the rightmost among equals).
            let droppable = columns.indices.filter { shown[$0] && columns[$0].dropPriority > 0 }
            guard let drop = droppable.max(by: { columns[$0].dropPriority < columns[$1].dropPriority || (columns[$0].dropPriority == columns[$1].dropPriority && $0 < $1) }) else {
                break
            }
            shown[drop] = false
            // Give the dropped column's room back to the shrunk ones.
            for index in widths.indices where shown[index] { widths[index] = natural[index] }
        }
        return widths.indices.map { shown[$0] ? widths[$0] : 0 }
    }

    /// The table as lines of at most `width` columns (when the fixed columns allow), each ending in `\n`,
    /// trailing spaces removed.
    public func render(width: Int) -> String {
        let widths = layout(width: width)
        var out = ""
        for cells in [columns.map(\.title)] + rows {
            var parts: [String] = []
            for column in columns.indices where widths[column] > 0 {
                let cell = column < cells.count ? cells[column] : ""
                let text = columns[column].truncatesFront
                    ? TerminalText.truncateFront(cell, to: widths[column]) : TerminalText.truncate(cell, to: widths[column])
                let padding = String(repeating: " ", count: widths[column] - TerminalText.width(text))
                parts.append(columns[column].alignment == .left ? text + padding : padding + text)
            }
            var line = parts.joined(separator: String(repeating: " ", count: Self.gap))
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
