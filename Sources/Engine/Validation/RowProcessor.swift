/// One invalid (or annotated) cell.
struct CellError: Sendable {
    var field: Int
    var message: String
    var value: String
    var level: String = "error"
}

/// A batch of rows after parsing and validation: each row's JSON object, its errors, the hashes
/// of its unique-checked values, and (when it may be rejected) its cells as a CSV line.
struct ProcessedBatch: Sendable {
    /// The rows' JSON objects, each after a `,\n` (written once by the processor, then only read).
    var json = ByteBlock()
    var jsonEnds: [Int] = []
    var raw: [UInt8] = []
    var rawEnds: [Int] = []
    var sourceRows: [Int] = []
    var errors: [CellError] = []
    var errorEnds: [Int] = []
    /// `uniqueSlots` hashes per row; 0 for an empty value (never compared).
    var uniqueHashes: [UInt64] = []
    /// Whether a row had a cell with an `error`-level problem.
    var invalid: [Bool] = []
    /// `results.csv` lines (CRLF-terminated), when asked for.
    var csv: [UInt8] = []
    var csvEnds: [Int] = []
    /// Where each row's text is in the file, when the reader knew (see `RowBatch.rowSpans`).
    var sourceSpans: [Range<Int>] = []
    /// Otherwise (workbooks, JSON), when rows may turn invalid late: each row's cells as a CSV
    /// line, kept by the writer so those rows are read again from it, not from the source.
    var rowText: [UInt8] = []
    var rowTextEnds: [Int] = []

    var count: Int { jsonEnds.count }

    /// Numbers the rows' lines `lines` further on.
    mutating func shift(lines: Int, offset: Int) {
        if lines != 0 { for i in sourceRows.indices { sourceRows[i] += lines } }
        if offset != 0 {
            for i in sourceSpans.indices { sourceSpans[i] = (sourceSpans[i].lowerBound + offset)..<(sourceSpans[i].upperBound + offset) }
        }
    }

    /// Each row's JSON comes after a `,\n` (what goes before it in results.json, but for the first).
    func jsonRange(_ i: Int) -> Range<Int> { ((i == 0 ? 0 : jsonEnds[i - 1]) + 2)..<jsonEnds[i] }
    func csvRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : csvEnds[i - 1])..<csvEnds[i] }
    func rawRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : rawEnds[i - 1])..<rawEnds[i] }
    func errorRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : errorEnds[i - 1])..<errorEnds[i] }
}

/// Turns rows of cells into rows of typed JSON, checking every cell against its field. Pure and
/// `Sendable`: batches can be processed on several threads and written in order.
struct RowProcessor: Sendable {
    private(set) var plans: [FieldPlan]
    /// Record number of the header: rows up to it are not data.
    private(set) var headerRecord: Int
    let uniqueSlots: [UniqueSlot]
    let rowRules: [RowRule]
    /// `allowCustomFields`: unmatched columns as extra keys (the key's JSON text, the column).
    let customColumns: [(keyJSON: [UInt8], column: Int)]
    /// `passThroughUnmappedColumns`: the columns under `"$unmapped"`.
    let unmappedColumns: [(keyJSON: [UInt8], column: Int)]
    let passThrough: Bool
    let hasExtras: Bool
    /// Per unique slot: the one column it hashes (nil: several cells, see `combinedHash`).
    let slotColumns: [Int?]
    let slotCaseInsensitive: [Bool]
    let formulaEscape: Bool
    /// Write each row as a `results.csv` line too (with this formula escaping).
    let csv: Bool
    let csvFormulaEscape: Bool

    init(
        plans: [FieldPlan], headerRecord: Int, formulaEscape: Bool = true,
        customColumns: [(name: String, column: Int)] = [], unmappedColumns: [Int]? = nil,
        csv: Bool = false, csvFormulaEscape: Bool = true
    ) {
        self.plans = plans
        self.headerRecord = headerRecord
        let slots = UniqueSlot.slots(plans)
        self.uniqueSlots = slots
        var keys: [String: Int] = [:]
        for (i, p) in plans.enumerated() { keys[p.field.key] = i }
        self.rowRules = plans.indices.flatMap { f in plans[f].field.validators.compactMap { RowRule(field: f, validator: $0, keys: keys) } }
        func keyed(_ name: String) -> [UInt8] {
            var k: [UInt8] = []
            JSONWriter.appendString(name, to: &k)
            return k
        }
        self.customColumns = customColumns.map { (keyed($0.name), $0.column) }
        self.passThrough = unmappedColumns != nil
        self.unmappedColumns = (unmappedColumns ?? []).map { (keyed(String($0)), $0) }
        self.hasExtras = !customColumns.isEmpty || unmappedColumns != nil
        self.slotColumns = slots.map { slot in
            slot.fields.count == 1 && !plans[slot.fields[0]].manyToOne ? plans[slot.fields[0]].column : nil
        }
        self.slotCaseInsensitive = slots.map(\.caseInsensitive)
        self.formulaEscape = formulaEscape
        self.csv = csv
        self.csvFormulaEscape = csvFormulaEscape
    }

    /// The same processor with plans of its own, for one worker thread (see ChunkedPass).
    func copy() -> RowProcessor {
        var p = self
        p.plans = plans.map {
            FieldPlan(field: $0.field, column: $0.column, columns: $0.columns, dateOrder: $0.dateOrder, decimalMark: $0.decimalMark)
        }
        return p
    }

    /// The same processor for rows that all come after the header (a chunk after the first).
    func continuing() -> RowProcessor {
        var p = self
        p.headerRecord = -1
        return p
    }

    /// Keys of `results.csv`'s header: the fields, the custom columns, `$unmapped`.
    func csvHeader(customNames: [String]) -> [String] {
        plans.map(\.field.key) + customNames + (passThrough ? ["$unmapped"] : [])
    }

    func process(_ batch: RowBatch, annotations: [Int: [CellError]] = [:]) -> ProcessedBatch {
        let spans = batch.rowSpans.count == batch.count
        // `"key":` of each field (`,"key":` after the first), in one buffer for the whole batch.
        var keyBytes: [UInt8] = []
        var keyRanges: [Range<Int>] = []
        for (f, plan) in plans.enumerated() {
            let start = keyBytes.count
            if f > 0 { keyBytes.append(UInt8(ascii: ",")) }
            keyBytes.append(contentsOf: plan.keyJSON)
            keyBytes.append(UInt8(ascii: ":"))
            keyRanges.append(start..<keyBytes.count)
        }
        return keyBytes.withUnsafeBytes { keys in
            batch.bytes.withUnsafeBytes { cells in
                batch.cellEnds.withUnsafeBufferPointer { ends in
                    process(batch, cells: cells, ends: ends, annotations: annotations, keys: keys, keyRanges: keyRanges, spans: spans)
                }
            }
        }
    }

    /// `cells` and `ends`: the batch's bytes and cell ends (a row's cells are taken from them
    /// without a closure, or a bounds check, per cell).
    private func process(
        _ batch: RowBatch, cells: UnsafeRawBufferPointer, ends: UnsafeBufferPointer<Int>, annotations: [Int: [CellError]],
        keys: UnsafeRawBufferPointer,
        keyRanges: [Range<Int>], spans: Bool
    ) -> ProcessedBatch {
        var out = ProcessedBatch()
        // Sized for the usual case, so the batch's JSON is not copied as it grows: the keys of each
        // row and its values, quoted and escaped (pages never touched cost no memory).
        var json = ByteWriter(capacity: 2 * batch.bytes.count + batch.count * (keys.count + 2 * plans.count + 8))
        // One row each (or a few): sized once, not grown by doubling.
        out.jsonEnds.reserveCapacity(batch.count)
        out.errorEnds.reserveCapacity(batch.count)
        out.rawEnds.reserveCapacity(batch.count)
        out.invalid.reserveCapacity(batch.count)
        out.sourceRows.reserveCapacity(batch.count)
        if spans { out.sourceSpans.reserveCapacity(batch.count) }
        // Rows that turn invalid late (duplicates) are read again at the end: from the source by
        // their spans where the reader knows them, else from this text (re-reading a workbook
        // was 29% of a 100,000-row workbook import).
        let rowTexts = !spans && !slotColumns.isEmpty
        if rowTexts { out.rowTextEnds.reserveCapacity(batch.count) }
        out.uniqueHashes.reserveCapacity(batch.count * slotColumns.count)
        var scratch: [UInt8] = []
        var hashText: [UInt8] = []
        // Where each field's value lies in the row's JSON: for the rules across fields, and for
        // unique slots (they compare the values written, not the cells' texts).
        let facts = !rowRules.isEmpty || !slotColumns.isEmpty
        let values = FieldValues(count: facts ? plans.count : 0)
        defer { values.deallocate() }
        for r in 0..<batch.count {
            guard batch.rowRecords[r] > headerRecord, !batch.isBlank(row: r) else { continue }
            let row = batch.rowCells(r, bytes: cells, ends: ends)
            var invalid = false
            json.append(UInt8(ascii: ","))
            json.append(0x0A)
            let rowStart = json.count
            json.append(UInt8(ascii: "{"))
            for f in plans.indices {
                // Neither the plan nor its key is retained per cell (a shared count is slow).
                unowned(unsafe) let plan = plans[f]
                json.append(bytes: UnsafeRawBufferPointer(rebasing: keys[keyRanges[f]]))
                if facts { values.starts[f] = json.count }
                guard let firstColumn = plan.column else {
                    json.append(plan.kind == .checkbox ? falseBytes : nullBytes)
                    if plan.required != nil {
                        invalid = true
                        out.errors.append(
                            CellError(
                                field: f, message: plan.required?.errorMessage ?? "Required: this field has no column in the file",
                                value: ""))
                    }
                    if facts { values.filled[f] = false; values.ends[f] = json.count }
                    continue
                }
                var any = false
                if plan.manyToOne {
                    if manyToOneValue(plan, field: f, batch: batch, row: r, into: &out, json: &json, scratch: &scratch, any: &any) {
                        invalid = true
                    }
                } else {
                    let cell = row[firstColumn]
                    if facts { any = !trimmed(cell).isEmpty }
                    // Lent to the call as it is: a retain and a release per cell were 5% of a pass.
                    let bad = Unmanaged.passUnretained(plan)._withUnsafeGuaranteedRef {
                        cellValue($0, field: f, cell: cell, checkRequired: true, into: &out, json: &json, scratch: &scratch)
                    }
                    if bad { invalid = true }
                }
                if facts { values.filled[f] = any; values.ends[f] = json.count }
            }
            if hasExtras { appendExtras(batch, row: r, to: &json) }
            json.append(UInt8(ascii: "}"))
            // Rules across fields, once every value of the row is known.
            if !rowRules.isEmpty && checkRowRules(values, json: json, into: &out) {
                invalid = true
            }
            // Messages a hook attached to this row.
            if !annotations.isEmpty, let notes = annotations[r] {
                for note in notes {
                    out.errors.append(note)
                    if note.level == "error" { invalid = true }
                }
            }
            out.jsonEnds.append(json.count)
            if csv {
                RowCSV.append(row: json.bytes(rowStart..<json.count), escapeFormulas: csvFormulaEscape, to: &out.csv)
                out.csvEnds.append(out.csv.count)
            }
            // Unique hashes: the values written (a string's trimmed text), joined by 0x1F.
            for s in slotColumns.indices {
                guard let column = slotColumns[s] else {
                    out.uniqueHashes.append(
                        combinedHash(
                            uniqueSlots[s], batch: batch, row: r, json: json, values: values, scratch: &hashText))
                    continue
                }
                // One cell: its value (a string's trimmed text) hashed in place; an empty cell is 0.
                let caseInsensitive = slotCaseInsensitive[s]
                let f = uniqueSlots[s].fields[0]
                let h: UInt64 = {
                    let cell = trimmed(row[column])
                    if cell.isEmpty { return 0 }
                    if plans[f].kind == .string { return Self.hash(cell, caseInsensitive: caseInsensitive) }
                    return Self.hash(json.bytes(values.range(f)), caseInsensitive: caseInsensitive)
                }()
                out.uniqueHashes.append(h)
            }
            out.errorEnds.append(out.errors.count)
            out.invalid.append(invalid)
            out.sourceRows.append(batch.rowLines[r])
            if spans { out.sourceSpans.append(batch.rowSpans[r]) }
            if rowTexts {
                CSVWriter.appendRow(batch, row: r, escapeFormulas: false, to: &out.rowText)
                out.rowText.append(0x0A)
                out.rowTextEnds.append(out.rowText.count)
            }
            // The cells as a CSV line, for rejected.csv (rows that turn invalid late are read again).
            if invalid { CSVWriter.appendRow(batch, row: r, escapeFormulas: formulaEscape, to: &out.raw) }
            out.rawEnds.append(out.raw.count)
        }
        out.json = json.finish()
        return out
    }

    /// A `manyToOne` field's value: an array of its cells' values. Returns true when one is invalid.
    @inline(never)
    private func manyToOneValue(
        _ plan: FieldPlan, field f: Int, batch: RowBatch, row r: Int, into out: inout ProcessedBatch,
        json: inout ByteWriter, scratch: inout [UInt8], any: inout Bool
    ) -> Bool {
        var invalid = false
        json.append(UInt8(ascii: "["))
        for (k, column) in plan.columns.enumerated() {
            if k > 0 { json.append(UInt8(ascii: ",")) }
            batch.withCell(row: r, column: column) { cell in
                if !trimmed(cell).isEmpty { any = true }
                if cellValue(plan, field: f, cell: cell, checkRequired: false, into: &out, json: &json, scratch: &scratch) {
                    invalid = true
                }
            }
        }
        json.append(UInt8(ascii: "]"))
        if !any, let required = plan.required {
            out.errors.append(
                CellError(field: f, message: required.errorMessage ?? "Required: these cells are empty", value: "", level: required.level))
            if required.level == "error" { invalid = true }
        }
        return invalid
    }

    /// `allowCustomFields` keys and `"$unmapped"`, after the fields.
    @inline(never)
    private func appendExtras(_ batch: RowBatch, row r: Int, to json: inout ByteWriter) {
        for (keyJSON, column) in customColumns {
            json.append(UInt8(ascii: ","))
            json.append(keyJSON)
            json.append(UInt8(ascii: ":"))
            batch.withCell(row: r, column: column) { appendText($0, to: &json) }
        }
        if passThrough {
            json.append(unmappedKey)
            for (k, (keyJSON, column)) in unmappedColumns.enumerated() {
                if k > 0 { json.append(UInt8(ascii: ",")) }
                json.append(keyJSON)
                json.append(UInt8(ascii: ":"))
                // Always the text, "" when empty, as Dromo's example shows ("6": "").
                batch.withCell(row: r, column: column) { JSONWriter.appendString($0, to: &json) }
            }
            json.append(UInt8(ascii: "}"))
        }
    }

    /// Where each field's value lies in the row's JSON and whether it has one, for the rules
    /// across fields and for unique slots: stored for every field of every row, so kept in memory
    /// of its own for the batch (an Array checks its uniqueness on each store).
    struct FieldValues {
        let starts: UnsafeMutableBufferPointer<Int>
        let ends: UnsafeMutableBufferPointer<Int>
        let filled: UnsafeMutableBufferPointer<Bool>

        init(count: Int) {
            starts = .allocate(capacity: count)
            starts.initialize(repeating: 0)
            ends = .allocate(capacity: count)
            ends.initialize(repeating: 0)
            filled = .allocate(capacity: count)
            filled.initialize(repeating: false)
        }

        func deallocate() {
            starts.deallocate()
            ends.deallocate()
            filled.deallocate()
        }

        @inline(__always) func range(_ f: Int) -> Range<Int> { starts[f]..<ends[f] }
    }

    /// The rules across fields (`require_with` and kin), once every value of the row is known.
    /// Returns true when one makes the row invalid.
    @inline(never)
    private func checkRowRules(_ values: FieldValues, json: ByteWriter, into out: inout ProcessedBatch) -> Bool {
        var invalid = false
        for rule in rowRules where !values.filled[rule.field] {
            let needed = rule.applies(filled: values.filled) { f, texts in
                let range = values.range(f)
                return texts.contains { $0.count == range.count && json.bytes(range).elementsEqual($0) }
            }
            if needed {
                out.errors.append(
                    CellError(
                        field: rule.field, message: rule.validator.errorMessage ?? rule.message, value: "", level: rule.validator.level))
                if rule.validator.level == "error" { invalid = true }
            }
        }
        return invalid
    }

    /// The hash of a slot over several cells (`unique_with`, `manyToOne`): the fields' values as
    /// written (a string's trimmed texts, its columns joined by 0x1E) joined by 0x1F; 0 when every
    /// cell is empty.
    @inline(never)
    private func combinedHash(
        _ slot: UniqueSlot, batch: RowBatch, row r: Int, json: ByteWriter, values: FieldValues, scratch hashText: inout [UInt8]
    ) -> UInt64 {
        hashText.removeAll(keepingCapacity: true)
        var empty = true
        for (k, f) in slot.fields.enumerated() {
            if k > 0 { hashText.append(0x1F) }
            let isString = plans[f].kind == .string
            for (j, column) in plans[f].columns.enumerated() {
                if isString && j > 0 { hashText.append(0x1E) }
                batch.withCell(row: r, column: column) { cell in
                    let t = trimmed(cell)
                    if !t.isEmpty { empty = false }
                    if isString { hashText.append(contentsOf: t) }
                }
            }
            if !isString { hashText.append(contentsOf: json.bytes(values.range(f))) }
        }
        if empty { return 0 }
        return hashText.withUnsafeBytes { Self.hash($0, caseInsensitive: slot.caseInsensitive) }
    }

    /// A unique value's hash, never 0 (0 is an empty cell); case folded for `unique_case_insensitive`.
    @inline(__always)
    static func hash(_ t: UnsafeRawBufferPointer, caseInsensitive: Bool) -> UInt64 {
        if !caseInsensitive { return max(1, FNV.hash(t)) }
        if t.contains(where: { $0 >= 0x80 }) {
            return max(1, FNV.hash(Array(String(decoding: t, as: UTF8.self).lowercased().utf8)))
        }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in t { h = (h ^ UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)) &* 0x100_0000_01B3 }
        return max(1, h)
    }

    /// A custom or unmapped column's cell: its exact text, null when empty.
    @inline(__always)
    private func appendText(_ cell: UnsafeRawBufferPointer, to out: inout ByteWriter) {
        if trimmed(cell).isEmpty { out.append(nullBytes) } else { JSONWriter.appendString(cell, to: &out) }
    }

    /// Writes the cell's JSON value and records its errors; returns true when it is invalid.
    @inline(__always)
    private func cellValue(
        _ plan: FieldPlan, field f: Int, cell: UnsafeRawBufferPointer, checkRequired: Bool,
        into out: inout ProcessedBatch, json: inout ByteWriter, scratch: inout [UInt8]
    ) -> Bool {
        let text = trimmed(cell)
        if text.isEmpty {
            json.append(plan.kind == .checkbox ? falseBytes : nullBytes)
            if checkRequired, let required = plan.required {
                out.errors.append(
                    CellError(
                        field: f, message: required.errorMessage ?? "Required: this cell is empty",
                        value: String(decoding: cell, as: UTF8.self), level: required.level))
                return required.level == "error"
            }
            return false
        }
        var invalid = false
        var typeError: String?
        switch plan.kind {
        case .string:
            JSONWriter.appendString(cell, to: &json)
        case .number:
            // The number's own text, unless it is rounded, a percent or formatted: then its value.
            let start = json.count
            let needsValue = plan.formatsNumbers || plan.round != nil || plan.min != nil || plan.max != nil
            if let facts = NumberValue.appendJSONWithFacts(text, mark: plan.decimalMark, needsValue: needsValue, to: &json) {
                var value = facts.value
                if facts.isPercent { value /= 100 }
                if plan.formatsNumbers || plan.round != nil || facts.isPercent {
                    json.truncate(to: start)
                    if let digits = plan.round { value = roundHalfAway(value, digits) }
                    if plan.formatsNumbers {
                        appendFormatted(plan, value, to: &json)
                    } else {
                        json.append(contentsOf: JSONValue.format(value).utf8)
                    }
                }
                if let min = plan.min, value < min { typeError = "Must be at least \(JSONValue.format(min))" }
                if let max = plan.max, value > max { typeError = "Must be at most \(JSONValue.format(max))" }
                if let marks = plan.currencyMarks, let mark = NumberValue.currencyMark(text), !marks.contains(mark) {
                    // Dromo: a value its preset cannot parse is a validation error (`€5` in usd).
                    json.truncate(to: start)
                    typeError = "Not an amount in \(String(decoding: marks[1], as: UTF8.self).uppercased())"
                    JSONWriter.appendString(cell, to: &json)
                }
            } else {
                typeError = numberError(text, mark: plan.decimalMark)
                JSONWriter.appendString(cell, to: &json)
            }
        case .date:
            if plan.copiesISODates && DateValue.isISODate(text) {
                json.append(0x22)
                json.append(bytes: text)
                json.append(0x22)
            } else if let date = DateValue.parse(text, order: plan.dateOrder) {
                json.append(0x22)
                plan.datePattern.append(date: date, time: nil, utcOffsetSeconds: nil, to: &json)
                json.append(0x22)
            } else {
                typeError = "Not a valid date"
                JSONWriter.appendString(cell, to: &json)
            }
        case .datetime:
            if let dt = DateTimeValue.parse(text, order: plan.dateOrder) {
                json.append(0x22)
                plan.datePattern.append(date: dt.date, time: dt.time, utcOffsetSeconds: dt.utcOffsetSeconds, to: &json)
                json.append(0x22)
            } else {
                typeError = "Not a valid date and time"
                JSONWriter.appendString(cell, to: &json)
            }
        case .time:
            if let time = TimeValue.parse(text) ?? TimeValue.parse(ofDateTime: text, order: plan.dateOrder) {
                json.append(0x22)
                plan.datePattern.append(date: nil, time: time, utcOffsetSeconds: nil, to: &json)
                json.append(0x22)
            } else {
                typeError = "Not a valid time"
                JSONWriter.appendString(cell, to: &json)
            }
        case .checkbox:
            json.append(CheckboxValue.parse(text) ? trueBytes : falseBytes)
        case .select:
            if plan.select?.appendValue(text, to: &json) != true {
                if !plan.allowCustom { typeError = "Not one of the allowed options: \(plan.select?.allowed ?? "")" }
                JSONWriter.appendString(text, to: &json)
            }
        case .email:
            if !EmailValue.isValid(text) { typeError = "Not a valid email address" }
            JSONWriter.appendString(text, to: &json)
        case .multiSelect:
            typeError = multiSelect(plan, text, into: &json)
        case .phoneNumber, .url, .domain, .country, .usStateTerritory, .usZipCode, .ssn, .uuid:
            scratch.removeAll(keepingCapacity: true)
            if let problem = plan.textRule?.normalize(text, into: &scratch) {
                typeError = problem
                JSONWriter.appendString(cell, to: &json)
            } else {
                scratch.withUnsafeBytes { JSONWriter.appendString($0, to: &json) }
            }
        }
        if let typeError {
            // Dromo's invalidValueMessage replaces the type's own message.
            let message = plan.field.invalidValueMessage ?? typeError
            out.errors.append(CellError(field: f, message: message, value: String(decoding: cell, as: UTF8.self)))
            invalid = true
        }
        guard !plan.checks.isEmpty else { return invalid }
        let checked = plan.kind == .string ? cell : text
        // The checks are read where they are (a copy of a Validator is four retains).
        for k in plan.checks.indices {
            unowned(unsafe) let check = plan.checks[k]
            guard let failed = check.failure(checked) else { continue }
            let v = check.validator
            // An undecided pattern says so whatever the schema's message: no one must read it as the check's verdict.
            let message = failed.undecided ? failed.message : v.errorMessage ?? failed.message
            out.errors.append(CellError(field: f, message: message, value: String(decoding: cell, as: UTF8.self), level: v.level))
            if v.level == "error" { invalid = true }
        }
        return invalid
    }
}

extension Validator.Rule {
    struct Failure {
        var message: String
        /// The check could not be decided (a pattern with back-references past its step limit).
        var undecided = false
    }

    /// What is wrong with a cell's text under this check (`regex_match`, `regex_exclude`,
    /// `length`, `alphabetical`), or nil.
    func failure(_ checked: UnsafeRawBufferPointer) -> Failure? {
        switch self {
        case .regexMatch(let regex, _), .regexExclude(let regex, _):
            // The pattern only for a message (binding it on every cell retained its text).
            var pattern: String {
                switch self {
                case .regexMatch(_, let pattern), .regexExclude(_, let pattern): pattern
                default: ""
                }
            }
            let exclude = if case .regexExclude = self { true } else { false }
            guard let matched = regex.evaluate(checked) else {
                return Failure(
                    message:
                        "Could not check the pattern \(pattern) on this value: its back-references need more than "
                        + "\(ByteRegex.maxBacktrackingSteps) steps here. Check the value by hand or simplify the pattern",
                    undecided: true)
            }
            if matched == exclude {
                return Failure(message: exclude ? "Must not match the pattern \(pattern)" : "Does not match the pattern \(pattern)")
            }
            return nil
        case .length(let min, let max):
            let n = scalarCount(checked)
            if let min, n < min { return Failure(message: "Too short: at least \(min) characters") }
            if let max, n > max { return Failure(message: "Too long: at most \(max) characters") }
            return nil
        case .alphabetical:
            return checked.allSatisfy(ByteCursor.isLetter) ? nil : Failure(message: "Only the letters A to Z are allowed")
        default:
            return nil
        }
    }
}

extension RowProcessor {
    /// Why a number cell is invalid: a number only with the other decimal mark says so.
    @inline(never)
    func numberError(_ text: UnsafeRawBufferPointer, mark: DecimalMark) -> String {
        let other: DecimalMark = mark == .point ? .comma : .point
        guard NumberValue.parse(text, mark: other) != nil else { return "Not a valid number" }
        return
            "Not a valid number with \"\(mark.rawValue)\" as the decimal mark (the field's decimalMark \"\(other.rawValue)\" would read it)"
    }

    /// A number written in the field's `outputFormat`, as a JSON string.
    @inline(never)
    func appendFormatted(_ plan: FieldPlan, _ value: Double, to json: inout ByteWriter) {
        JSONWriter.appendString(plan.numberFormat!.format(value), to: &json)
    }

    /// A multi-select cell: the values between delimiters, trimmed, empty ones skipped, each
    /// matched like a select option, repeats written once; an array of option values. Returns
    /// the problem (values that match no option, unless `allowCustom`), or nil.
    @inline(never)
    func multiSelect(_ plan: FieldPlan, _ text: UnsafeRawBufferPointer, into json: inout ByteWriter) -> String? {
        let start = json.count
        json.append(UInt8(ascii: "["))
        var bad: [String] = []
        var written = 0
        var items: [Range<Int>] = []
        var i = 0
        var partStart = 0
        let d = plan.delimiter
        while i <= text.count {
            let atDelimiter = i + d.count <= text.count && d.indices.allSatisfy { text[i + $0] == d[$0] }
            if i == text.count || atDelimiter {
                let raw = UnsafeRawBufferPointer(rebasing: text[partStart..<i])
                let part = plan.trimValues ? trimmed(raw) : raw
                if !trimmed(raw).isEmpty {
                    let before = json.count
                    if written > 0 { json.append(UInt8(ascii: ",")) }
                    let itemStart = json.count
                    if plan.select?.appendValue(part, to: &json) != true {
                        if !plan.allowCustom { bad.append(String(decoding: part, as: UTF8.self)) }
                        JSONWriter.appendString(part, to: &json)
                    }
                    // A value already written is not written again.
                    let item = itemStart..<json.count
                    if items.contains(where: { json.bytes($0).elementsEqual(json.bytes(item)) }) {
                        json.truncate(to: before)
                    } else {
                        items.append(item)
                        written += 1
                    }
                }
                if i == text.count { break }
                i += d.count
                partStart = i
                continue
            }
            i += 1
        }
        json.append(UInt8(ascii: "]"))
        guard bad.isEmpty else {
            json.truncate(to: start)
            JSONWriter.appendString(text, to: &json)
            return "Not one of the allowed options: \(bad.joined(separator: ", ")) (allowed: \(plan.select?.allowed ?? ""))"
        }
        return nil
    }
}

/// `,"$unmapped":{`
private let unmappedKey: [UInt8] = Array(#","$unmapped":{"#.utf8)
/// JSON words written for empty and checkbox cells: static text, so writing one retains nothing
/// (a global array was retained, after a once-check, for every empty cell).
private let nullBytes: StaticString = "null"
private let trueBytes: StaticString = "true"
private let falseBytes: StaticString = "false"

@inline(__always)
func trimmed(_ cell: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var start = 0, end = cell.count
    while start < end, cell[start] == 0x20 || cell[start] == 0x09 { start += 1 }
    while end > start, cell[end - 1] == 0x20 || cell[end - 1] == 0x09 || cell[end - 1] == 0x0D || cell[end - 1] == 0x0A { end -= 1 }
    return UnsafeRawBufferPointer(rebasing: cell[start..<end])
}

func scalarCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    var n = 0
    for b in bytes where b & 0xC0 != 0x80 { n += 1 }
    return n
}

/// `value` rounded to `digits` after the point (negative: before it), half away from zero, as
/// the decimal that was written: `2.345` to 2 digits is 2.35, though its binary double lies just
/// below the half (a product within 1e-9 relative of .5 counts as the half).
@inline(__always)
func roundHalfAway(_ value: Double, _ digits: Int) -> Double {
    let scale = pow10(digits)
    let scaled = value * scale
    let floor = scaled.rounded(.down)
    let fraction = scaled - floor
    var rounded: Double
    if abs(fraction - 0.5) <= 1e-9 * max(1, abs(scaled)) {
        rounded = scaled < 0 ? floor : floor + 1
    } else {
        rounded = scaled.rounded(.toNearestOrAwayFromZero)
    }
    if rounded == 0 { rounded = 0 }  // no -0
    return digits >= 0 ? rounded / scale : rounded * pow10(-digits)
}

func pow10(_ n: Int) -> Double {
    var x = 1.0
    for _ in 0..<abs(n) { x *= 10 }
    return n >= 0 ? x : 1 / x
}
