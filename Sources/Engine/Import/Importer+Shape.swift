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

    /// The decimal mark of each number field with a column: resolution.json's `decimalMarks`, else
    /// the field's `decimalMark`, else decided from the sampled values of the file's columns
    /// (`DecimalMarkDetector`, up to the sample's 1,000 rows). A resolution entry naming no number
    /// field is a problem of the plan.
    static func decimalMarkDecisions(
        _ fields: [Field], mapping: MappingDecision, decisions: SourceDecisions, headerRecord: Int, width: Int,
        resolution: Resolution?, plan: inout ResolutionPlan
    ) -> [String: DecimalMarkDecision] {
        for key in (resolution?.decimalMarks.keys).map(Array.init) ?? []
        where !fields.contains(where: { $0.key == key && $0.type.kind == .number }) {
            plan.problem("decimalMarks[\(Resolution.quoted(key))]", "the schema has no number field \"\(key)\"")
        }
        let numbers = fields.filter { $0.type.kind == .number && mapping.fieldColumns[$0.key] != nil }
        guard !numbers.isEmpty else { return [:] }
        let commaPossible = DecimalMarkDetector.commaPossible(format: decisions.format, delimiter: decisions.dialect.delimiter)
        var detected: [DecimalMarkDecision?]?
        var out: [String: DecimalMarkDecision] = [:]
        for field in numbers {
            if let mark = resolution?.decimalMarks[field.key] {
                out[field.key] = DecimalMarkDecision(mark: mark, decidedBy: "resolution")
            } else if let mark = field.type.decimalMark {
                out[field.key] = DecimalMarkDecision(mark: mark, decidedBy: "schema")
            } else {
                if detected == nil {
                    let columns = decisions.columnSamples(headerRecord: headerRecord, width: width, limit: SourceDecisions.sampleRows)
                    detected = DecimalMarkDetector.decide(columns: columns, commaPossible: commaPossible)
                }
                let column = mapping.fieldColumns[field.key]!
                let all = field.manyToOne ? (mapping.manyColumns[field.key] ?? [column]) : [column]
                let found = all.compactMap { $0 < detected!.count ? detected![$0] : nil }
                out[field.key] =
                    DecimalMarkDetector.merged(found)
                    ?? DecimalMarkDecision(mark: .point, decidedBy: commaPossible ? "default" : "delimiter")
            }
        }
        return out
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
