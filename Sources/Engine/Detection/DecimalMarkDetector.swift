/// How a number column's decimal mark was decided, with its evidence (`metadata.json`
/// `fields.<key>.decimalMark`, `intake inspect --json` `evidence.decimalMarks`).
struct DecimalMarkDecision: Sendable, Equatable {
    var mark: DecimalMark
    /// `values` (the column's own values settle it), `file` (its values read two ways and the
    /// file's other number columns settled theirs alike), `schema` (the field's `decimalMark`),
    /// `resolution` (resolution.json `decimalMarks`), `delimiter` (a comma-delimited file, a
    /// workbook or JSON: `,` is no decimal mark there unless the schema says so), `default`
    /// (no value reads two ways: `.` changes nothing).
    var decidedBy: String
    /// Sampled values that are numbers only with `.`, only with `,`, and with both as two
    /// different numbers (`1,234`: 1234 or 1.234).
    var point = 0, comma = 0, either = 0
    /// A value that reads two ways, for messages.
    var example: String?
    /// Values read two ways and nothing settled which: the import goes to review (DECIMAL_MARK).
    var undecided = false

    /// Some values are numbers only with `.`, others only with `,`: the mark most of them need is
    /// kept and the others are invalid cells.
    var mixed: Bool { point > 0 && comma > 0 }

    var json: JSONValue {
        var o: JSONObject = ["mark": .string(mark.rawValue), "decidedBy": .string(decidedBy), "undecided": .bool(undecided)]
        if decidedBy != "schema" && decidedBy != "resolution" && decidedBy != "delimiter" {
            o["evidence"] = ["point": .number(point), "comma": .number(comma), "either": .number(either)]
        }
        return .object(o)
    }
}

/// Decides, per column, whether numbers are written `1,234.50` or `1.234,50`, from the sampled
/// values (the first 1,000 rows), before the rows are read: every chunk of the parallel pass then
/// reads the column the same way.
///
/// `,` can be a decimal mark only where it is not the delimiter: in delimited text whose
/// delimiter is `;` (Excel writes `;` exactly where `,` is the decimal mark), tab (Excel's "Text
/// (Tab delimited)" in those locales), `|` or space. There, each value is read both ways:
/// `1234,50`, `0,5`, `1.234,50`, `1 234,5` are numbers only with `,`; `1234.50`, `1,234.50`, `0.5`
/// only with `.`; `1,234` and `1.234` are both, as different numbers; `1234` and `1 234` are the
/// same either way. The column's mark is the one its values need; when they need both (a mixed
/// column) the one most need, and the others are invalid cells. A column whose values only read
/// two ways takes the mark the file's other number columns settled (all alike); failing that
/// it is undecided and the import goes to review: a silent wrong number is worse than a question.
enum DecimalMarkDetector {
    /// Whether `,` may be a decimal mark in values of this file (see the type's comment).
    static func commaPossible(format: String, delimiter: UInt8) -> Bool {
        format == "csv" && delimiter != UInt8(ascii: ",")
    }

    /// The evidence of one column's values; nil when fewer than 4 in 5 of its filled values are
    /// numbers under either mark (a column of text has no decimal mark).
    static func evidence(_ values: [String]) -> DecimalMarkDecision? {
        var d = DecimalMarkDecision(mark: .point, decidedBy: "default")
        var filled = 0, numbers = 0
        for var v in values {
            v.withUTF8 { raw in
                let text = trimmed(UnsafeRawBufferPointer(raw))
                guard !text.isEmpty else { return }
                filled += 1
                let point = NumberValue.parse(text, mark: .point)
                let comma = NumberValue.parse(text, mark: .comma)
                switch (point, comma) {
                case (nil, nil): return
                case (_?, nil): d.point += 1
                case (nil, _?): d.comma += 1
                case let (p?, c?):
                    if p.json != c.json {
                        d.either += 1
                        if d.example == nil { d.example = String(decoding: text, as: UTF8.self) }
                    }
                }
                numbers += 1
            }
        }
        guard filled > 0, numbers * 5 >= filled * 4 else { return nil }
        return d
    }

    /// One decision for the columns of a `manyToOne` field: the columns' counts together, the
    /// mark of the first column that settled one (values before the file's), undecided only when
    /// none did.
    static func merged(_ decisions: [DecimalMarkDecision]) -> DecimalMarkDecision? {
        guard var d = decisions.first(where: { $0.decidedBy == "values" }) ?? decisions.first(where: { !$0.undecided }) ?? decisions.first
        else { return nil }
        d.point = decisions.reduce(0) { $0 + $1.point }
        d.comma = decisions.reduce(0) { $0 + $1.comma }
        d.either = decisions.reduce(0) { $0 + $1.either }
        return d
    }

    /// The decision for every column of the sample (nil: not a number column).
    static func decide(columns: [[String]], commaPossible: Bool) -> [DecimalMarkDecision?] {
        guard commaPossible else {
            return columns.map {
                evidence($0).map { e in
                    DecimalMarkDecision(mark: .point, decidedBy: "delimiter", point: e.point, comma: e.comma, either: e.either)
                }
            }
        }
        var decisions = columns.map(evidence)
        // The columns whose own values settle their mark (mixed ones do not speak for the file).
        var settled = Set<DecimalMark>()
        for i in decisions.indices {
            guard var d = decisions[i] else { continue }
            if d.point > 0 || d.comma > 0 {
                d.mark = d.comma > d.point ? .comma : .point
                d.decidedBy = "values"
                if !d.mixed { settled.insert(d.mark) }
            }
            decisions[i] = d
        }
        for i in decisions.indices {
            guard var d = decisions[i], d.decidedBy == "default", d.either > 0 else { continue }
            if settled.count == 1, let mark = settled.first {
                d.mark = mark
                d.decidedBy = "file"
            } else {
                d.undecided = true
            }
            decisions[i] = d
        }
        return decisions
    }
}
