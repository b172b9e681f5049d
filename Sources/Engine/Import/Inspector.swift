/// `intake inspect`: what Intake reads in a file, without a schema — format, encoding, dialect,
/// the header row, each column with the type its values look like, and a preview.
public enum Inspector {
    public static func describe(_ source: any ByteSource, sheet: String? = nil) throws -> JSONValue {
        guard let (d, header) = try decide(source, sheet: sheet) else { return emptyDescription }
        return describe(d, header: header)
    }

    /// The decisions `inspect` shows, or nil for an empty file.
    static func decide(_ source: any ByteSource, sheet: String? = nil) throws -> (SourceDecisions, HeaderDecision)? {
        if try source.prefix(1).isEmpty { return nil }
        // The whole file decides the encoding, even when its start is ASCII (an import finds out
        // only when a later byte is not UTF-8).
        let d = try SourceDecisions.read(source, sheet: sheet, wholeFile: true)
        if let problem = d.sheetChoice?.problem { throw ImportFailure("SHEET_NOT_CHOSEN", problem) }
        // JSON data: the keys are the header (record 0).
        return (d, HeaderDetector.detect(d.sample, fields: [], override: d.format == "json" ? 0 : nil))
    }

    static func describe(_ d: SourceDecisions, header: HeaderDecision) -> JSONValue {
        var table = TableFilter(header, format: d.format)
        let rows = table.filter(d.sample)
        if d.sampleComplete { table.finish() }
        let dataRows = (0..<rows.count).filter { !rows.isBlank(row: $0) && rows.rowRecords[$0] > header.lastNonDataRecord }
        let width = max(header.names.count, dataRows.map { rows.cellCount(row: $0) }.max() ?? 0)
        var samples = [[String]](repeating: [], count: width)
        for r in dataRows.prefix(200) { for c in 0..<width { samples[c].append(rows.string(row: r, column: c)) } }
        // The decimal marks an import would decide, on the same rows (the whole sample).
        var all = [[String]](repeating: [], count: width)
        for r in dataRows { for c in 0..<width { all[c].append(rows.string(row: r, column: c)) } }
        let marks = DecimalMarkDetector.decide(
            columns: all, commaPossible: DecimalMarkDetector.commaPossible(format: d.format, delimiter: d.dialect.delimiter))
        var columns: [JSONValue] = []
        for c in 0..<width {
            let name: String? = header.chosen == nil ? nil : (c < header.names.count ? header.names[c] : "")
            columns.append(["index": .number(c), "header": .string(name), "type": .string(guessType(samples[c]))])
        }
        let context = DocumentContext(
            request: ImportRequest(id: "", schema: Schema(fields: []), filename: ""), decisions: d, header: header)
        let source = context.sourceJSON
        let sheets: [JSONValue] = d.sheets.map {
            [
                "name": .string($0.name), "kind": .string($0.kind), "visibility": .string($0.state), "rows": .number($0.rows),
                "columns": .number($0.columns), "chosen": .bool($0.name == d.sheet),
            ]
        }
        return [
            "format": .string(d.format), "encoding": source["encoding"] ?? .null,
            "delimiter": source["delimiter"] ?? .null, "quote": source["quote"] ?? .null,
            "escape": source["escape"] ?? .null,
            "sheets": .array(sheets), "sheet": .string(d.sheet), "sheetChosenBy": .string(d.sheetChoice?.method),
            "headerRow": header.chosen.map { .number($0) } ?? .null,
            "rows": .number(dataRows.count), "rowsCounted": .string(d.sampleComplete ? "all" : "sample"),
            "columns": .array(columns),
            "evidence": evidence(d, header: header, table: table, dataRows: dataRows.map { rows.rowRecords[$0] }, marks: marks),
            "preview": .array(dataRows.prefix(20).map { r in .array(rows.strings(row: r).map { .string($0) }) }),
        ]
    }

    /// Each decision with what it rests on: the dialects tried and their scores, the header's
    /// candidates and lines, and where the table starts and ends.
    static func evidence(
        _ d: SourceDecisions, header: HeaderDecision, table: TableFilter, dataRows: [Int], marks: [DecimalMarkDecision?] = []
    ) -> JSONValue {
        var notes = header.evidence
        notes += decimalMarkNotes(marks, header: header)
        if let end = table.endRecord {
            notes.append(
                "another table starts at record \(end) (its header, or a row of words where the data has numbers and dates): the first table is read, the rest left out"
            )
        }
        if !table.footerRecords.isEmpty {
            let records =
                table.footerRecords.count == 1
                ? "record \(table.footerRecords[0]) at the end is a note"
                : "records \(table.footerRecords.map(String.init).joined(separator: ", ")) at the end are notes"
            notes.append("\(records) under the table (a line of text in a wide table): left out")
        }
        let best = d.dialectCandidates.first
        return [
            "encoding": d.encodingDecision.map(encodingJSON) ?? .null,
            "dialect": [
                "method":
                    "each candidate reads the start of the file; score = pattern (row consistency) x types (cells that look like values)",
                "chosen": dialectJSON(d.dialect, best.flatMap { $0.dialect == d.dialect ? $0 : nil }),
            ],
            "dialects": .array(d.dialectCandidates.map { dialectJSON($0.dialect, $0) }),
            "header": [
                "rows": .array(header.rows.map { .number($0) }),
                "none": .bool(header.noHeader),
                "names": header.chosen == nil ? .null : .array(header.names.map { .string($0) }),
            ],
            "headerCandidates": .array(
                header.candidates.map {
                    [
                        "row": .number($0.row), "score": .number(ColumnMapper.round2($0.score)),
                        "cells": .array($0.cells.map { .string($0) }),
                    ]
                }),
            "table": [
                "firstDataRecord": dataRows.first.map { .number($0) } ?? .null,
                "lastDataRecord": dataRows.last.map { .number($0) } ?? .null,
                "endRecord": table.endRecord.map { .number($0) } ?? .null,
                "footerRecords": .array(table.footerRecords.map { .number($0) }),
            ],
            "decimalMarks": .array(
                marks.enumerated().compactMap { c, m in
                    guard let m, case .object(var o) = m.json else { return nil }
                    o.entries.insert((key: "column", value: .number(c)), at: 0)
                    return .object(o)
                }),
            "notes": .array(notes.map { .string($0) }),
        ]
    }

    /// A sentence for each number column whose values decided `,` as the decimal mark, or could not decide.
    static func decimalMarkNotes(_ marks: [DecimalMarkDecision?], header: HeaderDecision) -> [String] {
        marks.enumerated().compactMap { c, m in
            guard let m else { return nil }
            let name = header.chosen != nil && c < header.names.count ? "column \(c) (\(header.names[c]))" : "column \(c)"
            if m.undecided {
                return
                    "\(name): \(m.either) value(s) like \"\(m.example ?? "")\" are numbers with either decimal mark and nothing in the file settles which: an import with a number field on it goes to review (DECIMAL_MARK)"
            }
            guard m.mark == .comma else { return nil }
            let how =
                m.decidedBy == "file"
                ? "its values read either way; the file's other number columns write \",\""
                : "\(m.comma) value(s) are numbers only with \",\" as the decimal mark"
                    + (m.mixed ? ", \(m.point) only with \".\" (those are invalid)" : "")
            return "\(name) reads \",\" as the decimal mark: \(how)"
        }
    }

    /// The encoding decision with its evidence: how it was made, the candidates and their scores.
    static func encodingJSON(_ e: EncodingDecision) -> JSONValue {
        var o: JSONObject = [
            "method": .string(e.method), "chosen": .string(e.encoding.rawValue), "confidence": .number(ColumnMapper.round2(e.confidence)),
            "unsure": .bool(e.unsure), "note": .string(e.note),
        ]
        if e.method == "language models" {
            o["nonAsciiBytes"] = .number(e.nonASCIIBytes)
            o["lines"] = .number(e.lines)
            o["bytesRead"] = .number(e.scannedBytes)
            o["wholeFile"] = .bool(e.wholeFile)
            o["differingBytes"] = .array(e.differingBytes.map { .string(hex($0)) })
            o["candidates"] = .array(
                e.candidates.map { c in
                    var j: JSONObject = [
                        "encoding": .string(c.encoding.rawValue), "language": .string(c.language),
                        "bitsPerByte": .number(ColumnMapper.round2(c.bitsPerByte)),
                        "excess": .number(ColumnMapper.round2(c.excess)),
                    ]
                    if c.invalid > 0 { j["invalidBytes"] = .number(c.invalid) }
                    if let same = c.sameTextAs { j["sameTextAs"] = .string(same.rawValue) }
                    return .object(j)
                })
        }
        return .object(o)
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
    }

    static func dialectJSON(_ dialect: Dialect, _ c: DialectCandidate?) -> JSONValue {
        var o: JSONObject = [
            "delimiter": .string(dialect.delimiterText), "quote": .string(dialect.quoteText),
            "escape": .string(dialect.quote == nil ? nil : dialect.escape.rawValue),
        ]
        if let c {
            o["score"] = .number(ColumnMapper.round2(c.score))
            o["pattern"] = .number(ColumnMapper.round2(c.pattern))
            o["types"] = .number(ColumnMapper.round2(c.types))
            o["columns"] = .number(c.columns)
        }
        return .object(o)
    }

    /// An empty file is an empty table to look at (an import of it still fails with EMPTY_DATA).
    static let emptyDescription: JSONValue = [
        "format": "csv", "encoding": "utf-8", "delimiter": .null, "quote": .null, "escape": .null,
        "sheets": .array([]), "sheet": .null, "headerRow": .null, "rows": .number(0), "rowsCounted": "all",
        "columns": .array([]), "evidence": ["notes": .array(["the file is empty (0 bytes)"])], "preview": .array([]),
    ]

    /// The table as Intake reads it, as RFC 4180 CSV (every field quoted, CRLF): the header (one
    /// line, a multi-line header's cells joined) if there is one, then the data rows; blank rows,
    /// rows above the header, another table after the first and notes under it are left out.
    public static func writeCSV(_ source: any ByteSource, sheet: String? = nil, to emit: ([UInt8]) throws -> Void) throws {
        guard let (d, header) = try decide(source, sheet: sheet) else { return }
        try writeCSV(source, decisions: d, header: header, to: emit)
    }

    static func writeCSV(
        _ source: any ByteSource, decisions d: SourceDecisions, header: HeaderDecision, to emit: ([UInt8]) throws -> Void
    ) throws {
        var emitted = false
        var out: [UInt8] = []
        if header.chosen != nil {
            for (c, name) in header.names.enumerated() {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                var name = name
                name.withUTF8 { CSVWriter.appendField(UnsafeRawBufferPointer($0), escapeFormulas: false, to: &out) }
            }
            out.append(contentsOf: [0x0D, 0x0A])
        }
        try d.forEachBatch(
            source, limits: ReadLimits(),
            restart: {
                // Rows already printed cannot be taken back: say so rather than mix encodings.
                if emitted { throw ReadError("the file stops being UTF-8 after its start; convert it to UTF-8") }
            },
            reading: { next in
                var table = TableFilter(header, format: d.format)
                while !table.ended, let batch = try next() {
                    let rows = table.filter(batch)
                    for r in 0..<rows.count where rows.rowRecords[r] > header.lastNonDataRecord && !rows.isBlank(row: r) {
                        CSVWriter.appendRow(rows, row: r, escapeFormulas: false, to: &out)
                        out.append(contentsOf: [0x0D, 0x0A])
                    }
                    try emit(out)
                    out.removeAll(keepingCapacity: true)
                    emitted = true
                }
                if !out.isEmpty { try emit(out) }
            })
    }

    /// Every batch of rows of the file, as the import reads them (for benchmarks and tools).
    public static func forEachBatch(_ source: any ByteSource, decisions d: SourceDecisions, _ body: (RowBatch) throws -> Void) throws {
        try d.forEachBatch(source, body)
    }

    static func guessType(_ values: [String]) -> String {
        var counts: [CellShape: Int] = [:]
        var emails = 0
        for var v in values {
            let shape = v.withUTF8 { CellShape.of(UnsafeRawBufferPointer($0)) }
            counts[shape, default: 0] += 1
            if shape == .text, v.withUTF8({ EmailValue.isValid(trimmed(UnsafeRawBufferPointer($0))) }) { emails += 1 }
        }
        let filled = values.count - (counts[.empty] ?? 0)
        guard filled > 0 else { return "empty" }
        if emails * 10 >= filled * 9 { return "email" }
        if (counts[.number] ?? 0) * 10 >= filled * 9 { return "number" }
        if (counts[.date] ?? 0) * 10 >= filled * 9 { return "date" }
        return "string"
    }
}
