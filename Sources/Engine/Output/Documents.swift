/// What the documents of an import (`metadata.json`, `report.json`) say about the file.
struct DocumentContext {
    var request: ImportRequest
    var decisions: SourceDecisions
    var header: HeaderDecision
    var encoding: TextEncoding
    /// How the encoding was decided (delimited text).
    var encodingDecision: EncodingDecision?
    /// Data rows read, when the whole file was read.
    var totalRows: Int?
    /// Rows for the review page (errors first), when the whole file was read.
    var rows: [ReviewRow]?
    /// The message of a `beforeFinish` hook that sent the import to review.
    var hookMessage: String?
    /// The records that did not become rows, when the whole file was read.
    var leftOut: LeftOut?
    /// Number fields whose values read two ways (DECIMAL_MARK): field key, column header, evidence.
    var undecidedMarks: [(field: String, header: String, decision: DecimalMarkDecision)] = []

    init(request: ImportRequest, decisions: SourceDecisions, header: HeaderDecision) {
        self.request = request
        self.decisions = decisions
        self.header = header
        self.encoding = decisions.encoding
        self.encodingDecision = decisions.encodingDecision
    }

    var sourceJSON: JSONValue {
        let d = decisions.dialect
        let text = decisions.format == "csv"
        return [
            "format": .string(decisions.format), "encoding": .string(decisions.format == "xlsx" ? nil : encoding.rawValue),
            "encodingConfidence": encodingDecision.map { .number(ColumnMapper.round2($0.confidence)) } ?? .null,
            "delimiter": .string(text ? d.delimiterText : nil), "quote": .string(text ? d.quoteText : nil),
            "escape": .string(text && d.quote != nil ? d.escape.rawValue : nil),
            "sheet": .string(decisions.sheet), "headerRow": header.chosen.map { .number($0) } ?? .null,
        ]
    }

    /// Up to 20 rows as the person would see them: after the header when there is one.
    var preview: JSONValue {
        let sample = decisions.sample
        var rows: [JSONValue] = []
        for r in 0..<sample.count where !sample.isBlank(row: r) && sample.rowRecords[r] > header.lastNonDataRecord {
            rows.append(.array(sample.strings(row: r).map { .string($0) }))
            if rows.count == 20 { break }
        }
        return .array(rows)
    }
}

/// Stands for `metadata.json`'s `rowsWithError` list while the document is rendered.
private let rowsMarker = "\u{1}rowsWithError\u{1}"

extension Importer {
    static func mappingColumnsJSON(_ mapping: MappingDecision) -> JSONValue {
        .array(
            mapping.columns.map { c in
                [
                    "index": .number(c.index), "header": .string(c.header), "field": .string(c.field),
                    "score": .number(c.score), "matchedBy": .string(c.matchedBy),
                    "alternatives": .array(c.alternatives.map { ["field": .string($0.field), "score": .number($0.score)] }),
                ]
            })
    }

    /// `report.json` (contract §6) and `review.html`, the page made from it.
    static func writeReport(
        _ context: DocumentContext, reasons: [String], mapping: MappingDecision?, headers: [String] = [],
        totals: ResultWriter.Totals?, plan: ResolutionPlan, workspace: any Workspace
    ) throws {
        var mappingJSON: JSONValue = .null
        if let mapping {
            mappingJSON = [
                "columns": mappingColumnsJSON(mapping),
                "unmappedColumns": .array(mapping.unmappedColumns.map { .number($0) }),
                "missingRequiredFields": .array(mapping.missingRequiredFields.map { .string($0) }),
                "conflicts": .array(
                    mapping.conflicts.map {
                        ["field": .string($0.field), "columns": .array($0.columns.map { .number($0) })]
                    }),
            ]
        }
        let schema = context.request.schema
        let visibleSheets = context.decisions.sheets.filter { $0.kind == "worksheet" && $0.state == "visible" }
        var report: JSONValue = [
            "id": .string(context.request.id),
            "filename": .string(context.request.filename),
            "reasons": .array(reasons.map { .string($0) }),
            "messages": .array(reasons.map { .string(message(for: $0, context: context, mapping: mapping, totals: totals, plan: plan)) }),
            "source": context.sourceJSON,
            "sheets": .array(visibleSheets.map(\.json)),
            "headerRow": [
                "chosen": context.header.chosen.map { .number($0) } ?? .null,
                "candidates": .array(
                    context.header.candidates.map {
                        [
                            "row": .number($0.row), "score": .number(ColumnMapper.round2($0.score)),
                            "cells": .array($0.cells.map { .string($0) }),
                        ]
                    }),
            ],
            "mapping": mappingJSON,
            "errorCount": .number(totals?.errorCount ?? 0),
            "errors": .array(totals?.firstErrors ?? []),
            "preview": context.preview,
            "fields": .array(
                schema.fields.filter { !$0.hidden }.map {
                    [
                        "key": .string($0.key), "label": .string($0.label), "type": .string($0.type.kind.rawValue),
                        "required": .bool($0.mustBeMapped),
                    ]
                }),
            "invalidDataBehavior": .string((plan.resolution?.invalidDataBehavior ?? schema.settings.invalidDataBehavior).rawValue),
            "totalRows": context.totalRows.map { .number($0) } ?? .null,
            "rowsWithErrors": totals.map { .number($0.invalid) } ?? .null,
            "sheetPreviews": .object(
                JSONObject(visibleSheets.map { (key: $0.name, value: .array($0.preview.map { .array($0.map { .string($0) }) })) })),
            "resolution": plan.reportJSON,
            "tableEnd": context.leftOut?.tableEnd.map { end in
                [
                    "record": .number(end), "dataLikeRowsAfter": .number(context.leftOut?.dataLikeAfterEnd ?? 0),
                    "preview": .array(
                        (context.leftOut?.ordered.first { $0.reason == .anotherTable }?.preview ?? []).map {
                            .array($0.map { .string($0) })
                        }),
                ]
            } ?? .null,
        ]
        if reasons.contains("ENCODING"), let e = context.encodingDecision, case .object(var o) = report {
            let candidates: [JSONValue] = e.choices.map { c in
                [
                    "encoding": .string(c.candidate.encoding.rawValue), "language": .string(c.candidate.language),
                    "bitsPerByte": .number(ColumnMapper.round2(c.candidate.bitsPerByte)), "lines": .array(c.lines.map { .string($0) }),
                ]
            }
            let encoding: JSONValue = [
                "chosen": .string(e.encoding.rawValue), "confidence": .number(ColumnMapper.round2(e.confidence)), "note": .string(e.note),
                "candidates": .array(candidates),
            ]
            o["encoding"] = encoding
            report = .object(o)
        }
        if reasons.contains("DECIMAL_MARK"), case .object(var o) = report {
            o["decimalMarks"] = .array(
                context.undecidedMarks.map { u in
                    let (point, comma) = Importer.readings(u.decision.example ?? "")
                    return [
                        "field": .string(u.field), "header": .string(u.header), "example": .string(u.decision.example),
                        "point": .string(point), "comma": .string(comma), "either": .number(u.decision.either),
                    ]
                })
            report = .object(o)
        }
        var bytes = JSONWriter.document(report)
        // `rows` last, one compact row per line (they can be many).
        let rows = context.rows ?? sampleRows(context)
        bytes.removeLast(3)
        bytes.append(contentsOf: ",\n  \"rows\": [".utf8)
        for (i, row) in rows.enumerated() {
            bytes.append(contentsOf: (i == 0 ? "\n    " : ",\n    ").utf8)
            JSONWriter.appendCompact(row.json, to: &bytes)
        }
        bytes.append(contentsOf: (rows.isEmpty ? "]\n}\n" : "\n  ]\n}\n").utf8)
        let file = try workspace.create("report.json")
        try file.write(bytes)
        try file.close()
        let page = try workspace.create("review.html")
        try page.write(ReviewPage.html(reportJSON: bytes))
        try page.close()
    }

    /// Before the pass: the sample's first data rows under the chosen (or most likely) header.
    static func sampleRows(_ context: DocumentContext) -> [ReviewRow] {
        let sample = context.decisions.sample
        guard sample.count > 0 else { return [] }
        // Past every line of the header (a header on several lines ends below its first record).
        let header = context.header.chosen == nil ? -1 : context.header.lastNonDataRecord
        var rows: [ReviewRow] = []
        for r in 0..<sample.count where sample.rowRecords[r] > header && !sample.isBlank(row: r) {
            rows.append(ReviewRow(rowIndex: rows.count, sourceRow: sample.rowLines[r], cells: sample.strings(row: r)))
            if rows.count == ReviewPage.leadingRows { break }
        }
        return rows
    }

    /// A number cell's value with `.` and with `,` as the decimal mark (`?` where it is none).
    static func readings(_ value: String) -> (point: String, comma: String) {
        var value = value
        return value.withUTF8 { raw in
            let text = UnsafeRawBufferPointer(raw)
            return (NumberValue.parse(text, mark: .point)?.json ?? "?", NumberValue.parse(text, mark: .comma)?.json ?? "?")
        }
    }

    /// A sentence per reason: what went wrong and what to do.
    static func message(
        for reason: String, context: DocumentContext, mapping: MappingDecision?, totals: ResultWriter.Totals?,
        plan: ResolutionPlan
    ) -> String {
        switch reason {
        case "ENCODING":
            let e = context.encodingDecision
            let names = (e?.choices ?? []).map { "\($0.candidate.encoding.rawValue)" + ($0.lines.first.map { " reads \"\($0)\"" } ?? "") }
            return
                "Intake cannot tell which encoding \(context.request.filename) is written in: \(names.joined(separator: "; ")). Choose the one that reads the text as written in resolution.json (\"encoding\": \"\(e?.encoding.rawValue ?? "windows-1252")\"), or set settings.encoding."
        case "DECIMAL_MARK":
            let columns = context.undecidedMarks.map { u in
                let value = u.decision.example ?? ""
                let (point, comma) = readings(value)
                return
                    "the column \"\(u.header)\" (field \(u.field)) has \(u.decision.either) value(s) like \"\(value)\", which is \(point) with \".\" as the decimal mark and \(comma) with \",\""
            }
            let keys = context.undecidedMarks.map { "\"\($0.field)\": \",\"" }.joined(separator: ", ")
            return
                "Intake cannot tell the decimal mark of the numbers in \(context.request.filename): \(columns.joined(separator: "; ")); no value in the first rows settles it (such as 0,5 or 12.50). Say which in resolution.json (\"decimalMarks\": {\(keys)}, or \".\"), or set the field's decimalMark in the schema."
        case "SHEET_NOT_CHOSEN":
            let problem = context.decisions.sheetChoice?.problem ?? "no sheet could be chosen"
            return
                "\(context.request.filename): \(problem). Choose the sheet in resolution.json (\"sheet\"), or set settings.uploadStep.sheetOverride."
        case "HEADER_ROW_UNDETERMINED":
            let rows = context.header.candidates.prefix(3).map { "record \($0.row)" }.joined(separator: ", ")
            return
                "No row of \(context.request.filename) can be called the header with confidence (candidates: \(rows)). Choose the header row in resolution.json (\"headerRow\"), or set settings.matchingStep.headerRowOverride."
        case "COLUMNS_NOT_MAPPED":
            var parts: [String] = []
            if let m = mapping, !m.missingRequiredFields.isEmpty {
                parts.append("no column matches the required field(s) \(m.missingRequiredFields.joined(separator: ", "))")
            }
            if let m = mapping {
                for c in m.conflicts {
                    let names = c.columns.map { "\"\(m.columns[$0].header)\" (#\($0))" }.joined(separator: " and ")
                    parts.append("columns \(names) both match the field \(c.field) equally")
                }
            }
            return
                "The columns could not all be matched: \(parts.joined(separator: "; ")). Map them in resolution.json (\"mapping\": {\"<header>\": \"<field key>\"}), or add the header to the field's alternateMatches."
        case "TABLE_END":
            let end = context.leftOut?.tableEnd.map { "record \($0)" } ?? "a record"
            let rows = context.leftOut?.dataLikeAfterEnd ?? 0
            return
                "Another table seems to start at \(end) of \(context.request.filename) (its header again, or a blank line then a row of words where the data has numbers and dates), but \(rows) row(s) after it look like this table's data. Say in resolution.json whether the whole file is one table (\"readToEnd\": true) or the rows from there on are left out (\"readToEnd\": false)."
        case "HOOK_CANCELLED":
            return
                "The beforeFinish hook sent the import to review: \(context.hookMessage ?? ""). Decide what to do, then resolve the import or drop the file again."
        case "VALIDATION_ERRORS":
            let n = totals?.invalid ?? 0
            return
                "\(n) row(s) have invalid cells and the schema's invalidDataBehavior is BLOCK_SUBMIT. Fix the cells (\"edits\"), remove the rows (\"removeRows\") or choose another invalidDataBehavior in resolution.json."
        case "RESOLUTION_NOT_APPLIED":
            if plan.resolution?.isUnreadable == true, let problem = plan.problems.first {
                return
                    "resolution.json could not be read: it is \(problem.message). Save it again from review.html (or fix it) and put it in the folder again."
            }
            let list = plan.problems.prefix(5).map { "\($0.entry): \($0.message)" }.joined(separator: "; ")
            let more = plan.problems.count > 5 ? " (and \(plan.problems.count - 5) more, listed under \"resolution\")" : ""
            return
                "\(plan.problems.count) entr\(plan.problems.count == 1 ? "y" : "ies") of resolution.json could not be applied: \(list)\(more). Correct them and save resolution.json again; the other entries were applied."
        default:
            return reason
        }
    }

    /// `metadata.json` (contract §5). The error list is streamed from the writer's part file.
    static func writeMetadata(
        _ context: DocumentContext, mapping: MappingDecision, headers: [String], totals: ResultWriter.Totals,
        resolution: JSONValue = .null, shape: ShapeFacts = ShapeFacts(), workspace: any Workspace
    ) throws {
        let schema = context.request.schema
        var fields = JSONObject()
        for field in schema.fields {
            let column = mapping.fieldColumns[field.key]
            let match = column.map { mapping.columns[$0] }
            var entry: JSONObject = [
                "fileHeader": .string(match?.header), "fileHeaderIndex": column.map { .number($0) } ?? .null,
                "isCustom": false, "manyToOne": .bool(field.manyToOne), "matchedBy": .string(match?.matchedBy),
                "score": .number(match?.score ?? 0),
            ]
            if field.manyToOne {
                let all = mapping.manyColumns[field.key] ?? column.map { [$0] } ?? []
                entry["fileHeaders"] = .array(all.map { .string(mapping.columns[$0].header) })
                entry["fileHeaderIndexes"] = .array(all.map { .number($0) })
            }
            if let order = shape.dateOrders[field.key] { entry["dateOrder"] = order.json }
            if let mark = shape.decimalMarks[field.key] { entry["decimalMark"] = mark.json }
            fields[field.key] = .object(entry)
        }
        for (name, column) in shape.custom {
            fields[name] = [
                "fileHeader": .string(mapping.columns[column].header), "fileHeaderIndex": .number(column),
                "isCustom": true, "manyToOne": false, "matchedBy": nil, "score": .number(0),
            ]
        }
        let head: JSONValue = [
            "id": .string(context.request.id), "filename": .string(context.request.filename),
            "importIdentifier": .string(schema.settings.importIdentifier), "import_metadata": context.request.importMetadata,
            "source": context.sourceJSON,
            "rawHeaders": .array(headers.map { .string($0) }),
            "fields": .object(fields),
            "unmappedColumns": .array(mapping.unmappedColumns.map { .number($0) }),
            "totalRows": .number(totals.rows), "validRows": .number(totals.valid), "invalidRows": .number(totals.invalid),
            "removedRows": .number(totals.removed),
            "leftOutRows": .number(context.leftOut?.count ?? 0),
            "leftOut": context.leftOut?.json ?? .array([]),
            "leftOutComplete": .bool(context.leftOut?.isComplete ?? true),
            // Written in place of this marker without a JSONValue per row (the list can be long).
            "rowsWithError": .string(rowsMarker),
        ]
        var document = head
        if !resolution.isNull, case .object(var o) = document {
            o["resolution"] = resolution
            document = .object(o)
        }
        if !schema.ignoredKeys.isEmpty, case .object(var o) = document {
            // The Dromo keys the schema has that this import did not act on, and why.
            o["ignoredSchemaKeys"] = .array(schema.ignoredKeys.map(\.json))
            document = .object(o)
        }
        if schema.settings.maxRecords != nil, case .object(var o) = document {
            // Rows past maxRecords: after removedRows.
            var entries = o.entries
            let at = (entries.firstIndex { $0.key == "removedRows" } ?? entries.count - 1) + 1
            entries.insert((key: "droppedRows", value: .number(totals.dropped)), at: at)
            o.entries = entries
            document = .object(o)
        }
        var bytes = JSONWriter.document(document)
        // Replace the closing "\n}\n" with the streamed error list.
        bytes.removeLast(3)
        let out = BufferedOutput(try workspace.create("metadata.json"))
        var marker: [UInt8] = []
        JSONWriter.appendString(rowsMarker, to: &marker)
        if let at = bytes.firstRange(of: marker) {
            try out.append(Array(bytes[..<at.lowerBound]))
            var list: [UInt8] = [UInt8(ascii: "[")]
            for (i, row) in totals.rowsWithError.enumerated() {
                if i > 0 { list.append(contentsOf: [UInt8(ascii: ","), 0x20]) }
                list.append(contentsOf: String(row).utf8)
                if list.count >= 1 << 16 { try out.append(list); list.removeAll(keepingCapacity: true) }
            }
            list.append(UInt8(ascii: "]"))
            try out.append(list)
            bytes = Array(bytes[at.upperBound...])
        }
        try out.append(bytes)
        try out.append(",\n  \"errors\": [")
        var any = false
        try workspace.openScratch("errors.part").forEachChunk { piece in
            any = true
            try out.append(Array(piece))
        }
        try out.append(any ? "\n  ]\n}\n" : "]\n}\n")
        try out.close()
        workspace.removeScratch("errors.part")
    }
}
