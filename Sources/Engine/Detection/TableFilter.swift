/// Follows a file's rows in order, batch by batch, and keeps the table's: from its first data
/// record to where it ends. The end is decided as the rows stream by, with no second pass:
/// - another table starts where the header comes again, or where a row of words stands where
///   the data has numbers and dates right after a blank line: the first table is read, the rest
///   left out (`endRecord` says where). Notes alone do not end a table: a row after them is data;
/// - a run of notes at the very end of the file (sources, footnotes: a line of text filling at
///   most a third of a wide table, unlike its column's values) is a footer and is left out
///   (`footerRecords`). Notes are held back until data follows them (then they were data after
///   all and are kept, in order) or the file ends. At most `maxHeldRows` are held: a longer run
///   is data.
/// Every record it does not pass on as a row of the table — above the header, the header,
/// blank, the footer, another table — is counted in `leftOut` with its reason (contract §5).
struct TableFilter {
    let shape: TableShape?
    let firstDataRecord: Int
    static let maxHeldRows = 50

    private var held = RowBatch()
    private var sawData = false
    /// A blank row or a note since the last data row: a new table may start.
    private var separated = false
    /// Where another table starts (rows from there on are not this table's).
    private(set) var endRecord: Int?
    /// The records left out as the table's footer (known once the file has ended).
    private(set) var footerRecords: [Int] = []
    var ended: Bool { endRecord != nil }

    /// Region detection off: every row is the table's (JSON data has no titles or notes).
    let keepsEverything: Bool
    /// The header's records (left out as `header`, those above it as `title`).
    private let headerRecords: Set<Int>
    /// The records left out so far.
    private(set) var leftOut = LeftOut()

    /// A person decided the whole file is one table (resolution.json `readToEnd`): nothing ends
    /// it; the header repeated is left out as a header.
    let readToEnd: Bool

    init(_ header: HeaderDecision, format: String = "csv") {
        self.shape = header.shape
        self.firstDataRecord = header.chosen == nil && !header.noHeader ? 0 : header.firstDataRecord
        self.keepsEverything = format == "json"
        self.headerRecords = Set(header.rows.isEmpty ? header.chosen.map { [$0] } ?? [] : header.rows)
        self.readToEnd = header.readToEnd
    }

    /// The filter in its steady state, for rows in the middle of a file (a chunk after the first):
    /// data came before, nothing is held, every row is past the header.
    init(continuing header: HeaderDecision) {
        self.shape = header.shape
        self.firstDataRecord = 0
        self.keepsEverything = false
        self.headerRecords = []
        self.readToEnd = false
        self.sawData = true
    }

    /// Hands over what was left out so far (a chunk's, to be added to the file's).
    mutating func takeLeftOut() -> LeftOut {
        defer { leftOut = LeftOut() }
        return leftOut
    }

    /// In the steady state: what `init(continuing:)` assumes.
    var isSteady: Bool { sawData && !separated && held.count == 0 && !ended }

    /// Numbers what it holds and where the table ended `lines` and `records` further on.
    mutating func shift(lines: Int, records: Int, offset: Int) {
        held.shift(lines: lines, records: records, offset: offset)
        endRecord = endRecord.map { $0 + records }
        leftOut.shift(records: records)
    }

    /// The rows of `batch` that belong to the table (blank rows may stay: readers skip them).
    /// The batch itself when nothing is left out or held, so the usual case copies nothing.
    mutating func filter(_ batch: RowBatch) -> RowBatch {
        if keepsEverything { return batch }
        guard !ended else {
            for r in 0..<batch.count {
                leftOut.add(batch.rowRecords[r], .anotherTable, batch: batch, row: r)
                if let shape, shape.typedColumns > 0, !batch.isBlank(row: r), shape.conforms(batch, row: r) {
                    leftOut.dataLikeAfterEnd += 1
                }
            }
            return RowBatch()
        }
        var plan: [(fromHeld: Bool, row: Int)] = []
        plan.reserveCapacity(batch.count)
        var heldHere: [Int] = []  // rows of this batch held back (and still held at its end)
        var heldBefore = held.count  // rows held from earlier batches, still held
        func release() {
            // Held rows were data after all; the blank ones among them reach no result.
            for i in 0..<heldBefore {
                plan.append((true, i))
                if held.isBlank(row: i) { leftOut.add(held.rowRecords[i], .blank, batch: held, row: i) }
            }
            for r in heldHere {
                plan.append((false, r))
                if batch.isBlank(row: r) { leftOut.add(batch.rowRecords[r], .blank, batch: batch, row: r) }
            }
            heldBefore = 0
            heldHere.removeAll()
        }
        for r in 0..<batch.count {
            let record = batch.rowRecords[r]
            if record < firstDataRecord {
                let reason: LeftOut.Reason = batch.isBlank(row: r) ? .blank : headerRecords.contains(record) ? .header : .title
                leftOut.add(record, reason, batch: batch, row: r)
                continue
            }
            if batch.isBlank(row: r) {
                if sawData { separated = true }
                if heldBefore + heldHere.count > 0 {
                    heldHere.append(r)
                } else {
                    plan.append((false, r))
                    leftOut.add(record, .blank, batch: batch, row: r)
                }
                continue
            }
            guard let shape else { plan.append((false, r)); continue }
            if readToEnd && sawData && shape.repeatsHeader(batch, row: r) {
                release()
                leftOut.add(record, .header, batch: batch, row: r)
                continue
            }
            if !readToEnd && sawData && (shape.repeatsHeader(batch, row: r) || (separated && shape.isHeaderLike(batch, row: r))) {
                endRecord = heldBefore > 0 ? held.rowRecords[0] : heldHere.first.map { batch.rowRecords[$0] } ?? record
                leftOut.tableEnd = endRecord
                for i in 0..<heldBefore { leftOut.add(held.rowRecords[i], .anotherTable, batch: held, row: i) }
                for h in heldHere { leftOut.add(batch.rowRecords[h], .anotherTable, batch: batch, row: h) }
                let out = build(batch, plan: plan)
                held = RowBatch()
                _ = filter(RowBatch(rows: batch, from: r))  // counted as the other table's, with their evidence
                return out
            }
            if shape.isNote(batch, row: r) {
                heldHere.append(r)
                if heldBefore + heldHere.count > TableFilter.maxHeldRows { release() }
                continue
            }
            release()
            plan.append((false, r))
            sawData = true
            separated = false
        }
        let unchanged = plan.count == batch.count && plan.indices.allSatisfy { !plan[$0].fromHeld && plan[$0].row == $0 }
        let out = unchanged ? batch : build(batch, plan: plan)
        // Keep what is still held: the rows held before (not released) and this batch's.
        var stillHeld = RowBatch()
        for i in 0..<heldBefore { stillHeld.appendRow(from: held, row: i) }
        for r in heldHere { stillHeld.appendRow(from: batch, row: r) }
        held = stillHeld
        return out
    }

    /// The file has ended: rows still held are its footer.
    mutating func finish() {
        footerRecords = (0..<held.count).filter { !held.isBlank(row: $0) }.map { held.rowRecords[$0] }
        for i in 0..<held.count { leftOut.add(held.rowRecords[i], held.isBlank(row: i) ? .blank : .notes, batch: held, row: i) }
        held = RowBatch()
    }

    private func build(_ batch: RowBatch, plan: [(fromHeld: Bool, row: Int)]) -> RowBatch {
        var out = RowBatch()
        for step in plan { out.appendRow(from: step.fromHeld ? held : batch, row: step.row) }
        return out
    }
}

extension RowBatch {
    /// The rows of `batch` from `first` on.
    init(rows batch: RowBatch, from first: Int) {
        self.init()
        for r in first..<batch.count { appendRow(from: batch, row: r) }
    }

    /// Appends a copy of `row` of `other`.
    mutating func appendRow(from other: RowBatch, row: Int) {
        if rowSpans.count == count && other.rowSpans.count == other.count { rowSpans.append(other.rowSpans[row]) }
        for c in other.cellRange(row: row) {
            bytes.append(contentsOf: other.bytes[other.byteRange(cell: c)])
            cellEnds.append(bytes.count)
        }
        rowCellEnds.append(cellEnds.count)
        rowLines.append(other.rowLines[row])
        rowRecords.append(other.rowRecords[row])
    }
}
