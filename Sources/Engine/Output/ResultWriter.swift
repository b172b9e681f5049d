/// The single writer behind the row processors. Rows are written once, as they are validated:
/// a row valid so far goes straight into `results.json` (built as a scratch file when a unique
/// check may take rows out at the end, else written as itself from the start), an invalid
/// one into the rejects spill, its errors into the errors spill, all in file order.
///
/// Validity can arrive late (`unique` marks the first occurrence too, thousands of rows on): the
/// duplicates are known only when the pass ends. Then, and only when there are some, the rows
/// that turned invalid are taken out of `results.json` by one sequential copy, their cells are
/// read again from the source for `rejected.csv`, and their errors are merged in row order. A
/// file without duplicates costs no second pass at all.
final class ResultWriter {
    struct Totals {
        var rows = 0, valid = 0, invalid = 0, removed = 0, errorCount = 0
        /// Rows past `maxRecords`: read, counted, written nowhere.
        var dropped = 0
        var rowsWithError = RowSet()
        /// The first errors, as JSON objects, for `report.json`.
        var firstErrors: [JSONValue] = []
    }

    /// Reads the source again and calls back with the raw cells of the wanted data rows.
    /// `wants` is asked about rows in increasing order; reading stops after row `last`.
    typealias Reread = (_ wants: (Int) -> Bool, _ last: Int, _ visit: (_ row: Int, _ cells: [String]) throws -> Void) throws -> Void

    private let workspace: any Workspace
    private let fieldKeys: [String]
    private let uniqueSlots: [UniqueSlot]
    private let columns: [Int?]
    private let behavior: InvalidDataBehavior
    private let writeResults: Bool
    private let duplicates: DuplicateFinder
    private let results: BufferedOutput?
    /// The results files are written under their own names (no unique check: nothing to take out).
    private let resultsAreFinal: Bool
    private let offsets: BufferedOutput?
    /// `results.ndjson` and `results.csv` (with its own offsets), when `outputFormats` asks.
    private let ndjson: BufferedOutput?
    private let csv: BufferedOutput?
    private let csvOffsets: BufferedOutput?
    private let csvHeader: [UInt8]
    private let errors: BufferedOutput
    /// Where each row's text is in the source (12 bytes a row), as long as every batch says:
    /// rows that turn invalid late are then read again alone (`rowSpans`).
    private let spans: BufferedOutput
    private var spansKnown = true
    /// The rows' text when the source has no spans to give (`ProcessedBatch.rowText`): the
    /// spans then point into this scratch file.
    private let rowText: BufferedOutput
    private(set) var spansInRowText = false
    private let rejects: BufferedOutput
    /// Rows invalid as they were written (one bit a row).
    private var invalidBits: [UInt64] = []
    private(set) var rows = 0
    private var resultRows = 0
    private var resultBytes = 0
    let maxRecords: Int?
    private(set) var droppedRows = 0
    /// Row indexes a person removed (resolution.json `removeRows`): the rows never reach the
    /// writer, their indexes are skipped so every other row keeps its number in the file.
    private let skipRows: Set<Int>
    /// Threads for the work at the end (sorting the duplicates' partitions).
    private let workers: Int
    private var skipped = 0

    static let reportErrorCap = 1000
    static let lineEnd: [UInt8] = [0x0A]
    static let names = (
        results: "results.part", offsets: "offsets.part", errors: "row-errors.part", rejects: "rejects.part",
        metadataErrors: "errors.part", spans: "spans.part", ndjson: "results-ndjson.part", csv: "results-csv.part",
        csvOffsets: "csv-offsets.part", rowText: "rows.part"
    )

    /// `csvHeader`: the header line of `results.csv`, or nil when it is not wanted.
    init(
        workspace: any Workspace, fieldKeys: [String], uniqueSlots: [UniqueSlot],
        columns: [Int?], behavior: InvalidDataBehavior, writeResults: Bool, maxRecords: Int?,
        ndjson: Bool = false, csvHeader: [UInt8]? = nil, skipRows: Set<Int> = [], workers: Int = 1
    ) throws {
        self.workspace = workspace
        self.workers = workers
        self.skipRows = skipRows
        self.fieldKeys = fieldKeys
        self.uniqueSlots = uniqueSlots
        self.columns = columns
        self.behavior = behavior
        self.writeResults = writeResults
        self.maxRecords = maxRecords
        self.duplicates = DuplicateFinder(workspace: workspace)
        let n = ResultWriter.names
        // Without a unique check no row turns invalid at the end: the results are written as
        // the files they will be from the start (past the page cache, synced at the end), not
        // as scratch files synced when promoted (213 MB of results waited ~0.2 s for the disk
        // then; now the disk writes them while the rows are validated).
        let final = uniqueSlots.isEmpty
        self.resultsAreFinal = final
        func open(_ scratch: String, _ name: String) throws -> any OutputFile {
            final ? try workspace.create(name) : try workspace.createScratch(scratch)
        }
        self.results = writeResults ? BufferedOutput(try open(n.results, "results.json")) : nil
        self.offsets = writeResults && !uniqueSlots.isEmpty ? BufferedOutput { try workspace.createScratch(n.offsets) } : nil
        self.ndjson = writeResults && ndjson ? BufferedOutput(try open(n.ndjson, "results.ndjson")) : nil
        self.csv = writeResults && csvHeader != nil ? BufferedOutput(try open(n.csv, "results.csv")) : nil
        self.csvOffsets = csv != nil && !uniqueSlots.isEmpty ? BufferedOutput { try workspace.createScratch(n.csvOffsets) } : nil
        self.csvHeader = csvHeader ?? []
        try csv?.append(self.csvHeader)
        self.errors = BufferedOutput { try workspace.createScratch(n.errors) }
        self.spans = BufferedOutput { try workspace.createScratch(n.spans) }
        self.rowText = BufferedOutput { try workspace.createScratch(n.rowText) }
        self.rejects = BufferedOutput { try workspace.createScratch(n.rejects) }
        try results?.append("[")
    }

    /// Drops everything written so far (the pass starts again in another encoding).
    func discard() {
        let n = ResultWriter.names
        for file in [results, offsets, errors, rejects, ndjson, csv, csvOffsets] { try? file?.close() }
        for (file, scratch, name) in [
            (results, n.results, "results.json"), (ndjson, n.ndjson, "results.ndjson"), (csv, n.csv, "results.csv"),
        ]
        where file != nil {
            if resultsAreFinal { workspace.remove(name) } else { workspace.removeScratch(scratch) }
        }
        for (file, name) in [
            (offsets, n.offsets), (errors, n.errors), (rejects, n.rejects), (csvOffsets, n.csvOffsets), (spans, n.spans),
            (rowText, n.rowText),
        ]
        where (file?.position ?? 0) > 0 {
            workspace.removeScratch(name)
        }
        duplicates.discard()
    }

    private func isInvalid(_ row: Int) -> Bool { invalidBits[row >> 6] & (1 << UInt64(row & 63)) != 0 }

    func append(_ batch: ProcessedBatch) throws {
        var record: [UInt8] = []
        // What a row adds to the spans and offsets files, gathered for the batch.
        var spanRecords: [UInt8] = []
        var offsetRecords: [UInt8] = []
        // Sized once (12 and 16 bytes a row), not grown by doubling batch after batch.
        if spansKnown { spanRecords.reserveCapacity(batch.count * 12) }
        if offsets != nil { offsetRecords.reserveCapacity(batch.count * 16) }
        // The rows' text as the source holds it, or as the processor wrote it for this file.
        let textBase = rowText.position
        let ownText = batch.sourceSpans.isEmpty && batch.rowTextEnds.count == batch.count && batch.count > 0
        if spansKnown && batch.sourceSpans.count != batch.count && !ownText { spansKnown = false }
        if spansKnown && ownText {
            spansInRowText = true
            try rowText.append(batch.rowText)
        }
        // Rows bound for results.json that follow each other in the batch are written as one
        // run: each row's JSON comes with the `,\n` that goes before it.
        var run: (first: Int, last: Int)?
        var rowIndexes: [Int] = []
        rowIndexes.reserveCapacity(batch.count)
        func writeRun() throws {
            guard let (first, last) = run, let results else { return }
            run = nil
            var from = batch.jsonRange(first).lowerBound - 2
            // The first row of the file: `[` then a line end, no comma.
            if results.position == 1 { from += 1 }
            let base = results.position - from
            try batch.json.withUnsafeBytes { try results.append(UnsafeRawBufferPointer(rebasing: $0[from..<batch.jsonEnds[last]])) }
            if offsets != nil {
                for k in first...last {
                    let json = batch.jsonRange(k)
                    ResultWriter.note(rowIndexes[k], at: base + json.lowerBound, length: json.count, to: &offsetRecords)
                }
            }
        }
        for i in 0..<batch.count {
            while !skipRows.isEmpty && skipRows.contains(rows) { rows += 1; skipped += 1; spansKnown = false }
            if let maxRecords, rows - skipped >= maxRecords { droppedRows += 1; rowIndexes.append(-1); continue }
            let row = rows
            rows += 1
            rowIndexes.append(row)
            if spansKnown {
                let span =
                    ownText
                    ? (textBase + (i == 0 ? 0 : batch.rowTextEnds[i - 1]))..<(textBase + batch.rowTextEnds[i]) : batch.sourceSpans[i]
                withUnsafeBytes(of: (UInt64(span.lowerBound).littleEndian, UInt32(span.count).littleEndian)) {
                    spanRecords.append(contentsOf: $0)
                }
            }
            while row >> 6 >= invalidBits.count { invalidBits.append(0) }
            let invalid = batch.invalid[i]
            if invalid { invalidBits[row >> 6] |= 1 << UInt64(row & 63) }
            for s in uniqueSlots.indices {
                let h = batch.uniqueHashes[i * uniqueSlots.count + s]
                if h != 0 { try duplicates.add(slot: s, hash: h, row: row, line: batch.sourceRows[i]) }
            }
            // results: every row in INCLUDE mode, the valid ones otherwise.
            if results != nil, !invalid || behavior == .includeInvalidRows {
                if let r = run, r.last == i - 1 { run = (r.first, i) } else { try writeRun(); run = (i, i) }
                let json = batch.jsonRange(i)
                if let ndjson {
                    try batch.json.withUnsafeBytes { try ndjson.append(UnsafeRawBufferPointer(rebasing: $0[json])) }
                    try ndjson.append(ResultWriter.lineEnd)
                }
                if let csv {
                    let line = batch.csvRange(i)
                    if let csvOffsets {
                        record.removeAll(keepingCapacity: true)
                        ResultWriter.note(row, at: csv.position, length: line.count, to: &record)
                        try csvOffsets.append(record)
                    }
                    try batch.csv.withUnsafeBytes { try csv.append(UnsafeRawBufferPointer(rebasing: $0[line])) }
                }
                resultRows += 1
            }
            let errorRange = batch.errorRange(i)
            if !errorRange.isEmpty {
                record.removeAll(keepingCapacity: true)
                Spill.put(UInt32(row), &record)
                Spill.put(UInt32(batch.sourceRows[i]), &record)
                let lengthAt = record.count
                Spill.put(0, &record)
                for (n, e) in batch.errors[errorRange].enumerated() {
                    if n > 0 { record.append(0x0A) }
                    appendErrorJSON(e, row: row, sourceRow: batch.sourceRows[i], to: &record)
                }
                Spill.patch(UInt32(record.count - lengthAt - 4), at: lengthAt, &record)
                try errors.append(record)
            }
            if invalid && behavior == .removeInvalidRows && writeResults {
                record.removeAll(keepingCapacity: true)
                Spill.put(UInt32(row), &record)
                Spill.put(UInt32(batch.sourceRows[i]), &record)
                var text: [UInt8] = []
                appendErrorText(batch.errors[errorRange].filter { $0.level == "error" }, to: &text)
                Spill.put(UInt32(text.count), &record)
                record.append(contentsOf: text)
                let raw = batch.rawRange(i)
                Spill.put(UInt32(raw.count), &record)
                record.append(contentsOf: batch.raw[raw])
                try rejects.append(record)
            }
        }
        try writeRun()
        if !spanRecords.isEmpty { try spans.append(spanRecords) }
        if let offsets, !offsetRecords.isEmpty { try offsets.append(offsetRecords) }
    }

    /// Where a row's bytes are in a results scratch file (for the copy without late-invalid rows).
    @inline(__always)
    private static func note(_ row: Int, at offset: Int, length: Int, to records: inout [UInt8]) {
        withUnsafeBytes(of: (UInt64(offset).littleEndian, UInt32(length).littleEndian, UInt32(row).littleEndian)) {
            records.append(contentsOf: $0)
        }
    }

    private func appendErrorJSON(_ e: CellError, row: Int, sourceRow: Int, to out: inout [UInt8]) {
        var object: JSONObject = [
            "rowIndex": .number(row), "sourceRow": .number(sourceRow), "fieldKey": .string(fieldKeys[e.field]),
            "message": .string(e.message), "value": .string(e.value),
        ]
        if e.level != "error" { object["level"] = .string(e.level) }
        JSONWriter.appendCompact(.object(object), to: &out)
    }

    /// `rejected.csv`'s `_errors`: `field: message` joined by `; `.
    private func appendErrorText(_ list: some Sequence<CellError>, to out: inout [UInt8]) {
        for e in list {
            if !out.isEmpty { out.append(contentsOf: "; ".utf8) }
            out.append(contentsOf: "\(fieldKeys[e.field]): \(e.message)".utf8)
        }
    }

    /// Where each row's text is in the source (offset, length; in row order), when every row's
    /// is known; nil otherwise. Valid once `finish` has begun.
    func rowSpans() throws -> SpillReader? {
        guard spansKnown, spans.position > 0 else { return nil }
        return SpillReader(try workspace.openScratch(ResultWriter.names.spans))
    }

    /// Where the spans point when they are not the source's: the rows' own text, RFC 4180.
    var rowTextSource: (any ByteSource)? {
        guard spansInRowText else { return nil }
        return ScratchSource(workspace: workspace, name: ResultWriter.names.rowText, size: rowText.position)
    }

    /// Ends the pass: finds the duplicates, takes late-invalid rows out, writes `results.json`,
    /// `rejected.csv` and the error list for `metadata.json`.
    func finish(rawHeaders: [String], formulaEscape: Bool, reread: Reread) throws -> Totals {
        let n = ResultWriter.names
        try spans.close()
        try rowText.close()
        defer {
            if spans.position > 0 { workspace.removeScratch(n.spans) }
            if rowText.position > 0 { workspace.removeScratch(n.rowText) }
        }
        // 1. Duplicates, in row order. The rows they make invalid now are known from them alone.
        let duplicateCount = try duplicates.finishInRowOrder(rows: rows, width: workers)
        var newlyBits = [UInt64](repeating: 0, count: invalidBits.count)
        var last = -1
        if duplicateCount > 0 {
            let scan = SpillReader(try workspace.openScratch(DuplicateFinder.sortedName))
            while let e = try scan.nextQuad() {
                last = e.row
                if uniqueSlots[e.slot].validator.level == "error" && !isInvalid(e.row) { newlyBits[e.row >> 6] |= 1 << UInt64(e.row & 63) }
            }
        }
        let newly = newlyBits
        func isNewly(_ row: Int) -> Bool { row >> 6 < newly.count && newly[row >> 6] & (1 << UInt64(row & 63)) != 0 }
        let anyNewly = newly.contains { $0 != 0 }
        // 2. results, on a thread of its own while the rest goes on: the scratch files as they
        //    are, or copied without the rows that turned invalid (the copy and its fsync are the
        //    longest step left).
        let resultsStep = Unchecked(self)
        // Written by the thread, read after it is joined (the join orders the two).
        let resultsFailure = Unchecked(Failure())
        let finishResults: @Sendable () -> Void = {
            do { try resultsStep.value.finishResults(removing: anyNewly ? newly : nil) } catch { resultsFailure.value.error = error }
        }
        let resultsThread = results == nil ? nil : Worker.start(finishResults)
        // No thread to be had: the results are finished here, first.
        if results != nil && resultsThread == nil { finishResults() }
        var joined = false
        func joinResults() throws {
            guard !joined else { return }
            joined = true
            if let resultsThread { Worker.join(resultsThread) }
            if let failure = resultsFailure.value.error { throw failure }
        }
        defer { try? joinResults() }
        // 3. The duplicates with their own values, read again from the source, go to a
        //    row-ordered scratch file (late.part): memory holds one row range of duplicates at a time.
        var lateCount = 0
        let lateOut = BufferedOutput { [workspace] in try workspace.createScratch("late.part") }
        // Values come from one reread of the source in row order, driven by the sorted duplicates.
        func writeLate(_ group: (row: Int, line: Int, found: [(slot: Int, otherLine: Int)]), cells: [String]?) throws {
            var list: [CellError] = []
            for f in group.found {
                let slot = uniqueSlots[f.slot]
                let message = slot.validator.errorMessage ?? "\(slot.message) \(f.otherLine)"
                for field in slot.fields {
                    var value = ""
                    if let cells, let c = columns[field], c < cells.count { value = String(cells[c].trimmingSpaces) }
                    list.append(CellError(field: field, message: message, value: value, level: slot.validator.level))
                }
            }
            list.sort { $0.field < $1.field }
            let newly = isNewly(group.row)
            var record: [UInt8] = []
            Spill.put(UInt32(group.row), &record)
            Spill.put(UInt32(group.line), &record)
            Spill.put(newly ? 1 : 0, &record)
            var json: [UInt8] = []
            for (k, e) in list.enumerated() {
                if k > 0 { json.append(0x0A) }
                appendErrorJSON(e, row: group.row, sourceRow: group.line, to: &json)
            }
            var text: [UInt8] = []
            appendErrorText(list.filter { $0.level == "error" }, to: &text)
            let raw = newly ? rawLine(cells ?? [], formulaEscape: formulaEscape) : []
            for part in [json, text, raw] {
                Spill.put(UInt32(part.count), &record)
                record.append(contentsOf: part)
            }
            try lateOut.append(record)
            lateCount += 1
        }
        if duplicateCount > 0 {
            let sorted = try SortedDuplicates(SpillReader(try workspace.openScratch(DuplicateFinder.sortedName)))
            // The last row with a duplicate bounds the reread.
            try reread({ $0 == sorted.nextRow }, last) { row, cells in
                if let group = try sorted.next() { try writeLate(group, cells: cells) }
            }
            // A row the reread did not reach (it should not happen) keeps its errors without values.
            while let group = try sorted.next() { try writeLate(group, cells: nil) }
            workspace.removeScratch(DuplicateFinder.sortedName)
        }
        try lateOut.close()
        let hasLate = lateCount > 0
        // 4. Errors in row order: the immediate ones from their spill, the late ones merged in.
        try errors.close()
        try rejects.close()
        var totals = Totals()
        totals.rows = rows - skipped
        totals.dropped = droppedRows
        let metadataErrors = BufferedOutput(try workspace.createScratch(n.metadataErrors))
        let hasErrors = errors.position > 0, hasRejects = rejects.position > 0
        var first = true
        func emit(_ json: ArraySlice<UInt8>) throws {
            try metadataErrors.append(first ? "\n    " : ",\n    ")
            first = false
            try metadataErrors.append(Array(json))
            totals.errorCount += 1
            if totals.firstErrors.count < ResultWriter.reportErrorCap, let v = try? JSONParser.parse(Array(json)) {
                totals.firstErrors.append(v)
            }
        }
        do {
            let lateReader = hasLate ? SpillReader(try workspace.openScratch("late.part")) : nil
            var late = try lateReader?.nextLate()
            let spill = hasErrors ? SpillReader(try workspace.openScratch(n.errors)) : nil
            while let r = try spill?.nextErrors() {
                while let l = late, l.row < r.row {
                    for line in l.a.split(separator: 0x0A) { try emit(line) }
                    late = try lateReader?.nextLate()
                }
                for line in r.payload.split(separator: 0x0A) { try emit(line) }
                if let l = late, l.row == r.row {
                    for line in l.a.split(separator: 0x0A) { try emit(line) }
                    late = try lateReader?.nextLate()
                }
            }
            while let l = late {
                for line in l.a.split(separator: 0x0A) { try emit(line) }
                late = try lateReader?.nextLate()
            }
        }
        try metadataErrors.close()
        if hasErrors { workspace.removeScratch(n.errors) }
        totals.rowsWithError = RowSet(words: zip(invalidBits, newly).map { $0 | $1 })
        totals.invalid = totals.rowsWithError.count
        totals.valid = totals.rows - totals.invalid
        // 5. rejected.csv: immediate rejects from their spill, late ones from late.part, in row order.
        if behavior == .removeInvalidRows && writeResults && totals.invalid > 0 {
            totals.removed = totals.invalid
            let out = BufferedOutput(try workspace.create("rejected.csv"))
            var line: [UInt8] = []
            CSVWriter.appendRecord(["_sourceRow", "_errors"] + rawHeaders, escapeFormulas: formulaEscape, to: &line)
            try out.append(line)
            func write(sourceRow: Int, errors: [UInt8], raw: [UInt8]) throws {
                line.removeAll(keepingCapacity: true)
                CSVWriter.appendField(String(sourceRow), escapeFormulas: false, to: &line)
                line.append(UInt8(ascii: ","))
                errors.withUnsafeBytes { CSVWriter.appendField($0, escapeFormulas: formulaEscape, to: &line) }
                if !raw.isEmpty { line.append(UInt8(ascii: ",")); line.append(contentsOf: raw) }
                line.append(contentsOf: [0x0D, 0x0A])
                try out.append(line)
            }
            let lateReader = hasLate ? SpillReader(try workspace.openScratch("late.part")) : nil
            var late = try lateReader?.nextLate()
            let rejectSpill = hasRejects ? SpillReader(try workspace.openScratch(n.rejects)) : nil
            while let r = try rejectSpill?.nextReject() {
                // Late rows before this one that turned invalid only now.
                while let l = late, l.row < r.row {
                    if l.flags & 1 != 0 { try write(sourceRow: l.sourceRow, errors: l.b, raw: l.c) }
                    late = try lateReader?.nextLate()
                }
                var text = Array(r.payload)
                if let l = late, l.row == r.row {
                    if !l.b.isEmpty {
                        if !text.isEmpty { text.append(contentsOf: "; ".utf8) }
                        text.append(contentsOf: l.b)
                    }
                    late = try lateReader?.nextLate()
                }
                try write(sourceRow: r.sourceRow, errors: text, raw: Array(r.second))
            }
            while let l = late {
                if l.flags & 1 != 0 { try write(sourceRow: l.sourceRow, errors: l.b, raw: l.c) }
                late = try lateReader?.nextLate()
            }
            try out.close()
        }
        if hasLate { workspace.removeScratch("late.part") }
        if hasRejects { workspace.removeScratch(n.rejects) }
        try joinResults()
        return totals
    }

    /// Ends the results files: promoted as they are, or copied without the rows `removing` has
    /// (one bit a row: the rows that turned invalid late) when there are some.
    private func finishResults(removing bits: [UInt64]?) throws {
        guard let results else { return }
        func removing(_ row: Int) -> Bool { row >> 6 < (bits?.count ?? 0) && bits![row >> 6] & (1 << UInt64(row & 63)) != 0 }
        let n = ResultWriter.names
        try results.append(resultRows == 0 ? "]\n" : "\n]\n")
        try results.close()
        try offsets?.close()
        try ndjson?.close()
        try csv?.close()
        try csvOffsets?.close()
        if behavior == .removeInvalidRows, bits != nil {
            try copyRows(without: removing, from: n.results, index: n.offsets, into: try workspace.create("results.json"), layout: .json)
            workspace.removeScratch(n.results)
            if ndjson != nil {
                try copyRows(
                    without: removing, from: n.ndjson, index: n.offsets, into: try workspace.create("results.ndjson"), layout: .ndjson)
                workspace.removeScratch(n.ndjson)
            }
            if csv != nil {
                try copyRows(
                    without: removing, from: n.csv, index: n.csvOffsets, into: try workspace.create("results.csv"),
                    layout: .csv(header: csvHeader))
                workspace.removeScratch(n.csv)
            }
        } else if !resultsAreFinal {
            try workspace.promote(n.results, to: "results.json")
            if ndjson != nil { try workspace.promote(n.ndjson, to: "results.ndjson") }
            if csv != nil { try workspace.promote(n.csv, to: "results.csv") }
        }
        if (offsets?.position ?? 0) > 0 { workspace.removeScratch(n.offsets) }
        if (csvOffsets?.position ?? 0) > 0 { workspace.removeScratch(n.csvOffsets) }
    }

    private func rawLine(_ cells: [String], formulaEscape: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for (i, c) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            CSVWriter.appendField(c, escapeFormulas: formulaEscape, to: &out)
        }
        return out
    }

    /// How rows are laid out in a results file, and where the rows are in its scratch file.
    enum Layout {
        /// `[`, rows joined by `,\n`, `\n]`; an offset is where the row's object starts.
        case json
        /// Each row and `\n`; offsets are the JSON scratch file's (the row's place follows from them).
        case ndjson
        /// The header, then each line with its CRLF.
        case csv(header: [UInt8])

        var prefix: [UInt8] {
            switch self {
            case .json: Array("[\n".utf8)
            case .ndjson: []
            case .csv(let header): header
            }
        }
        var joiner: [UInt8] { if case .json = self { [UInt8(ascii: ","), 0x0A] } else { [] } }
        var suffix: [UInt8] { if case .json = self { Array("\n]\n".utf8) } else { [] } }
        var empty: [UInt8] {
            switch self {
            case .json: Array("[]\n".utf8)
            case .ndjson: []
            case .csv(let header): header
            }
        }

        /// The bytes of the `index`th row written, from its offsets record.
        func span(offset: Int, length: Int, index: Int) -> Range<Int> {
            switch self {
            case .json, .csv: offset..<(offset + length)
            // `[\n` and a `,\n` before each row in the JSON; one `\n` after each here.
            case .ndjson: (offset - 2 - index)..<(offset - 2 - index + length + 1)
            }
        }
    }

    /// Copies the rows of a scratch file (found through its offsets) into `output`, without the
    /// rows in `removed`. The rows between two removed ones are copied as one run, in large
    /// reads and writes.
    private func copyRows(
        without removed: (Int) -> Bool, from source: String, index: String, into output: any OutputFile, layout: Layout
    ) throws {
        let entries = SpillReader(try workspace.openScratch(index))
        let scratch = SpillReader(try workspace.openScratchOnce(source))
        let out = BufferedOutput(output)
        var position = 0
        var run: Range<Int>?
        var written = false
        func flush() throws {
            guard let r = run else { return }
            try scratch.skip(r.lowerBound - position)
            try out.append(written ? layout.joiner : layout.prefix)
            try scratch.copy(r.count, to: out)
            position = r.upperBound
            written = true
            run = nil
        }
        var i = 0
        while let entry = try entries.nextOffset() {
            let span = layout.span(offset: entry.offset, length: entry.length, index: i)
            i += 1
            if removed(entry.row) { try flush(); continue }
            run = run.map { $0.lowerBound..<span.upperBound } ?? span
        }
        try flush()
        try out.append(written ? layout.suffix : layout.empty)
        try out.close()
    }
}

/// A scratch file read as a source (the rows' text the writer kept). Read by the thread that
/// finishes the import, as the workspace is.
struct ScratchSource: ByteSource, @unchecked Sendable {
    let workspace: any Workspace
    let name: String
    let size: Int?
    func open() throws -> any ByteReader { try workspace.openScratch(name) }
}
