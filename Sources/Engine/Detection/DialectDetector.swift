/// A dialect with the score that chose it: every decision carries its evidence.
public struct DialectCandidate: Sendable, Equatable {
    public var dialect: Dialect
    public var score: Double
    /// The most common number of columns under this dialect.
    public var columns: Int
    /// How consistent the rows are (CleverCSV's pattern score, 0...1 against the most rows any
    /// candidate read).
    public var pattern: Double = 0
    /// The share of cells that look like values (CleverCSV's type score).
    public var types: Double = 0
}

/// Chooses delimiter, quote, escape and space handling from the start of the file, the way
/// CleverCSV does: every plausible dialect reads the sample, and each is scored by how
/// consistent its rows are (rows grouped by their number of cells; few groups of wide rows score
/// high) times how much its cells look like values (numbers, dates, URLs, e-mail addresses, plain
/// words, empty). A dialect that leaves quotes around cells, glues cells with another delimiter
/// or keeps escapes makes cells that look like nothing, so it loses. Like DuckDB's sniffer, the
/// quote and escape candidates come from what the sample holds: doubled quotes (RFC 4180), `\"`,
/// or no escaping at all (a quote is text unless a delimiter or a line end follows it).
public enum DialectDetector {
    public static let delimiters: [UInt8] = [
        UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|"), UInt8(ascii: " "),
    ]
    /// Detection reads at most this much of the sample: enough rows to see a pattern, few enough
    /// that forty candidate dialects stay cheap.
    static let detectionBytes = 64 << 10
    static let detectionRows = 300
    /// CleverCSV's floor for a one-column pattern, so single-column readings still rank.
    static let singleColumnWeight = 1e-3
    /// How much better (relatively) a less common dialect must score to be chosen.
    static let margin = 0.01

    public static func detect(
        _ text: [UInt8], complete: Bool, forcedDelimiter: UInt8? = nil
    ) -> (chosen: Dialect, candidates: [DialectCandidate]) {
        let cut = text.count > detectionBytes
        let sample = cut ? Array(text[0..<detectionBytes]) : text
        let isComplete = complete && !cut
        let dialects = candidates(for: sample, forcedDelimiter: forcedDelimiter)
        var scored: [(candidate: DialectCandidate, rows: Int, raw: Double, values: Double, singles: Int)] = []
        for dialect in dialects {
            let s = score(dialect, sample: sample, complete: isComplete)
            scored.append(
                (
                    DialectCandidate(dialect: dialect, score: 0, columns: s.columns, pattern: s.pattern, types: s.types), s.rows, s.pattern,
                    s.values, s.singles
                ))
        }
        // Patterns are sums over rows: compare them against the most rows any dialect read.
        let mostRows = Double(max(1, scored.map(\.rows).max() ?? 1))
        var candidates: [DialectCandidate] = scored.map { entry in
            var c = entry.candidate
            c.pattern = entry.raw / mostRows
            c.score = c.pattern * max(c.types, 0.01) * plausibility(c.dialect, values: entry.values)
            return c
        }
        // The highest score wins; a less common dialect (later in the list) must beat a more
        // common one by more than `margin` of its score, so noise never picks an exotic reading.
        candidates = candidates.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
        if let best = candidates.first, let i = dialects.firstIndex(of: best.dialect) {
            let usual = candidates.filter { c in
                c.score >= best.score * (1 - margin) && dialects.firstIndex(of: c.dialect)! < i
            }
            if let preferred = usual.min(by: { dialects.firstIndex(of: $0.dialect)! < dialects.firstIndex(of: $1.dialect)! }),
                let j = candidates.firstIndex(of: preferred)
            {
                candidates.remove(at: j)
                candidates.insert(preferred, at: 0)
            }
        }
        var chosen = candidates.first?.dialect ?? .rfc4180
        if candidates.first.map({ $0.score <= 0 || $0.columns <= 1 }) ?? true {
            // One column under every dialect: a single-column file (its delimiter never occurs
            // unquoted). Its quoting is the one that reads the most rows of one cell: `"1,234"`
            // is one value with `"` as the quote and two cells without; a stray `"` that would
            // open a value across lines reads fewer rows with it than without.
            let delimiter = forcedDelimiter ?? UInt8(ascii: ",")
            let singles = Dictionary(scored.map { ($0.candidate.dialect, $0.singles) }, uniquingKeysWith: max)
            chosen =
                dialects.filter { $0.delimiter == delimiter }
                .enumerated().max { a, b in
                    let (x, y) = (singles[a.element] ?? 0, singles[b.element] ?? 0)
                    return x != y ? x < y : a.offset > b.offset
                }?.element ?? Dialect(delimiter: delimiter)
        }
        return (chosen, Array(candidates.prefix(8)))
    }

    /// The dialects worth reading the sample with: delimiters that occur in it, the quote
    /// characters it holds (and no quoting), and the escapes its bytes make possible.
    static func candidates(for sample: [UInt8], forcedDelimiter: UInt8?) -> [Dialect] {
        var counts = [Int](repeating: 0, count: 256)
        var commaSpace = 0, doubleSpace = 0
        var backslashBefore = [Int](repeating: 0, count: 256)
        var previous: UInt8 = 0
        for b in sample {
            counts[Int(b)] += 1
            if b == 0x20 && previous == UInt8(ascii: ",") { commaSpace += 1 }
            if b == 0x20 && previous == 0x20 { doubleSpace += 1 }
            if previous == 0x5C { backslashBefore[Int(b)] += 1 }
            previous = b
        }
        // `"` always (with no quote in the sample every quote reads the same: the usual one wins).
        let quotes: [UInt8?] = [UInt8(ascii: "\"")] + [UInt8(ascii: "'")].filter { counts[Int($0)] > 0 } + [nil]
        var out: [Dialect] = []
        // `,` always: with no delimiter in the sample, it reads the file as one column.
        for delimiter in forcedDelimiter.map({ [$0] }) ?? delimiters
        where forcedDelimiter != nil || counts[Int(delimiter)] > 0 || delimiter == UInt8(ascii: ",") {
            var skips = [false]
            // `, `: most commas are followed by a space. Aligned columns: runs of spaces.
            if delimiter == UInt8(ascii: ",") && commaSpace * 2 >= counts[Int(delimiter)] && commaSpace > 0 { skips.append(true) }
            if delimiter == 0x20 && doubleSpace * 4 >= counts[0x20] && doubleSpace > 0 { skips.append(true) }
            for skip in skips {
                for quote in quotes {
                    guard let quote else {
                        out.append(Dialect(delimiter: delimiter, quote: nil, escape: .none, skipInitialSpace: skip))
                        continue
                    }
                    out.append(Dialect(delimiter: delimiter, quote: quote, escape: .doubled, skipInitialSpace: skip))
                    guard counts[Int(quote)] > 0 else { continue }
                    if backslashBefore[Int(quote)] > 0 {
                        out.append(Dialect(delimiter: delimiter, quote: quote, escape: .backslash, skipInitialSpace: skip))
                    }
                    out.append(Dialect(delimiter: delimiter, quote: quote, escape: .none, skipInitialSpace: skip))
                }
            }
        }
        if out.isEmpty { out.append(.rfc4180) }
        return out
    }

    /// Prose splits on spaces into consistent-looking rows of words; a table split on spaces
    /// holds values. A space-delimited reading counts only when at least a fifth of its cells
    /// are numbers or dates (else the file is read as one column).
    static func plausibility(_ dialect: Dialect, values: Double) -> Double {
        dialect.delimiter == 0x20 && values < 0.2 ? 0 : 1
    }

    static func score(
        _ dialect: Dialect, sample: [UInt8], complete: Bool
    ) -> (pattern: Double, types: Double, columns: Int, rows: Int, values: Double, singles: Int) {
        let batch = DelimitedReader.sample(sample, dialect: dialect, maxRows: detectionRows, complete: complete)
        var widths: [Int: Int] = [:]
        var rows = 0
        var cells = 0, valueCells = 0, typedCells = 0
        for r in 0..<batch.count where !batch.isBlank(row: r) {
            let w = batch.cellCount(row: r)
            widths[w, default: 0] += 1
            rows += 1
            for c in 0..<w {
                cells += 1
                let (value, typed) = batch.withCell(row: r, column: c) { cell in
                    (CellShape.looksLikeValue(cell), CellShape.of(cell) == .number || CellShape.of(cell) == .date)
                }
                if value { valueCells += 1 }
                if typed { typedCells += 1 }
            }
        }
        guard rows > 0 else { return (0, 0, 1, 0, 0, 0) }
        // Pattern score: rows grouped by width, each group weighted by (width - 1) / width (a
        // one-cell row by a small floor), summed over rows and divided by the number of groups.
        var pattern = 0.0
        for (width, count) in widths {
            pattern += Double(count) * max(singleColumnWeight, Double(width - 1) / Double(width))
        }
        pattern /= Double(widths.count)
        let types = cells == 0 ? 0 : Double(valueCells) / Double(cells)
        let modal = widths.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 1
        let values = cells == 0 ? 0 : Double(typedCells) / Double(cells)
        return (pattern, types, modal, rows, values, widths[1] ?? 0)
    }
}
