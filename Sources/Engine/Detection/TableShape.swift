/// What the data rows of a table look like, column by column, so a row can be told apart from
/// them: a header (words where the data has numbers and dates), the header again (a new table
/// begins), or a note (a line of text in a wide table). Cheap enough to ask of every row while
/// streaming: most data rows answer after one cell.
struct TableShape: Sendable {
    /// A number or date shape, finer than `CellShape`: a year (1800–2100) in a column of amounts
    /// is a column label, not a value.
    enum Kind: Equatable, Sendable { case year, number, date }

    /// The table's width (the most common number of filled cells).
    var width: Int
    /// For each column, the kind most of its data cells have, when that is a number or a date
    /// (nil: text, or no majority).
    var typed: [Kind?]
    /// The header's cells, normalized, to recognize the header when it comes again.
    var headerCells: [String: Int] = [:]
    /// The header's first cell as it is written (trimmed): a cheap first test for a repeat.
    var headerFirstCell: [UInt8] = []

    /// For each column, how its text values look (to tell a note from a sparse data row).
    var text: [TextProfile] = []

    /// A text column's values in the sample: the longest (in bytes), and whether several of
    /// them have more than one word.
    struct TextProfile: Sendable, Equatable {
        var longest = 0
        var wordy = false
    }

    var typedColumns: Int { typed.lazy.filter { $0 != nil }.count }

    /// The shape of the data rows `rows` of `batch`.
    static func of(_ batch: RowBatch, rows: [Int], width: Int) -> TableShape {
        var shape = TableShape(width: width, typed: profile(batch, rows: rows, width: width))
        shape.text = (0..<width).map { c in
            var p = TextProfile()
            var filled = 0, wordy = 0
            for r in rows {
                let (length, words) = batch.withCell(row: r, column: c) { cell -> (Int, Int) in
                    let t = trim(cell)
                    return (t.count, t.isEmpty ? 0 : wordCount(t))
                }
                guard length > 0 else { continue }
                filled += 1
                p.longest = max(p.longest, length)
                if words > 1 { wordy += 1 }
            }
            p.wordy = wordy * 5 >= max(1, filled)
            return p
        }
        return shape
    }

    /// Words in a trimmed cell: runs of bytes between spaces.
    static func wordCount(_ cell: UnsafeRawBufferPointer) -> Int {
        var words = 0, inWord = false
        for b in cell {
            let space = b == 0x20 || b == 0x09
            if !space && !inWord { words += 1 }
            inWord = !space
        }
        return words
    }

    static func kind(_ cell: UnsafeRawBufferPointer) -> Kind? { kind(cell, shape: CellShape.of(cell)) }

    /// `CellShape.of` and `kind` of a cell together, answered at once for the commonest typed
    /// cells — digits alone (a number, or a year) and `dddd-dd-dd` (a date) — as the classifier
    /// answers them; other cells go through it. The table filter asks this of every row.
    @inline(__always)
    static func shapeAndKind(_ cell: UnsafeRawBufferPointer) -> (CellShape, Kind?) {
        let n = cell.count
        if n > 0 && n <= 18 {
            var digits = 0
            var value = 0
            while digits < n, cell[digits] &- 0x30 < 10 {
                value = value &* 10 &+ Int(cell[digits] &- 0x30)
                digits += 1
            }
            if digits == n { return (.number, n == 4 && (1800...2100).contains(value) ? .year : .number) }
            if n == 10 && digits == 4 && cell[4] == UInt8(ascii: "-") && cell[7] == UInt8(ascii: "-")
                && cell[5] &- 0x30 < 10 && cell[6] &- 0x30 < 10 && cell[8] &- 0x30 < 10 && cell[9] &- 0x30 < 10
            {
                return (.date, .date)
            }
        }
        let shape = CellShape.of(cell)
        return (shape, kind(cell, shape: shape))
    }

    /// `kind` of a cell whose shape is known (every data row asks for both: one reading, not two).
    static func kind(_ cell: UnsafeRawBufferPointer, shape: CellShape) -> Kind? {
        switch shape {
        case .date: return .date
        case .number:
            var start = 0, end = cell.count
            while start < end, cell[start] == 0x20 || cell[start] == 0x09 { start += 1 }
            while end > start, cell[end - 1] == 0x20 || cell[end - 1] == 0x09 { end -= 1 }
            if end - start == 4 {
                var year = 0
                for i in start..<end {
                    guard cell[i] >= 0x30 && cell[i] <= 0x39 else { return .number }
                    year = year * 10 + Int(cell[i] - 0x30)
                }
                if (1800...2100).contains(year) { return .year }
            }
            return .number
        default: return nil
        }
    }

    /// The typed kind of each column over `rows` (a kind held by at least 60% of the filled cells).
    static func profile(_ batch: RowBatch, rows: [Int], width: Int) -> [Kind?] {
        (0..<width).map { c in
            var counts: [Kind: Int] = [:]
            var filled = 0
            for r in rows {
                let k: Kind?? = batch.withCell(row: r, column: c) { cell in
                    let shape = CellShape.of(cell)
                    return shape == .empty ? .none : .some(kind(cell, shape: shape))
                }
                guard let k else { continue }
                filled += 1
                if let k { counts[k, default: 0] += 1 }
            }
            guard filled > 0, let (k, n) = counts.max(by: { $0.value < $1.value }), n * 10 >= filled * 6 else { return nil }
            return k
        }
    }

    /// How a row's cells in the typed columns compare with the data: how many are filled, how many
    /// have the column's kind, how many are words.
    func typedCells(_ batch: RowBatch, row: Int, stopAtFirstMatch: Bool = false) -> (filled: Int, matching: Int, words: Int) {
        batch.withRow(row) { typedCells($0, stopAtFirstMatch: stopAtFirstMatch) }
    }

    private func typedCells(_ cells: RowCells, stopAtFirstMatch: Bool) -> (filled: Int, matching: Int, words: Int) {
        var filled = 0, matching = 0, words = 0
        for c in typed.indices {
            guard let expected = typed[c] else { continue }
            let (shape, k) = TableShape.shapeAndKind(cells[c])
            if shape == .empty { continue }
            filled += 1
            if k == expected {
                matching += 1
                if stopAtFirstMatch { break }
            } else if shape == .text {
                words += 1
            }
        }
        return (filled, matching, words)
    }

    /// A row of data like the rows below it: its numbers and dates are where theirs are.
    func conforms(_ batch: RowBatch, row: Int) -> Bool {
        let t = typedCells(batch, row: row)
        return t.filled >= min(2, typedColumns) && t.filled > 0 && t.matching * 4 >= t.filled * 3
    }

    /// A row of words where the data has numbers and dates: a header, or a header's next line.
    func isHeaderLike(_ batch: RowBatch, row: Int) -> Bool {
        batch.withRow(row) { isHeaderLike($0) }
    }

    private func isHeaderLike(_ cells: RowCells) -> Bool {
        let t = typedCells(cells, stopAtFirstMatch: true)
        return t.matching == 0 && t.words >= min(2, typedColumns) && t.words > 0 && t.words * 5 >= t.filled * 4
    }

    /// The header again (most of its cells, and little else): another table starts here.
    func repeatsHeader(_ batch: RowBatch, row: Int) -> Bool {
        guard !headerCells.isEmpty else { return false }
        let candidate = batch.withRow(row) { cells in
            headerFirstCell.withUnsafeBytes { TableShape.trim(cells[0]).elementsEqual($0) } || isHeaderLike(cells)
        }
        guard candidate else { return false }
        var remaining = headerCells
        var filled = 0, found = 0
        for c in 0..<batch.cellCount(row: row) {
            let name = Similarity.normalize(batch.string(row: row, column: c))
            guard !name.isEmpty else { continue }
            filled += 1
            if let n = remaining[name], n > 0 { remaining[name] = n - 1; found += 1 }
        }
        let headerCount = headerCells.values.reduce(0, +)
        return found >= 2 && found * 10 >= headerCount * 6 && found * 10 >= filled * 8
    }

    /// A line of text in a wide table — a note, a source, a footnote: at most a third of the
    /// columns filled, the first filled one with words unlike the column's values (several words
    /// where they have one, or far longer). A sparse data row (`kelvin,,`, `,Berlin,`) has a value
    /// like the others in its column, and is data.
    func isNote(_ batch: RowBatch, row: Int) -> Bool {
        guard width >= 3 else { return false }
        let most = max(1, width / 3)
        // Filled cells counted on bytes (a cell of spaces is empty); the first one's kind only at the end.
        let first: Int? = batch.withRow(row) { cells in
            var filled = 0
            var first: Int?
            for c in 0..<cells.count where TableShape.isFilled(cells[c]) {
                filled += 1
                if first == nil { first = c }
                if filled > most { return nil }
            }
            return first
        }
        guard let first else { return false }
        return batch.withCell(row: row, column: first) { cell in
            guard CellShape.of(cell) == .text else { return false }
            guard first < text.count else { return true }
            let t = TableShape.trim(cell), column = text[first]
            return (TableShape.wordCount(t) > 1 && !column.wordy) || t.count > max(24, 2 * column.longest)
        }
    }

    /// Holds something besides spaces (most cells answer on their first byte).
    @inline(__always)
    static func isFilled(_ cell: UnsafeRawBufferPointer) -> Bool {
        for b in cell where b != 0x20 && b != 0x09 { return true }
        return false
    }

    static func trim(_ cell: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0, end = cell.count
        while start < end, cell[start] == 0x20 || cell[start] == 0x09 { start += 1 }
        while end > start, cell[end - 1] == 0x20 || cell[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: cell[start..<end])
    }
}

extension TableShape {
    /// Remembers the header (its names, and each of its lines' cells) to recognize it again.
    mutating func setHeader(_ names: [String], lines: [[String]] = []) {
        headerCells = [:]
        let cells = lines.isEmpty ? [names] : lines
        for line in cells.prefix(1) {
            for cell in line {
                let n = Similarity.normalize(cell)
                if !n.isEmpty { headerCells[n, default: 0] += 1 }
            }
        }
        let first = (lines.first ?? names).first ?? ""
        headerFirstCell = Array(first.trimmingSpaces.utf8)
    }
}
