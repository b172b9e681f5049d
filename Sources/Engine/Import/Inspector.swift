/// `intake inspect`: what Intake reads in a file, without a schema — format, encoding, dialect,
/// the header row, each column with the type its values look like, and a preview.
public enum Inspector {
    public static func describe(_ source: any ByteSource, sheet: String? = nil) throws -> JSONValue {
        let d = try SourceDecisions.read(source, sheet: sheet)
        if let problem = d.sheetChoice?.problem { throw ImportFailure("SHEET_NOT_CHOSEN", problem) }
        let header = HeaderDetector.detect(d.sample, fields: [], override: d.format == "json" ? 0 : nil)
        let headerIndex = header.chosen.flatMap { d.sample.rowRecords.firstIndex(of: $0) }
        let width = (0..<d.sample.count).map { d.sample.cellCount(row: $0) }.max() ?? 0
        let samples = d.columnSamples(headerRecord: header.chosen ?? -1, width: width)
        var columns: [JSONValue] = []
        for c in 0..<width {
            let name = headerIndex.map { d.sample.string(row: $0, column: c) }
            columns.append(["index": .number(c), "header": .string(name), "type": .string(guessType(samples[c]))])
        }
        var dataRows = 0
        for r in 0..<d.sample.count where !d.sample.isBlank(row: r) && d.sample.rowRecords[r] > (header.chosen ?? -1) { dataRows += 1 }
        let context = DocumentContext(request: ImportRequest(id: "", schema: Schema(fields: []), filename: ""), decisions: d, header: header)
        let source = context.sourceJSON
        let sheets: [JSONValue] = d.sheets.map {
            ["name": .string($0.name), "kind": .string($0.kind), "visibility": .string($0.state), "rows": .number($0.rows),
             "columns": .number($0.columns), "chosen": .bool($0.name == d.sheet)]
        }
        return [
            "format": .string(d.format), "encoding": source["encoding"] ?? .null,
            "delimiter": source["delimiter"] ?? .null, "quote": source["quote"] ?? .null,
            "escape": source["escape"] ?? .null,
            "sheets": .array(sheets), "sheet": .string(d.sheet), "sheetChosenBy": .string(d.sheetChoice?.method),
            "headerRow": header.chosen.map { .number($0) } ?? .null,
            "rows": .number(dataRows), "rowsCounted": .string(d.sampleComplete ? "all" : "sample"),
            "columns": .array(columns),
            "evidence": [
                "dialects": .array(d.dialectCandidates.map {
                    ["delimiter": .string($0.dialect.delimiterText), "quote": .string($0.dialect.quoteText),
                     "escape": .string($0.dialect.escape.rawValue), "score": .number(ColumnMapper.round2($0.score)), "columns": .number($0.columns)]
                }),
                "headerCandidates": .array(header.candidates.map {
                    ["row": .number($0.row), "score": .number(ColumnMapper.round2($0.score)), "cells": .array($0.cells.map { .string($0) })]
                }),
            ],
            "preview": context.preview,
        ]
    }

    /// The table as Intake reads it, as RFC 4180 CSV (every field quoted, CRLF): the header row
    /// (if any) then the data rows; blank rows and rows above the header are left out.
    public static func writeCSV(_ source: any ByteSource, sheet: String? = nil, to emit: ([UInt8]) throws -> Void) throws {
        let d = try SourceDecisions.read(source, sheet: sheet)
        if let problem = d.sheetChoice?.problem { throw ImportFailure("SHEET_NOT_CHOSEN", problem) }
        let header = HeaderDetector.detect(d.sample, fields: [], override: d.format == "json" ? 0 : nil)
        let first = header.chosen ?? 0
        var emitted = false
        var out: [UInt8] = []
        try d.forEachBatch(source, restart: {
            // Rows already printed cannot be taken back: say so rather than mix encodings.
            if emitted { throw ReadError("the file stops being UTF-8 after its start; convert it to UTF-8") }
        }) { batch in
            out.removeAll(keepingCapacity: true)
            for r in 0..<batch.count where batch.rowRecords[r] >= first && !batch.isBlank(row: r) {
                for c in 0..<batch.cellCount(row: r) {
                    if c > 0 { out.append(UInt8(ascii: ",")) }
                    batch.withCell(row: r, column: c) { CSVWriter.appendField($0, escapeFormulas: false, to: &out) }
                }
                out.append(contentsOf: [0x0D, 0x0A])
            }
            try emit(out)
            emitted = true
        }
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
