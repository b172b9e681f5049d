/// A row that might be the header, with its score and cells (for `report.json`).
public struct HeaderCandidate: Sendable, Equatable {
    /// 0-based record number in the file (blank records count).
    public var row: Int
    public var score: Double
    public var cells: [String]
}

public struct HeaderDecision: Sendable {
    /// The header's (first) record number, or nil when there is no header row or none can be
    /// called the header with confidence (`noHeader` tells which).
    public var chosen: Int?
    public var candidates: [HeaderCandidate]
    /// How the decision was taken: `override`, `detected`.
    public var method: String
    /// Every record of the header, in order: a header spread over two or three lines.
    public var rows: [Int] = []
    /// The file has no header row: its first table row is data like the rest.
    public var noHeader = false
    /// One name per column: the header's cells, a multi-line header's joined with a space.
    public var names: [String] = []
    /// The first record that can be data (records before it are preamble or header).
    public var firstDataRecord = 0
    /// The data's look, to find where the table ends while streaming.
    var shape: TableShape?
    /// A person decided that the table runs to the end of the file (resolution.json
    /// `readToEnd`): no other table starts in it.
    public var readToEnd = false
    /// Why, in a sentence per finding (for `inspect`).
    public var evidence: [String] = []

    /// The last record that is not data (what `RowProcessor` skips up to).
    var lastNonDataRecord: Int { firstDataRecord - 1 }
}

/// Finds the header row among the first rows of a table: title lines, notes and blank rows
/// above it are common. A row scores high when its cells are filled, distinct and word-like,
/// its width matches the rows below, the rows below look like data under it (numbers and dates
/// where it has words) and its cells name the schema's fields. Then the table's top is checked
/// against the data below it: a top row whose numbers and dates sit where the data's do is data
/// itself (the file has no header); the lines right under a header that are words where the
/// data has numbers or dates continue the header, and a row of group labels right above it
/// (`HeaderDetector+Groups.swift`) opens it (up to three lines, joined per column).
public enum HeaderDetector {
    public static let searchRows = 25
    static let maxHeaderLines = 3

    public static func detect(_ batch: RowBatch, fields: [Field], override: Int?) -> HeaderDecision {
        let rows = (0..<batch.count).filter { !batch.isBlank(row: $0) }
        if let override {
            let index = batch.rowRecords.firstIndex(of: override)
            let cells = index.map { batch.strings(row: $0) } ?? []
            var decision = HeaderDecision(
                chosen: override, candidates: [HeaderCandidate(row: override, score: 1, cells: cells)], method: "override")
            decision.rows = [override]
            decision.names = cells
            decision.firstDataRecord = override + 1
            if let index {
                let below = rows.filter { $0 > index }.prefix(200)
                let width = max(cells.count, below.map { filledWidth(batch, $0) }.max() ?? 0)
                var shape = TableShape.of(batch, rows: Array(below), width: width)
                shape.setHeader(cells)
                decision.shape = shape
            }
            return decision
        }
        guard !rows.isEmpty else { return HeaderDecision(chosen: nil, candidates: [], method: "detected") }
        // The table's width: the most common width among the non-blank rows.
        var widthCounts: [Int: Int] = [:]
        for r in rows { widthCounts[filledWidth(batch, r), default: 0] += 1 }
        let tableWidth = widthCounts.max { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }!.key
        let names = fieldNames(fields)

        var candidates: [HeaderCandidate] = []
        var seenWideRow = false
        var firstWide: Int?
        for (position, r) in rows.prefix(searchRows).enumerated() {
            let below = Array(rows[(position + 1)...].prefix(30))
            // Sub-labels repeated under group labels (`Exports,Imports,Exports,Imports`) are
            // told apart by their groups.
            let above = position > 0 ? rows[position - 1] : nil
            let groups = above.flatMap { batch.rowRecords[r] - batch.rowRecords[$0] <= 3 ? groupLabels(batch, upper: $0, lower: r) : nil }
            var score = self.score(batch, row: r, below: below, tableWidth: tableWidth, names: names, groups: groups)
            // The top of the table is where headers are: the first row as wide as the table.
            if !seenWideRow && filledWidth(batch, r) * 5 >= tableWidth * 4 {
                seenWideRow = true
                firstWide = position
                score = min(1, score + 0.1)
            }
            candidates.append(HeaderCandidate(row: batch.rowRecords[r], score: score, cells: batch.strings(row: r)))
        }
        let ranked = candidates.sorted { $0.score != $1.score ? $0.score > $1.score : $0.row < $1.row }
        let best = ranked[0]
        let bestPosition = rows.firstIndex { batch.rowRecords[$0] == best.row }!
        var runnerUp = ranked.count > 1 ? ranked[1].score : 0
        var confident = best.score >= 0.55 && best.score - runnerUp >= 0.08
        if best.score >= 0.55 && !confident {
            // The runner-up may be another line of the same header (its group labels, its next
            // line): no rival then — unless it names the same columns (two headers to choose from).
            let shape = dataShape(batch, rows: rows, top: bestPosition, width: tableWidth)
            let partners = headerPartners(
                batch, lines: headerLines(batch, rows: rows, top: bestPosition, shape: shape), best: rows[bestPosition], shape: shape)
            if !partners.isEmpty {
                let records = Set(partners.map { batch.rowRecords[$0] })
                runnerUp = ranked.dropFirst().first { !records.contains($0.row) }?.score ?? 0
                confident = best.score - runnerUp >= 0.08
            }
        }
        var decision = HeaderDecision(chosen: nil, candidates: Array(ranked.prefix(5)), method: "detected")

        // The table's top: the header if one stands out, else the first row as wide as the table.
        guard let top = confident ? bestPosition : firstWide else {
            decision.evidence.append("no row stands out as the header")
            return decision
        }
        // What the data looks like: the rows under the top (past two that may continue a header).
        var shape = dataShape(batch, rows: rows, top: top, width: tableWidth)
        if shape.typedColumns > 0 && top + 1 < rows.count && shape.conforms(batch, row: rows[top]) {
            decision.noHeader = true
            decision.firstDataRecord = batch.rowRecords[rows[top]]
            decision.shape = shape
            decision.evidence.append(
                "record \(decision.firstDataRecord) has numbers and dates where the rows below have them: the file has no header row, the table starts there"
            )
            return decision
        }
        guard confident else {
            decision.evidence.append(
                "no row stands out as the header (best record \(best.row), score \(ColumnMapper.round2(best.score)), next \(ColumnMapper.round2(runnerUp)))"
            )
            return decision
        }
        // A header spread over several lines: group labels above it, lines of words under it.
        let header = headerLines(batch, rows: rows, top: top, shape: shape)
        decision.chosen = batch.rowRecords[header[0]]
        decision.rows = header.map { batch.rowRecords[$0] }
        decision.names = joinedNames(batch, rows: header, shape: shape)
        decision.firstDataRecord = batch.rowRecords[header.last!] + 1
        shape.setHeader(decision.names, lines: header.map { batch.strings(row: $0) })
        decision.shape = shape
        decision.evidence += headerEvidence(batch, lines: header, names: decision.names, shape: shape)
        return decision
    }

    /// The data's look under the table's top (past the two rows after it, which may continue a
    /// header, when there are enough rows).
    static func dataShape(_ batch: RowBatch, rows: [Int], top: Int, width: Int) -> TableShape {
        let under = Array(rows[(top + 1)...].prefix(200))
        let profileRows = under.count > 6 ? Array(under.dropFirst(maxHeaderLines - 1)) : under
        return TableShape.of(batch, rows: profileRows.isEmpty ? [rows[top]] : profileRows, width: width)
    }

    /// Normalized names of every field (key, label, alternate matches).
    static func fieldNames(_ fields: [Field]) -> Set<String> {
        var names = Set<String>()
        for f in fields {
            names.insert(Similarity.normalize(f.key))
            names.insert(Similarity.normalize(f.label))
            for alt in f.alternateMatches { names.insert(Similarity.normalize(alt)) }
        }
        names.remove("")
        return names
    }

    /// The number of cells up to the last non-empty one.
    static func filledWidth(_ batch: RowBatch, _ row: Int) -> Int {
        var w = batch.cellCount(row: row)
        while w > 0, batch.withCell(row: row, column: w - 1, { CellShape.of($0) == .empty }) { w -= 1 }
        return w
    }

    static func score(_ batch: RowBatch, row: Int, below: [Int], tableWidth: Int, names: Set<String>, groups: [String]? = nil) -> Double {
        let width = filledWidth(batch, row)
        guard width > 0 else { return 0 }
        var filled = 0, words = 0, named = 0
        var seen = Set<String>()
        var distinct = 0
        var shapes: [CellShape] = []
        for c in 0..<max(width, tableWidth) {
            let shape = batch.withCell(row: row, column: c) { CellShape.of($0) }
            shapes.append(shape)
            guard shape != .empty else { continue }
            filled += 1
            if shape == .text { words += 1 }
            let normalized = Similarity.normalize(batch.string(row: row, column: c))
            let group = groups.map { c < $0.count ? Similarity.normalize($0[c]) : "" } ?? ""
            if seen.insert(group + "\u{1F}" + normalized).inserted { distinct += 1 }
            if names.contains(normalized) || names.contains(group + normalized)
                || names.contains(where: { Similarity.score($0, normalized) >= 0.8 })
            {
                named += 1
            }
        }
        guard filled > 0 else { return 0 }
        let columns = Double(max(width, tableWidth))
        let fill = Double(filled) / columns
        let wordShare = Double(words) / Double(filled)
        let uniqueness = Double(distinct) / Double(filled)
        let widthFit = Double(min(width, tableWidth)) / Double(max(width, tableWidth))
        // Rows below: consistent width, and data-like where the header is a word.
        var consistent = 0.0, contrast = 0.0, contrastCells = 0.0
        for b in below {
            let bw = filledWidth(batch, b)
            consistent += Double(min(bw, tableWidth)) / Double(max(bw, tableWidth, 1))
            for c in 0..<shapes.count where shapes[c] == .text {
                let s = batch.withCell(row: b, column: c) { CellShape.of($0) }
                if s == .number || s == .date { contrast += 1 }
                contrastCells += 1
            }
        }
        let belowFit = below.isEmpty ? 0.5 : consistent / Double(below.count)
        let contrastShare = contrastCells == 0 ? 0 : contrast / contrastCells
        let nameShare = Double(named) / Double(filled)
        // Words that are distinct and fill the table's width make a header; a name match with the
        // schema is the strongest evidence; rows below of the same width and of another kind confirm.
        var score = 0.30 * wordShare * uniqueness + 0.20 * fill * widthFit + 0.20 * belowFit + 0.10 * contrastShare
        score += 0.35 * nameShare
        if tableWidth > 1 && width == 1 { score *= 0.4 }  // a title line
        return min(1, score)
    }
}
