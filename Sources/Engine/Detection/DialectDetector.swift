/// A dialect with the score that chose it: every decision carries its evidence.
public struct DialectCandidate: Sendable, Equatable {
    public var dialect: Dialect
    public var score: Double
    /// The most common number of columns under this dialect.
    public var columns: Int
}

/// Chooses delimiter, quote and escape from a sample of the file by how consistent the rows
/// become (the share of rows with the most common width, CleverCSV's pattern idea) and how
/// clean the cells then look (no stray quotes, no cells glued together).
public enum DialectDetector {
    public static let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    public static func detect(_ sample: [UInt8], complete: Bool, forcedDelimiter: UInt8? = nil) -> (chosen: Dialect, candidates: [DialectCandidate]) {
        var candidates: [DialectCandidate] = []
        let hasBackslashQuote = contains(sample, [0x5C, 0x22])
        let quotes: [UInt8?] = [UInt8(ascii: "\""), UInt8(ascii: "'")]
        for delimiter in forcedDelimiter.map({ [$0] }) ?? delimiters {
            for quote in quotes {
                var escapes: [Dialect.Escape] = [.doubled]
                if hasBackslashQuote && quote == UInt8(ascii: "\"") { escapes.append(.backslash) }
                for escape in escapes {
                    let dialect = Dialect(delimiter: delimiter, quote: quote, escape: escape)
                    let (score, columns) = self.score(dialect, sample: sample, complete: complete)
                    candidates.append(DialectCandidate(dialect: dialect, score: score, columns: columns))
                }
            }
        }
        // Stable order: the highest score, and among equals the earlier (more common) dialect.
        let ranked = candidates.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        var chosen = ranked.first?.dialect ?? .rfc4180
        if ranked.first.map({ $0.score <= 0 }) ?? true {
            chosen = Dialect(delimiter: forcedDelimiter ?? UInt8(ascii: ","))
        }
        return (chosen, Array(ranked.prefix(6)))
    }

    static func score(_ dialect: Dialect, sample: [UInt8], complete: Bool) -> (Double, Int) {
        let batch = DelimitedReader.sample(sample, dialect: dialect, maxRows: 500, complete: complete)
        var widths: [Int: Int] = [:]
        var rows = 0
        var cells = 0, cleanCells = 0
        for r in 0..<batch.count where !batch.isBlank(row: r) {
            let w = batch.cellCount(row: r)
            widths[w, default: 0] += 1
            rows += 1
            for c in 0..<w {
                cells += 1
                // A cell still wrapped in quote characters was quoted in a way this dialect did
                // not read, and a backslash still before a quote is an escape it did not apply.
                let clean = batch.withCell(row: r, column: c) { cell -> Bool in
                    guard let first = cell.first, let last = cell.last else { return true }
                    if cell.count >= 2 && first == last && (first == 0x22 || first == 0x27) { return false }
                    for i in 0..<(cell.count - 1) where cell[i] == 0x5C && (cell[i + 1] == 0x22 || cell[i + 1] == 0x27) { return false }
                    return true
                }
                if clean { cleanCells += 1 }
            }
        }
        guard rows > 0 else { return (0, 1) }
        // Pattern score: rows grouped by width, each group weighted by (width - 1) / width.
        var pattern = 0.0
        for (width, count) in widths { pattern += Double(count) * Double(width - 1) / Double(width) }
        pattern /= Double(widths.count)
        pattern /= Double(rows)
        let typeScore = cells == 0 ? 0 : Double(cleanCells) / Double(cells)
        let modal = widths.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 1
        return (pattern * typeScore, modal)
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && haystack[i + 1] == needle[1] {
            return true
        }
        return false
    }
}
