/// The single writer behind the row processors. Validity can arrive late (`unique` marks the
/// first occurrence too, thousands of rows on), so each row is written once, as validated, to a
/// spill with its errors; when the pass ends the late errors are known, and one sequential copy
/// of the spill makes `results.json`, `rejected.csv` and the error list of `metadata.json`.
final class ResultWriter {
    struct Totals {
        var rows = 0, valid = 0, invalid = 0, removed = 0, errorCount = 0
        var rowsWithError: [Int] = []
        /// The first errors, as JSON objects, for `report.json`.
        var firstErrors: [JSONValue] = []
    }

    private let fieldKeys: [String]
    private let uniqueSlots: [(field: Int, validator: Validator, caseInsensitive: Bool)]
    private let duplicates: DuplicateFinder
    /// Errors found after their row was spilled: row → errors.
    private var late: [Int: [CellError]] = [:]
    private let spill: BufferedOutput
    private let workspace: any Workspace
    private(set) var rows = 0
    let maxRecords: Int?
    private(set) var droppedRows = 0
    static let spillName = "rows.spill"
    static let reportErrorCap = 1000

    init(workspace: any Workspace, fieldKeys: [String], uniqueSlots: [(field: Int, validator: Validator, caseInsensitive: Bool)], maxRecords: Int?) throws {
        self.workspace = workspace
        self.fieldKeys = fieldKeys
        self.uniqueSlots = uniqueSlots
        self.duplicates = DuplicateFinder(workspace: workspace)
        self.spill = BufferedOutput(try workspace.createScratch(ResultWriter.spillName))
        self.maxRecords = maxRecords
    }

    func append(_ batch: ProcessedBatch) throws {
        var record: [UInt8] = []
        for i in 0..<batch.count {
            if let maxRecords, rows >= maxRecords { droppedRows += 1; continue }
            let row = rows
            rows += 1
            let errors = Array(batch.errors[batch.errorRange(i)])
            let invalid = batch.invalid[i]
            for s in uniqueSlots.indices {
                let h = batch.uniqueHashes[i * uniqueSlots.count + s]
                if h != 0 { try duplicates.add(slot: s, hash: h, row: row, line: batch.sourceRows[i]) }
            }
            // Record: sourceRow, invalid, lengths, then JSON, raw CSV, errors (JSON objects, text).
            record.removeAll(keepingCapacity: true)
            var errorJSON: [UInt8] = []
            var errorText: [UInt8] = []
            encodeErrors(errors, row: row, sourceRow: batch.sourceRows[i], json: &errorJSON, text: &errorText)
            let json = batch.jsonRange(i), raw = batch.rawRange(i)
            Spill.put(UInt32(batch.sourceRows[i]), &record)
            record.append(invalid ? 1 : 0)
            Spill.put(UInt32(json.count), &record)
            Spill.put(UInt32(raw.count), &record)
            Spill.put(UInt32(errorJSON.count), &record)
            Spill.put(UInt32(errorText.count), &record)
            record.append(contentsOf: batch.json[json])
            record.append(contentsOf: batch.raw[raw])
            record.append(contentsOf: errorJSON)
            record.append(contentsOf: errorText)
            try spill.append(record)
        }
    }

    /// Errors as `metadata.json` lists them (one compact object per line) and as `rejected.csv`'s
    /// `_errors` column (messages joined by "; ").
    private func encodeErrors(_ errors: [CellError], row: Int, sourceRow: Int, json: inout [UInt8], text: inout [UInt8]) {
        for (n, e) in errors.enumerated() {
            let object: JSONValue = [
                "rowIndex": .number(row), "sourceRow": .number(sourceRow), "fieldKey": .string(fieldKeys[e.field]),
                "message": .string(e.message), "value": .string(e.value),
            ]
            var withLevel = object
            if e.level != "error", case .object(var o) = object { o["level"] = .string(e.level); withLevel = .object(o) }
            if n > 0 { json.append(0x0A) }
            JSONWriter.appendCompact(withLevel, to: &json)
            if n > 0 { text.append(contentsOf: "; ".utf8) }
            text.append(contentsOf: "\(fieldKeys[e.field]): \(e.message)".utf8)
        }
    }

    /// The final copy. `rejectedHeader` is the file's header row; returns the totals.
    func finish(behavior: InvalidDataBehavior, writeResults: Bool, rawHeaders: [String], formulaEscape: Bool) throws -> Totals {
        try spill.close()
        try duplicates.finish { d in
            let slot = uniqueSlots[d.slot]
            let message = slot.validator.errorMessage ?? "Duplicate: the same value is on line \(d.otherLine)"
            late[d.row, default: []].append(CellError(field: slot.field, message: message, value: "", level: slot.validator.level))
        }
        var totals = Totals()
        let reader = SpillReader(try workspace.openScratch(ResultWriter.spillName))
        let results = writeResults ? BufferedOutput(try workspace.create("results.json")) : nil
        let errorsOut = BufferedOutput(try workspace.createScratch("errors.part"))
        var rejected: BufferedOutput?
        var firstResult = true, firstError = true
        var line: [UInt8] = []
        try results?.append("[")
        var row = 0
        while let r = try reader.next() {
            defer { row += 1 }
            totals.rows += 1
            // Duplicates arrive partition by partition: list them in field order.
            var lateErrors = (late[row] ?? []).sorted { $0.field < $1.field }
            if !lateErrors.isEmpty, case .object(let object)? = try? JSONParser.parse(Array(r.json)) {
                // The first occurrence's own value (the duplicate may differ in case).
                for k in lateErrors.indices {
                    switch object[fieldKeys[lateErrors[k].field]] {
                    case .string(let s)?: lateErrors[k].value = s
                    case let v?: lateErrors[k].value = v.compactText
                    case nil: break
                    }
                }
            }
            let invalid = r.invalid || lateErrors.contains { $0.level == "error" }
            var errorJSON = r.errorJSON
            var errorText = r.errorText
            if !lateErrors.isEmpty {
                if !errorJSON.isEmpty { errorJSON.append(0x0A) }
                if !errorText.isEmpty { errorText.append(contentsOf: "; ".utf8) }
                encodeErrors(lateErrors, row: row, sourceRow: r.sourceRow, json: &errorJSON, text: &errorText)
            }
            if !errorJSON.isEmpty {
                for object in errorJSON.split(separator: 0x0A) {
                    try errorsOut.append(firstError ? "\n    " : ",\n    ")
                    firstError = false
                    try errorsOut.append(Array(object))
                    totals.errorCount += 1
                    if totals.firstErrors.count < ResultWriter.reportErrorCap, let v = try? JSONParser.parse(Array(object)) {
                        totals.firstErrors.append(v)
                    }
                }
            }
            if invalid {
                totals.invalid += 1
                totals.rowsWithError.append(row)
            } else {
                totals.valid += 1
            }
            let keep = !invalid || behavior == .includeInvalidRows
            if keep, let results {
                try results.append(firstResult ? "\n" : ",\n")
                firstResult = false
                try results.append(Array(r.json))
            }
            if invalid && behavior == .removeInvalidRows && writeResults {
                totals.removed += 1
                if rejected == nil {
                    rejected = BufferedOutput(try workspace.create("rejected.csv"))
                    line.removeAll()
                    CSVWriter.appendRecord(["_sourceRow", "_errors"] + rawHeaders, escapeFormulas: formulaEscape, to: &line)
                    try rejected?.append(line)
                }
                line.removeAll(keepingCapacity: true)
                CSVWriter.appendField(String(r.sourceRow), escapeFormulas: false, to: &line)
                line.append(UInt8(ascii: ","))
                errorText.withUnsafeBytes { CSVWriter.appendField($0, escapeFormulas: formulaEscape, to: &line) }
                if !r.raw.isEmpty { line.append(UInt8(ascii: ",")); line.append(contentsOf: r.raw) }
                line.append(contentsOf: [0x0D, 0x0A])
                try rejected?.append(line)
            }
        }
        try results?.append(firstResult ? "]\n" : "\n]\n")
        try results?.close()
        try rejected?.close()
        try errorsOut.close()
        workspace.removeScratch(ResultWriter.spillName)
        return totals
    }
}

/// The spill's record format: little-endian lengths, then the bytes.
enum Spill {
    @inline(__always)
    static func put(_ v: UInt32, _ out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF)); out.append(UInt8(v >> 16 & 0xFF)); out.append(UInt8(v >> 24))
    }
}

/// Reads spill records back in order, a large block at a time.
final class SpillReader {
    struct Record {
        var sourceRow: Int
        var invalid: Bool
        var json: ArraySlice<UInt8>
        var raw: ArraySlice<UInt8>
        var errorJSON: [UInt8]
        var errorText: [UInt8]
    }

    private let reader: any ByteReader
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false

    init(_ reader: any ByteReader) { self.reader = reader }

    private func ensure(_ n: Int) throws -> Bool {
        if buffer.count - position >= n { return true }
        buffer.removeSubrange(0..<position)
        position = 0
        var chunk = [UInt8](repeating: 0, count: max(n, 1 << 20))
        while buffer.count < n && !eof {
            let got = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if got == 0 { eof = true } else { buffer.append(contentsOf: chunk[0..<got]) }
        }
        return buffer.count >= n
    }

    private func u32(_ at: Int) -> Int {
        Int(buffer[at]) | Int(buffer[at + 1]) << 8 | Int(buffer[at + 2]) << 16 | Int(buffer[at + 3]) << 24
    }

    func next() throws -> Record? {
        guard try ensure(21) else { return nil }
        let sourceRow = u32(position), invalid = buffer[position + 4] == 1
        let j = u32(position + 5), r = u32(position + 9), e = u32(position + 13), t = u32(position + 17)
        guard try ensure(21 + j + r + e + t) else { preconditionFailure("the spill ended inside a record") }
        var p = position + 21
        let json = buffer[p..<p + j]; p += j
        let raw = buffer[p..<p + r]; p += r
        let errorJSON = Array(buffer[p..<p + e]); p += e
        let errorText = Array(buffer[p..<p + t]); p += t
        position = p
        return Record(sourceRow: sourceRow, invalid: invalid, json: json, raw: raw, errorJSON: errorJSON, errorText: errorText)
    }
}
