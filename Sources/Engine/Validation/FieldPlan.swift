/// Everything decided once per import about one field, so that the per-cell work is a switch
/// and byte checks: its column, its parser, its validators, its select lookup, its date order.
final class FieldPlan: Sendable {
    let field: Field
    let keyJSON: [UInt8]
    let column: Int?
    /// Every column of the field: several for `manyToOne` (its value is then an array).
    let columns: [Int]
    let manyToOne: Bool
    let kind: FieldKind
    let required: Validator?
    /// Unique-family validators: (validator, case-insensitive).
    let uniques: [(validator: Validator, caseInsensitive: Bool)]
    /// The value checks (`regex_match`, `length`, …), each in an object of its own: a cell's
    /// check reads its rule where it is (a copy out of an array of validators retained the
    /// regex and its pattern on every cell, counts both workers share).
    let checks: [CellCheck]
    let select: SelectLookup?
    let dateOrder: DateOrder
    /// Number: the decimal mark its column is read with (decided once, before the rows).
    let decimalMark: DecimalMark
    let datePattern: DateFormatPattern
    /// Date: `datePattern` writes `yyyy-MM-dd`, so a cell written so is copied.
    let copiesISODates: Bool
    /// Number: digits to round to, from `round` or the preset.
    let round: Int?
    /// Number with a currency preset (`usd`, `usd_accounting`, `eur`, `gbp`): the currency marks a
    /// cell may carry (`$`, `usd`); a cell with another currency's mark (`€5`) is invalid.
    let currencyMarks: [[UInt8]]?
    let scalePercent: Bool
    let min: Double?
    let max: Double?
    let allowCustom: Bool
    /// Phone numbers, URLs, codes: the normalizing rule.
    let textRule: TextRule?
    /// Multi-select: the delimiter's bytes.
    let delimiter: [UInt8]
    /// Multi-select: each value is trimmed (`trimValues`, default true).
    let trimValues: Bool
    /// Number: the Numbro output format (the value is then a string).
    let numberFormat: NumberFormat?
    let formatsNumbers: Bool

    init(field: Field, column: Int?, columns: [Int]? = nil, dateOrder: DateOrder, decimalMark: DecimalMark = .point) {
        self.field = field
        var key: [UInt8] = []
        JSONWriter.appendString(field.key, to: &key)
        self.keyJSON = key
        self.column = column
        self.columns = columns ?? column.map { [$0] } ?? []
        self.manyToOne = field.manyToOne
        self.kind = field.type.kind
        self.textRule = TextRule(field.type)
        self.delimiter = Array(field.type.delimiter.utf8)
        self.trimValues = field.type.trimValues
        self.numberFormat = field.type.numberFormat
        self.formatsNumbers = field.type.numberFormat != nil
        self.required = field.validators.first { if case .required = $0.rule { true } else { false } }
        self.uniques = field.validators.compactMap { v in
            switch v.rule {
            case .unique: (v, false)
            case .uniqueCaseInsensitive: (v, true)
            default: nil
            }
        }
        self.checks = field.validators.filter { v in
            switch v.rule {
            case .regexMatch, .regexExclude, .length, .alphabetical: true
            default: false
            }
        }.map(CellCheck.init)
        self.select =
            field.type.kind == .select || field.type.kind == .multiSelect
            ? SelectLookup(field.selectOptions, exact: field.type.exactMatchOnly) : nil
        self.dateOrder = dateOrder
        self.decimalMark = decimalMark
        let t = field.type
        if let format = t.outputFormat, let pattern = try? DateFormatPattern(format) {
            self.datePattern = pattern
        } else {
            switch t.kind {
            case .datetime: self.datePattern = t.withSeconds ? .isoDateTime : .isoDateTimeMinutes
            case .time: self.datePattern = t.withSeconds ? .isoTime : .isoTimeMinutes
            default: self.datePattern = .isoDate
            }
        }
        self.copiesISODates = datePattern.writesDatesAsISO
        var digits = t.round
        let preset = t.preset ?? "default"
        if digits == nil {
            switch preset {
            case "integer", "decimal_0": digits = 0
            case "decimal_1": digits = 1
            case "decimal_2", "usd", "usd_accounting", "eur", "gbp": digits = 2
            case "decimal_3": digits = 3
            case "decimal_4": digits = 4
            case let p where p.hasPrefix("percent_"): digits = Int(p.dropFirst(8)).map { $0 + 2 }
            default: break
            }
        }
        self.round = digits
        switch preset {
        case "usd", "usd_accounting": self.currencyMarks = [Array("$".utf8), Array("usd".utf8)]
        case "eur": self.currencyMarks = [Array("€".utf8), Array("eur".utf8)]
        case "gbp": self.currencyMarks = [Array("£".utf8), Array("gbp".utf8)]
        default: self.currencyMarks = nil
        }
        self.scalePercent = true
        self.min = t.min
        self.max = t.max
        self.allowCustom = t.allowCustom
    }

    /// The field's type as a phrase for messages.
    var typeNoun: String {
        switch kind {
        case .number: "number"
        case .date: "date"
        case .datetime: "date and time"
        case .time: "time"
        case .email: "email address"
        case .checkbox: "checkbox value"
        case .phoneNumber: "phone number"
        case .usStateTerritory: "US state or territory"
        case .usZipCode: "US ZIP code"
        case .ssn: "SSN"
        case .uuid: "UUID"
        case .url: "URL"
        default: kind.rawValue
        }
    }
}

/// A value check of a field, run on its cells (see `FieldPlan.checks`).
final class CellCheck: Sendable {
    let validator: Validator
    init(_ validator: Validator) { self.validator = validator }

    /// What is wrong with the cell's text under this check, or nil.
    @inline(__always)
    func failure(_ checked: UnsafeRawBufferPointer) -> Validator.Rule.Failure? { validator.rule.failure(checked) }
}

/// Select options by value, label and alternate matches, compared without case and surrounding
/// space (or exactly, with `exactMatchOnly`). Lookups hash the cell's bytes into a small open
/// table of their own (no String, no allocation, no SipHash per cell).
struct SelectLookup: Sendable {
    /// The names as compared (folded unless exact) laid end to end, where each is, its `hash`,
    /// and which option value it gives; the values as JSON, laid end to end. Flat, so a lookup
    /// reads no array of arrays and hands back no array (a select cell is a lookup per row).
    private var keyBytes: [UInt8] = []
    private var keyRanges: [Range<Int>] = []
    private var hashes: [UInt64] = []
    private var keyValues: [Int] = []
    private var valueBytes: [UInt8] = []
    private var valueRanges: [Range<Int>] = []
    /// Open addressing on the hash: an index into the keys, or -1. A power of two, at most half full.
    private var slots: [Int32] = []
    /// Options with their own `exactMatchOnly`: their names as written, to the value's index.
    private var strict: [[UInt8]: Int] = [:]
    let exact: Bool
    let allowed: String

    init(_ options: [SelectOption], exact: Bool) {
        self.exact = exact
        var list: [String] = []
        var seen = Set<[UInt8]>()
        for option in options {
            let value = valueRanges.count
            let start = valueBytes.count
            JSONWriter.appendString(option.value, to: &valueBytes)
            valueRanges.append(start..<valueBytes.count)
            for name in [option.value, option.label] + option.alternateMatches {
                if option.exactMatchOnly && !exact {
                    if strict[Array(name.utf8)] == nil { strict[Array(name.utf8)] = value }
                    continue
                }
                let key = exact ? Array(name.utf8) : SelectLookup.fold(Array(name.utf8))
                if !seen.insert(key).inserted { continue }
                keyRanges.append(keyBytes.count..<(keyBytes.count + key.count))
                keyBytes.append(contentsOf: key)
                hashes.append(key.withUnsafeBytes { SelectLookup.hash($0, folding: false) })
                keyValues.append(value)
            }
            list.append(option.label)
        }
        var size = 8
        while size < keyRanges.count * 2 { size *= 2 }
        slots = Array(repeating: -1, count: size)
        for (k, h) in hashes.enumerated() {
            var i = Int(truncatingIfNeeded: h) & (size - 1)
            while slots[i] >= 0 { i = (i + 1) & (size - 1) }
            slots[i] = Int32(k)
        }
        let shown = list.prefix(10).joined(separator: ", ")
        self.allowed = list.count > 10 ? "\(shown), … (\(list.count) options)" : shown
    }

    /// Appends the value (as JSON) of the option `cell` names; false, with nothing appended, when
    /// it names none.
    @inline(__always)
    func appendValue(_ cell: UnsafeRawBufferPointer, to out: inout some ByteSink) -> Bool {
        guard let v = find(cell) else { return false }
        valueBytes.withUnsafeBytes { out.append(bytes: UnsafeRawBufferPointer(rebasing: $0[valueRanges[v]])) }
        return true
    }

    /// Which option value `cell` names (an index among the options), or nil.
    func find(_ cell: UnsafeRawBufferPointer) -> Int? {
        if !strict.isEmpty, let value = strict[Array(cell)] { return value }
        // The common case: the cell is a key as it is, but for ASCII case. A match then is the
        // folded cell's too (keys are folded); only a miss with spaces or non-ASCII bytes, which
        // folding may change, needs the folded cell.
        if let found = probe(cell, hash: SelectLookup.hash(cell, folding: !exact), folding: !exact) { return found }
        guard !exact, cell.contains(where: { $0 >= 0x80 || $0 == 0x20 || $0 == 0x09 }) else { return nil }
        let key = SelectLookup.fold(Array(cell))
        return key.withUnsafeBytes { probe($0, hash: SelectLookup.hash($0, folding: false), folding: false) }
    }

    /// Where a key goes in the table: its length and its first, middle and last bytes (ASCII
    /// lowercased when `folding`), mixed — enough to tell a schema's options apart, and read in
    /// a few instructions; the key's bytes are compared anyway.
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer, folding: Bool) -> UInt64 {
        let n = bytes.count
        guard n > 0 else { return 0x9E37_79B9 }
        @inline(__always) func at(_ i: Int) -> UInt64 {
            let b = bytes[i]
            return UInt64(folding && b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        let x = UInt64(truncatingIfNeeded: n) << 24 | at(0) << 16 | at(n >> 1) << 8 | at(n - 1)
        return (x &* 0x9E37_79B9_7F4A_7C15) >> 29
    }

    /// The value of the key that is `bytes` (lowercased first when `folding`).
    @inline(__always)
    private func probe(_ bytes: UnsafeRawBufferPointer, hash: UInt64, folding: Bool) -> Int? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        return keyBytes.withUnsafeBytes { keys in
            while true {
                let k = Int(slots[i])
                if k < 0 { return nil }
                let range = keyRanges[k]
                if hashes[k] == hash && range.count == bytes.count {
                    var same = true
                    for j in 0..<bytes.count {
                        let b = bytes[j]
                        if (folding && b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != keys[range.lowerBound + j] { same = false; break }
                    }
                    if same { return keyValues[k] }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// Lowercase ASCII, inner runs of space collapsed, ends trimmed; other bytes as they are
    /// (non-ASCII letters are compared through their lowercase String form).
    static func fold(_ bytes: [UInt8]) -> [UInt8] {
        let source = bytes.contains(where: { $0 >= 0x80 }) ? Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8) : bytes
        var out: [UInt8] = []
        out.reserveCapacity(source.count)
        var pendingSpace = false
        for b in source {
            if b == 0x20 || b == 0x09 { pendingSpace = !out.isEmpty; continue }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        return out
    }
}

/// FNV-1a, 64 bits: the hash of unique values. Deterministic across runs.
enum FNV {
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { hash($0) } }
}
