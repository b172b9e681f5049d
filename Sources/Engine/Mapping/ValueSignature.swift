/// Matching by values: a column whose header names no field can still be recognized by what it
/// holds (a column of email addresses). Only types whose values say something qualify: email,
/// date, datetime, time, select (by its options) and checkbox words.
enum ValueSignature {
    /// The share of non-empty sample values that fit `field`, or nil when the type says nothing
    /// or there are too few values to tell.
    static func share(of values: [String], fitting field: Field) -> Double? {
        let filled = values.filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        guard filled.count >= 3 else { return nil }
        let fits: (UnsafeRawBufferPointer) -> Bool
        switch field.type.kind {
        case .email: fits = { EmailValue.isValid($0) }
        case .date: fits = { DateValue.parse($0, order: .monthFirst) != nil || DateValue.parse($0, order: .dayFirst) != nil }
        case .datetime: fits = { DateTimeValue.parse($0, order: .monthFirst) != nil && CellShape.of($0) == .date }
        case .time: fits = { TimeValue.parse($0) != nil }
        case .select:
            let lookup = SelectLookup(field.selectOptions, exact: false)
            fits = { lookup.find($0) != nil }
        default: return nil
        }
        var hits = 0
        for var v in filled {
            if v.withUTF8({ fits(trimmed(UnsafeRawBufferPointer($0))) }) { hits += 1 }
        }
        return Double(hits) / Double(filled.count)
    }
}
