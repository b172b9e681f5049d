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
    var json: [UInt8] = []
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

    var count: Int { jsonEnds.count }

    func jsonRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : jsonEnds[i - 1])..<jsonEnds[i] }
    func rawRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : rawEnds[i - 1])..<rawEnds[i] }
    func errorRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : errorEnds[i - 1])..<errorEnds[i] }
}

/// Turns rows of cells into rows of typed JSON, checking every cell against its field. Pure and
/// `Sendable`: batches can be processed on several threads and written in order.
struct RowProcessor: Sendable {
    let plans: [FieldPlan]
    /// Record number of the header: rows up to it are not data.
    let headerRecord: Int
    /// (field index, case-insensitive) of each unique slot.
    let uniqueSlots: [(field: Int, validator: Validator, caseInsensitive: Bool)]
    let keepRaw: Bool
    let formulaEscape: Bool

    init(plans: [FieldPlan], headerRecord: Int, keepAllRaw: Bool, formulaEscape: Bool = true) {
        self.plans = plans
        self.headerRecord = headerRecord
        var slots: [(Int, Validator, Bool)] = []
        for (i, p) in plans.enumerated() {
            for u in p.uniques { slots.append((i, u.validator, u.caseInsensitive)) }
        }
        self.uniqueSlots = slots
        self.keepRaw = keepAllRaw || !slots.isEmpty
        self.formulaEscape = formulaEscape
    }

    func process(_ batch: RowBatch) -> ProcessedBatch {
        var out = ProcessedBatch()
        out.json.reserveCapacity(batch.bytes.count + batch.count * 64)
        var scratch: [UInt8] = []
        for r in 0..<batch.count {
            guard batch.rowRecords[r] > headerRecord, !batch.isBlank(row: r) else { continue }
            let errorsBefore = out.errors.count
            var invalid = false
            out.json.append(UInt8(ascii: "{"))
            for f in plans.indices {
                let plan = plans[f]
                if f > 0 { out.json.append(UInt8(ascii: ",")) }
                out.json.append(contentsOf: plan.keyJSON)
                out.json.append(UInt8(ascii: ":"))
                guard let column = plan.column else {
                    out.json.append(contentsOf: plan.kind == .checkbox ? falseBytes : nullBytes)
                    if plan.required != nil {
                        invalid = true
                        out.errors.append(CellError(field: f, message: plan.required?.errorMessage ?? "Required: this field has no column in the file", value: ""))
                    }
                    continue
                }
                batch.withCell(row: r, column: column) { cell in
                    if cellValue(plan, field: f, cell: cell, into: &out, scratch: &scratch) { invalid = true }
                }
            }
            out.json.append(UInt8(ascii: "}"))
            out.jsonEnds.append(out.json.count)
            // Unique hashes.
            for slot in uniqueSlots {
                let plan = plans[slot.field]
                let h: UInt64 = plan.column.map { column in
                    batch.withCell(row: r, column: column) { cell in
                        let t = trimmed(cell)
                        if t.isEmpty { return 0 }
                        if slot.caseInsensitive {
                            let folded = Array(String(decoding: t, as: UTF8.self).lowercased().utf8)
                            return max(1, FNV.hash(folded))
                        }
                        return max(1, FNV.hash(t))
                    }
                } ?? 0
                out.uniqueHashes.append(h)
            }
            out.errorEnds.append(out.errors.count)
            out.invalid.append(invalid)
            out.sourceRows.append(batch.rowLines[r])
            if keepRaw || out.errors.count > errorsBefore {
                for c in 0..<batch.cellCount(row: r) {
                    if c > 0 { out.raw.append(UInt8(ascii: ",")) }
                    batch.withCell(row: r, column: c) { CSVWriter.appendField($0, escapeFormulas: formulaEscape, to: &out.raw) }
                }
            }
            out.rawEnds.append(out.raw.count)
        }
        return out
    }

    /// Writes the cell's JSON value and records its errors; returns true when it is invalid.
    @inline(__always)
    private func cellValue(_ plan: FieldPlan, field f: Int, cell: UnsafeRawBufferPointer, into out: inout ProcessedBatch,
                           scratch: inout [UInt8]) -> Bool {
        let text = trimmed(cell)
        if text.isEmpty {
            out.json.append(contentsOf: plan.kind == .checkbox ? falseBytes : nullBytes)
            if let required = plan.required {
                out.errors.append(CellError(field: f, message: required.errorMessage ?? "Required: this cell is empty", value: String(decoding: cell, as: UTF8.self), level: required.level))
                return required.level == "error"
            }
            return false
        }
        var invalid = false
        var typeError: String?
        switch plan.kind {
        case .string:
            JSONWriter.appendString(cell, to: &out.json)
        case .number:
            scratch.removeAll(keepingCapacity: true)
            if let facts = NumberValue.appendJSONWithFacts(text, to: &scratch) {
                var value = facts.value
                if facts.isPercent { value /= 100 }
                if plan.round != nil || facts.isPercent {
                    if let digits = plan.round {
                        let scale = pow10(digits)
                        value = (value * scale).rounded(.toNearestOrAwayFromZero) / scale
                    }
                    out.json.append(contentsOf: JSONValue.format(value).utf8)
                } else {
                    out.json.append(contentsOf: scratch)
                }
                if let min = plan.min, value < min { typeError = "Must be at least \(JSONValue.format(min))" }
                if let max = plan.max, value > max { typeError = "Must be at most \(JSONValue.format(max))" }
            } else {
                typeError = "Not a valid number"
                JSONWriter.appendString(cell, to: &out.json)
            }
        case .date:
            if let date = DateValue.parse(text, order: plan.dateOrder) {
                out.json.append(0x22)
                plan.datePattern.append(date: date, time: nil, utcOffsetSeconds: nil, to: &out.json)
                out.json.append(0x22)
            } else {
                typeError = "Not a valid date"
                JSONWriter.appendString(cell, to: &out.json)
            }
        case .datetime:
            if let dt = DateTimeValue.parse(text, order: plan.dateOrder) {
                out.json.append(0x22)
                plan.datePattern.append(date: dt.date, time: dt.time, utcOffsetSeconds: dt.utcOffsetSeconds, to: &out.json)
                out.json.append(0x22)
            } else {
                typeError = "Not a valid date and time"
                JSONWriter.appendString(cell, to: &out.json)
            }
        case .time:
            if let time = TimeValue.parse(text) {
                out.json.append(0x22)
                plan.datePattern.append(date: nil, time: time, utcOffsetSeconds: nil, to: &out.json)
                out.json.append(0x22)
            } else {
                typeError = "Not a valid time"
                JSONWriter.appendString(cell, to: &out.json)
            }
        case .checkbox:
            out.json.append(contentsOf: CheckboxValue.parse(text) ? trueBytes : falseBytes)
        case .select:
            if let value = plan.select?.find(text) {
                out.json.append(contentsOf: value)
            } else {
                if !plan.allowCustom { typeError = "Not one of the allowed options: \(plan.select?.allowed ?? "")" }
                JSONWriter.appendString(text, to: &out.json)
            }
        case .email:
            if !EmailValue.isValid(text) { typeError = "Not a valid email address" }
            JSONWriter.appendString(text, to: &out.json)
        default:
            preconditionFailure("the schema loader refuses types that are not built: \(plan.kind)")
        }
        if let typeError {
            out.errors.append(CellError(field: f, message: typeError, value: String(decoding: cell, as: UTF8.self)))
            invalid = true
        }
        let checked = plan.kind == .string ? cell : text
        for v in plan.checks {
            var failed: String?
            switch v.rule {
            case .regexMatch(let regex, let pattern):
                if !regex.matches(checked) { failed = "Does not match the pattern \(pattern)" }
            case .regexExclude(let regex, let pattern):
                if regex.matches(checked) { failed = "Must not match the pattern \(pattern)" }
            case .length(let min, let max):
                let n = scalarCount(checked)
                if let min, n < min { failed = "Too short: at least \(min) characters" }
                if let max, n > max { failed = "Too long: at most \(max) characters" }
            default: break
            }
            if let failed {
                out.errors.append(CellError(field: f, message: v.errorMessage ?? failed, value: String(decoding: cell, as: UTF8.self), level: v.level))
                if v.level == "error" { invalid = true }
            }
        }
        return invalid
    }
}

private let nullBytes: [UInt8] = Array("null".utf8)
private let trueBytes: [UInt8] = Array("true".utf8)
private let falseBytes: [UInt8] = Array("false".utf8)

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

func pow10(_ n: Int) -> Double {
    var x = 1.0
    for _ in 0..<abs(n) { x *= 10 }
    return n >= 0 ? x : 1 / x
}
