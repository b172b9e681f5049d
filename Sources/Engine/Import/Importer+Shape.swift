/// How a date column's day-month order was decided, with the evidence (`metadata.json`
/// `fields.<key>.dateOrder`).
struct DateOrderDecision: Sendable {
    var order: DateOrder
    /// `values` (a value like 13/02 settled it), `locale` (the field's locale), `default` (en-US).
    var decidedBy: String
    var dayFirst = 0, monthFirst = 0, either = 0

    /// No value settled the order while some values read differently either way (01/02/2024).
    var undecided: Bool { decidedBy != "values" && either > 0 }

    var json: JSONValue {
        [
            "order": .string(order == .dayFirst ? "dayFirst" : "monthFirst"), "decidedBy": .string(decidedBy),
            "undecided": .bool(undecided),
            "evidence": ["dayFirst": .number(dayFirst), "monthFirst": .number(monthFirst), "either": .number(either)],
        ]
    }
}

extension Importer {
    /// The day-month order of a date column, from the sampled values that settle it (13/02 is
    /// day first; the majority wins). A column with no such value reads month first (en-US,
    /// Dromo's default locale) unless the field's locale writes the day first; it is flagged
    /// `undecided` when some of its values (01/02/2024) read differently either way.
    static func dateOrderDecision(_ values: [String], field: Field) -> DateOrderDecision {
        var d = DateOrderDecision(order: .monthFirst, decidedBy: "default")
        for var v in values {
            v.withUTF8 { raw in
                let bytes = trimmed(UnsafeRawBufferPointer(raw))
                switch DateValue.orderEvidence(bytes) {
                case .dayFirst?: d.dayFirst += 1
                case .monthFirst?: d.monthFirst += 1
                case nil: if DateValue.readsEitherWay(bytes) { d.either += 1 }
                }
            }
        }
        if d.dayFirst != d.monthFirst {
            d.order = d.dayFirst > d.monthFirst ? .dayFirst : .monthFirst
            d.decidedBy = "values"
        } else if let locale = field.type.locale, !locale.hasPrefix("en-US"), !locale.hasSuffix("-US"), locale != "en" {
            d.order = .dayFirst
            d.decidedBy = "locale"
        } else if field.type.locale != nil {
            d.decidedBy = "locale"
        }
        return d
    }

    /// `allowCustomFields`: each unmatched column becomes a key named by its header; an empty
    /// header is `#<index>`, and a header that is already a key gets ` #<index>` added.
    static func customColumns(_ mapping: MappingDecision, headers: [String], fields: [Field]) -> [(name: String, column: Int)] {
        var taken = Set(fields.map(\.key))
        taken.insert("$unmapped")
        var out: [(String, Int)] = []
        for c in mapping.unmappedColumns {
            let header = c < headers.count ? String(headers[c].trimmingSpaces) : ""
            var name = header.isEmpty ? "#\(c)" : header
            if taken.contains(name) { name = "\(name) #\(c)" }
            taken.insert(name)
            out.append((name, c))
        }
        return out
    }
}

extension DateValue {
    /// A numeric date whose first two numbers are both 1–12 and differ: it reads as two dates.
    static func readsEitherWay(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let fields = Fields(bytes), fields.ambiguous else { return false }
        return fields.first >= 1 && fields.first <= 12 && fields.second >= 1 && fields.second <= 12 && fields.first != fields.second
    }
}
