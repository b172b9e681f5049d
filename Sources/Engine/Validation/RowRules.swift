/// One unique check: the fields whose values together must not repeat (one field for `unique`
/// and `unique_case_insensitive`; every field sharing a `uniqueKey` for `unique_with`).
struct UniqueSlot: Sendable {
    var fields: [Int]
    var validator: Validator
    var caseInsensitive: Bool
    /// The message of a duplicate, before the line is named: "Duplicate: the same value is on line".
    var message: String

    /// The slots of an import's fields, in field order (a `unique_with` group where its first field is).
    static func slots(_ plans: [FieldPlan]) -> [UniqueSlot] {
        var slots: [UniqueSlot] = []
        var groups: [String: Int] = [:]
        for (i, p) in plans.enumerated() {
            for v in p.field.validators {
                switch v.rule {
                case .unique, .uniqueCaseInsensitive:
                    let ci: Bool = if case .uniqueCaseInsensitive = v.rule { true } else { false }
                    slots.append(
                        UniqueSlot(fields: [i], validator: v, caseInsensitive: ci, message: "Duplicate: the same value is on line"))
                case .uniqueWith(let key):
                    if let s = groups[key] {
                        slots[s].fields.append(i)
                    } else {
                        groups[key] = slots.count
                        slots.append(UniqueSlot(fields: [i], validator: v, caseInsensitive: false, message: ""))
                    }
                default: break
                }
            }
        }
        for (s, slot) in slots.enumerated() where slot.message.isEmpty {
            let names = slot.fields.map { plans[$0].field.key }
            slots[s].message =
                names.count == 1
                ? "Duplicate: the same value is on line"
                : "Duplicate: the same \(RowRule.list(names, "and")) are on line"
        }
        return slots
    }
}

/// A validator that looks at other fields of the row: `require_with` and its kin. Decided once
/// per import: the fields by index, the wanted values as the JSON bytes a cell would write, and
/// the message.
struct RowRule: Sendable {
    let field: Int
    let validator: Validator
    let others: [Int]
    /// `fieldValues`: for each of `others`, the JSON texts that count as equal (nil: emptiness rules).
    let wanted: [[[UInt8]]]?
    let all: Bool
    let without: Bool
    let message: String

    init?(field: Int, validator: Validator, keys: [String: Int]) {
        self.field = field
        self.validator = validator
        switch validator.rule {
        case .requireWith(let fields, let all, let without):
            others = fields.compactMap { keys[$0] }
            wanted = nil
            self.all = all
            self.without = without
            message =
                "Required when \(RowRule.list(fields, all ? "and" : "or")) \(fields.count > 1 && all ? "are" : "is") \(without ? "empty" : "filled")"
        case .requireWithValues(let values, let all, let without):
            others = values.compactMap { keys[$0.field] }
            wanted = values.map { RowRule.texts($0.value) }
            self.all = all
            self.without = without
            let parts = values.map { "\($0.field) is \(without ? "not " : "")\(RowRule.show($0.value))" }
            message = "Required when \(RowRule.list(parts, all ? "and" : "or"))"
        default:
            return nil
        }
    }

    /// Whether the row needs this rule's field: `filled[f]` tells if field f has a value,
    /// `value(f)` is the JSON text it wrote.
    func applies(filled: UnsafeMutableBufferPointer<Bool>, equals: (Int, [[UInt8]]) -> Bool) -> Bool {
        var hits = 0
        for (i, f) in others.enumerated() {
            var hit: Bool
            if let wanted { hit = equals(f, wanted[i]) } else { hit = filled[f] }
            if without { hit = !hit }
            if hit { hits += 1 }
        }
        return all ? hits == others.count : hits > 0
    }

    /// The JSON texts a cell may have written for `value`: `"AL"` or `AL` (so "5" matches a
    /// number 5 and "true" a checkbox), `5`, `true`, `null`.
    static func texts(_ value: JSONValue) -> [[UInt8]] {
        switch value {
        case .string(let s):
            var json: [UInt8] = []
            JSONWriter.appendString(s, to: &json)
            return [json, Array(s.utf8)]
        case .number(let n): return [Array(n.utf8), Array("\"\(n)\"".utf8)]
        case .bool(let b): return [Array((b ? "true" : "false").utf8)]
        default: return [Array("null".utf8)]
        }
    }

    static func show(_ value: JSONValue) -> String {
        if case .string(let s) = value { return "\"\(s)\"" }
        var out: [UInt8] = []
        JSONWriter.appendCompact(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func list(_ items: [String], _ conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
    }
}
