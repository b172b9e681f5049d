/// A grouped header, as statistical tables write it: a row of group labels, each spanning the
/// empty cells to its right, over a row of sub-labels that repeat under each group —
///
///     Country,ICT goods totally,,,Audio and video,,
///     ,Exports,Imports,Balance,Exports,Imports,Balance
///
/// — is one header whose names are `Country`, `ICT goods totally Exports`, …, `Audio and video
/// Balance`. A label carries to the right over its row's empty cells (up to its row's next label,
/// or a column with nothing under it) only when it has a sub-label under it: `Country`, with an
/// empty cell under it, names its own column alone.
extension HeaderDetector {
    /// The labels of `upper` carried over the empty cells of their groups (one per column of
    /// `upper` and `lower`), when `upper` is a row of group labels over `lower`; nil otherwise.
    /// A group row has at least one label spanning an empty cell over a filled one, fewer filled
    /// cells than the row under it, only words (or years) in both rows, and is no title (a single
    /// label in the first column).
    static func groupLabels(_ batch: RowBatch, upper: Int, lower: Int) -> [String]? {
        let width = max(batch.cellCount(row: upper), batch.cellCount(row: lower))
        var upperFilled: [Bool] = [], lowerFilled: [Bool] = []
        upperFilled.reserveCapacity(width)
        lowerFilled.reserveCapacity(width)
        for c in 0..<width {
            let (u, l) = (
                batch.withCell(row: upper, column: c) { labelShape($0) }, batch.withCell(row: lower, column: c) { labelShape($0) }
            )
            guard let u, let l else { return nil }  // a number: data, not a label
            upperFilled.append(u)
            lowerFilled.append(l)
        }
        let labels = upperFilled.indices.filter { upperFilled[$0] }
        guard let first = labels.first, labels.count >= 2 || first > 0,
            lowerFilled.lazy.filter({ $0 }).count > labels.count
        else { return nil }
        // A label spans: it has a sub-label under it and the cell to its right is empty over a sub-label.
        let spans = labels.contains { c in lowerFilled[c] && c + 1 < width && !upperFilled[c + 1] && lowerFilled[c + 1] }
        guard spans else { return nil }
        var carried = [String](repeating: "", count: width)
        var current: String?
        for c in 0..<width {
            if upperFilled[c] {
                let label = String(batch.string(row: upper, column: c).trimmingSpaces)
                carried[c] = label
                current = lowerFilled[c] ? label : nil
            } else if lowerFilled[c], let label = current {
                carried[c] = label
            } else {
                current = nil
            }
        }
        return carried
    }

    /// Whether a cell can be a label: true for words or a year, false for empty, nil for another
    /// number or a date (the row is data).
    private static func labelShape(_ cell: UnsafeRawBufferPointer) -> Bool? {
        switch CellShape.of(cell) {
        case .empty: return false
        case .text: return true
        case .number, .date: return TableShape.kind(cell) == .year ? true : nil
        }
    }

    /// The group labels of `upper` carried over `lower` (`groupLabels`), when they label the
    /// data: at least one sits over a column of numbers or dates, none has its column's kind (a
    /// year over a column of amounts is a label), and a label in the first column stands alone
    /// in it (`Country` over an empty cell; `Unit:` over `Country` is a note, not a group).
    static func groups(_ batch: RowBatch, upper: Int, lower: Int, shape: TableShape) -> [String]? {
        guard let carried = groupLabels(batch, upper: upper, lower: lower) else { return nil }
        // A first-column label over a sub-label labels a group only if it spans: `Sales report,
        // January` over `Date,Units,Price` is a title whose comma made two cells.
        if batch.withCell(row: lower, column: 0, { CellShape.of($0) != .empty }),
            batch.withCell(row: upper, column: 0, { CellShape.of($0) != .empty }),
            batch.withCell(row: upper, column: 1, { CellShape.of($0) != .empty })
        {
            return nil
        }
        var overData = 0
        for c in 0..<batch.cellCount(row: upper) {
            let k: TableShape.Kind?? = batch.withCell(row: upper, column: c) {
                CellShape.of($0) == .empty ? .none : .some(TableShape.kind($0))
            }
            guard let k else { continue }
            let expected = c < shape.typed.count ? shape.typed[c] : nil
            if let expected {
                if k == expected { return nil }
                overData += 1
            } else if c == 0, batch.withCell(row: lower, column: 0, { CellShape.of($0) != .empty }) {
                return nil
            }
        }
        return overData > 0 ? carried : nil
    }

    /// The lines of the header whose top line is `rows[top]`: the lines right under it that are
    /// words where the data has numbers or dates (or that its group labels stand over), and a
    /// row of group labels (or a line of words) right above it. Blank records between lines of
    /// the header are skipped (two at most).
    static func headerLines(_ batch: RowBatch, rows: [Int], top: Int, shape: TableShape) -> [Int] {
        var header = [rows[top]]
        guard shape.typedColumns > 0 else { return header }
        var p = top
        while header.count < maxHeaderLines, p + 2 < rows.count {
            let next = rows[p + 1]
            guard batch.rowRecords[next] - batch.rowRecords[rows[p]] <= 3,
                filledWidth(batch, next) * 2 >= filledWidth(batch, rows[top]),
                shape.isHeaderLike(batch, row: next) || groups(batch, upper: rows[p], lower: next, shape: shape) != nil
            else { break }
            header.append(next)
            p += 1
        }
        p = top
        while header.count < maxHeaderLines, p > 0 {
            let above = rows[p - 1], first = rows[p]
            let gap = batch.rowRecords[first] - batch.rowRecords[above]
            let group = gap <= 3 && groups(batch, upper: above, lower: first, shape: shape) != nil
            let line = gap == 1 && filledWidth(batch, above) * 2 >= filledWidth(batch, first) && shape.isHeaderLike(batch, row: above)
            guard group || line else { break }
            header.insert(above, at: 0)
            p -= 1
        }
        return header
    }

    /// The lines of a header on several lines that complete `best` rather than rival it: group
    /// labels over their sub-labels (and those under them), and lines that share fewer than half
    /// of their cells with `best`. A line naming the same columns as `best` (`Name,Email,Amount`
    /// under `Email,Name,Amount`) is another header to choose from.
    static func headerPartners(_ batch: RowBatch, lines: [Int], best: Int, shape: TableShape) -> [Int] {
        guard lines.count > 1 else { return [] }
        let bestCells = Set(batch.strings(row: best).map(Similarity.normalize).filter { !$0.isEmpty })
        var partners = Set<Int>()
        for i in 0..<(lines.count - 1) where groups(batch, upper: lines[i], lower: lines[i + 1], shape: shape) != nil {
            partners.formUnion([lines[i], lines[i + 1]])
        }
        for line in lines where line != best {
            let cells = batch.strings(row: line).map(Similarity.normalize).filter { !$0.isEmpty }
            if cells.filter(bestCells.contains).count * 2 < cells.count { partners.insert(line) }
        }
        partners.remove(best)
        return lines.filter(partners.contains)
    }

    /// One name per column: the cells of the header's lines joined with a space (empty ones left
    /// out; a group label counts in each column of its group), trailing empty columns kept as
    /// they are.
    static func joinedNames(_ batch: RowBatch, rows: [Int], shape: TableShape) -> [String] {
        let width = rows.map { batch.cellCount(row: $0) }.max() ?? 0
        if rows.count == 1 { return (0..<width).map { batch.string(row: rows[0], column: $0) } }
        let lines = rows.indices.map { i in
            (i + 1 < rows.count ? groups(batch, upper: rows[i], lower: rows[i + 1], shape: shape) : nil)
                ?? (0..<width).map { String(batch.string(row: rows[i], column: $0).trimmingSpaces) }
        }
        return (0..<width).map { c in
            lines.map { c < $0.count ? $0[c] : "" }.filter { !$0.isEmpty }.joined(separator: " ")
        }
    }

    /// Why the header has several lines, in one sentence: "records 2–3 are one header: record 2
    /// labels groups of columns over record 3 …".
    static func headerEvidence(_ batch: RowBatch, lines: [Int], names: [String], shape: TableShape) -> [String] {
        guard lines.count > 1 else { return [] }
        let records = lines.map { batch.rowRecords[$0] }
        var reasons: [String] = []
        for i in 0..<(lines.count - 1) {
            if groups(batch, upper: lines[i], lower: lines[i + 1], shape: shape) != nil {
                reasons.append(
                    "record \(records[i]) labels groups of columns over record \(records[i + 1]) (each label spans the empty cells to its right)"
                )
            } else {
                reasons.append("record \(records[i + 1]) is words where the data has numbers or dates")
            }
        }
        let consecutive = records.last! - records[0] == records.count - 1
        let span =
            consecutive
            ? "records \(records[0])–\(records.last!)"
            : "records " + records.dropLast().map(String.init).joined(separator: ", ") + " and \(records.last!)"
        let shown = names.filter { !$0.isEmpty }.prefix(4).map { "`\($0)`" }.joined(separator: ", ")
        return [
            "\(span) are one header: \(reasons.joined(separator: "; ")); each column's name joins its lines' labels (\(shown)\(names.count > 4 ? ", …" : ""))"
        ]
    }
}
