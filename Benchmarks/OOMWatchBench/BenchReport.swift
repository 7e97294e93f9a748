/// What one benchmark hands back: its detailed table and the rows it adds to the final summary.
struct BenchReport {
    /// One line of the final table: what was measured, oomwatch's figure, the reference tool's figure
    /// in the same run, and their ratio or a note.
    struct Row {
        var benchmark: String
        var metric: String
        var oomwatch: String
        var reference: String
        var comparison: String
    }

    var detail: String
    var rows: [Row]

    /// Renders rows as a fixed-width table (also valid Markdown when pasted with the pipes).
    static func table(_ rows: [Row]) -> String {
        let header = Row(benchmark: "benchmark", metric: "metric", oomwatch: "oomwatch", reference: "reference (same run)", comparison: "ratio / note")
        let all = [header] + rows
        func width(_ key: KeyPath<Row, String>) -> Int { all.map { $0[keyPath: key].count }.max() ?? 0 }
        let widths = [width(\.benchmark), width(\.metric), width(\.oomwatch), width(\.reference), width(\.comparison)]
        func line(_ row: Row) -> String {
            let cells = [row.benchmark, row.metric, row.oomwatch, row.reference, row.comparison]
            return "| " + zip(cells, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
