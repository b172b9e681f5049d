extension SourceDecisions {
    /// A zip: an XLSX/XLSM workbook (else UNSUPPORTED_FORMAT with what to do). Reads each
    /// visible worksheet's first rows, chooses the sheet, and keeps the chosen one's sample.
    static func readWorkbook(
        _ source: any ByteSource, head: [UInt8], sheet override: String?, fields: [Field],
        limits: ReadLimits
    ) throws -> SourceDecisions {
        let archive = try ZipArchive(source)
        if let mimetype = archive.entry("mimetype") {
            let text = String(decoding: (try? archive.contents(mimetype, budget: InflateBudget(), limit: 1024)) ?? [], as: UTF8.self)
            if text.contains("opendocument.spreadsheet") {
                throw ImportFailure(
                    "UNSUPPORTED_FORMAT",
                    "This is an OpenDocument spreadsheet (.ods), which Intake does not read. Open it in LibreOffice and save it as .xlsx (File › Save As › Excel 2007-365) or CSV, then drop that file instead."
                )
            }
        }
        let workbook = try Workbook(archive)
        var summaries: [SheetSummary] = []
        var samples: [RowBatch?] = []
        var readers: [SheetReader?] = []
        var complete: [Bool] = []
        for (i, s) in workbook.sheets.enumerated() {
            var summary = SheetSummary(name: s.name, state: s.state, kind: s.kind, rows: 0, columns: 0, score: nil)
            // Hidden sheets and chartsheets are not data; an override may still name a hidden worksheet.
            let wanted = s.isData || (override != nil && s.kind == "worksheet" && s.name.lowercased() == override!.lowercased())
            guard wanted, s.part != nil else {
                summaries.append(summary)
                samples.append(nil)
                readers.append(nil)
                complete.append(true)
                continue
            }
            let reader = try workbook.rows(ofSheet: i, limits: limits)
            let sample = try reader.next(maxRows: sampleRows) ?? RowBatch()
            let done = try reader.next(maxRows: 1) == nil
            summary.rows = done ? sample.count : max(sample.count, reader.declaredRows ?? 0)
            summary.columns = reader.widest - (reader.minimumColumn == .max ? 0 : reader.minimumColumn)
            let left = reader.minimumColumn == .max ? 0 : reader.minimumColumn
            summary.preview = (0..<sample.count).lazy.filter { !sample.isBlank(row: $0) }.prefix(5).map {
                Array(sample.strings(row: $0).dropFirst(left))
            }
            summaries.append(summary)
            samples.append(sample)
            readers.append(reader)
            complete.append(done)
        }
        let choice = SheetChooser.choose(
            sheets: workbook.sheets, samples: samples, summaries: &summaries, override: override, fields: fields)
        var decisions = SourceDecisions(
            format: "xlsx", encoding: .utf8, bomLength: 0, dialect: .rfc4180, dialectCandidates: [],
            sample: RowBatch(), sampleComplete: true, sheets: summaries, sheetChoice: choice,
            sheet: choice.index.map { workbook.sheets[$0].name }, workbook: workbook)
        guard let index = choice.index else {
            if choice.problem == nil {
                let hidden = workbook.sheets.filter { !$0.isData }.map { "\"\($0.name)\"" }
                let note = hidden.isEmpty ? "" : " (hidden sheets and chartsheets are not read: \(hidden.joined(separator: ", ")))"
                throw ImportFailure(
                    "EMPTY_DATA",
                    "The workbook has no rows: none of its visible worksheets holds a value\(note). Check the export that made it and drop the file again."
                )
            }
            return decisions
        }
        var sample = samples[index] ?? RowBatch()
        let reader = readers[index]
        // Shrink-wrap: columns left of the table are dropped, when the whole sheet or its declared
        // dimension says they are empty.
        if let reader, reader.minimumColumn != .max {
            let left = complete[index] ? reader.minimumColumn : min(reader.minimumColumn, reader.declaredFirstColumn ?? 0)
            if left > 0 { sample = sample.droppingLeadingColumns(left) }
            decisions.leftColumn = left
        }
        decisions.sample = sample
        decisions.sampleComplete = complete[index]
        return decisions
    }
}

extension RowBatch {
    /// The same rows without their first `k` cells.
    func droppingLeadingColumns(_ k: Int) -> RowBatch {
        var out = RowBatch()
        for r in 0..<count {
            let cells = cellRange(row: r)
            for c in cells.dropFirst(k) {
                bytes.withUnsafeBufferPointer { out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[byteRange(cell: c)])) }
                out.cellEnds.append(out.bytes.count)
            }
            out.rowCellEnds.append(out.cellEnds.count)
            out.rowLines.append(rowLines[r])
            out.rowRecords.append(rowRecords[r])
        }
        return out
    }
}
