/// One import to run: the schema (already loaded and checked), the file's name and what the
/// sender attached.
public struct ImportRequest: Sendable {
    public var id: String
    public var schema: Schema
    public var filename: String
    public var importMetadata: JSONValue
    public var limits: ReadLimits
    /// Called after each batch of rows with the rows read so far (for a terminal's progress line).
    public var progress: (@Sendable (Int) -> Void)?
    /// Threads that parse and validate batches at once (the file is still written in order).
    /// The caller knows the machine: the command line and the daemon pass the number of cores.
    public var workers = 1
    /// Delimited text is cut into pieces of about this many bytes for the workers (tests make
    /// them small to cut files in many places).
    public var chunkSize = 1 << 20
    /// A person's decisions (resolution.json), when the import is run again from review.
    public var resolution: Resolution?
    /// Mappings remembered for the schema's importIdentifier (applied when autoMapHeaders is on).
    public var rememberedMapping: RememberedMapping?
    /// Runs the schema's hook programs (contract §9); an import whose schema has hooks fails
    /// with HOOK_FAILED without one.
    public var hookRunner: (any HookRunner)?

    public init(
        id: String, schema: Schema, filename: String, importMetadata: JSONValue = .null, limits: ReadLimits = ReadLimits(),
        progress: (@Sendable (Int) -> Void)? = nil, workers: Int = 1, hookRunner: (any HookRunner)? = nil
    ) {
        self.progress = progress
        self.hookRunner = hookRunner
        self.workers = workers
        self.id = id
        self.schema = schema
        self.filename = filename
        self.importMetadata = importMetadata
        self.limits = limits
    }
}

/// The Engine's front door: bytes and a schema in, result files and an outcome out. Decides on
/// a sample (dialect, header, mapping), then streams every row through the same plan.
/// Deterministic: the same input writes the same bytes, so a redo after a crash is the same.
public enum Importer {
    /// Runs the import. Input problems are outcomes (FAILED or NEEDS_REVIEW); a thrown error is
    /// a problem of the machine (a failed write) and leaves the import to be retried.
    public static func run(_ request: ImportRequest, source: any ByteSource, workspace: any Workspace) throws -> ImportOutcome {
        do {
            return try runChecked(request, source: source, workspace: workspace)
        } catch let failure as ImportFailure {
            return .failed(failure)
        } catch let e as ReadError {
            return .failed(ImportFailure("UNREADABLE_FILE", "\(request.filename): \(e.message). Fix the file and drop it again."))
        }
    }

    static func runChecked(_ request: ImportRequest, source: any ByteSource, workspace: any Workspace) throws -> ImportOutcome {
        let schema = request.schema
        let settings = schema.settings
        var plan = ResolutionPlan(request.resolution, remembered: request.rememberedMapping)
        let resolution = request.resolution
        if let max = settings.maxFileSize, let size = source.size, size > max {
            throw ImportFailure(
                "FILE_TOO_LARGE",
                "\(request.filename) is \(size) bytes, more than this schema's maxFileSize of \(max) bytes. Split the file, or raise settings.maxFileSize."
            )
        }
        let namedEncoding = resolution?.encoding ?? settings.encoding
        let namedBy = resolution?.encoding != nil ? "resolution.json" : "settings.encoding"
        var decisions = try SourceDecisions.read(
            source, delimiter: settings.delimiter, limits: request.limits,
            sheet: resolution?.sheet ?? settings.sheetOverride, fields: schema.fields,
            encoding: namedEncoding, namedBy: namedBy)
        if let sheet = resolution?.sheet {
            if decisions.format != "xlsx" {
                plan.problem("sheet", "\(request.filename) is not a workbook (it is \(decisions.format)): it has no sheets to choose")
            } else if decisions.sheetChoice?.index == nil {
                let names = decisions.sheets.filter { $0.kind == "worksheet" }.map { "\"\($0.name)\"" }.joined(separator: ", ")
                plan.problem("sheet", "the workbook has no worksheet \"\(sheet)\" (its worksheets: \(names))")
                decisions = try SourceDecisions.read(
                    source, delimiter: settings.delimiter, limits: request.limits, sheet: settings.sheetOverride,
                    fields: schema.fields, encoding: namedEncoding, namedBy: namedBy)
            }
        }
        if decisions.encodingDecision?.unsure == true {
            // Unsure is not a guess: a person chooses among the readings (resolution.json "encoding").
            let context = DocumentContext(
                request: request, decisions: decisions, header: HeaderDecision(chosen: nil, candidates: [], method: "detected"))
            return try review(context, ["ENCODING"], plan: plan, mapping: nil, totals: nil, workspace: workspace)
        }
        if decisions.format == "xlsx" && decisions.sheetChoice?.index == nil {
            let context = DocumentContext(
                request: request, decisions: decisions, header: HeaderDecision(chosen: nil, candidates: [], method: "detected"))
            return try review(context, ["SHEET_NOT_CHOSEN"], plan: plan, mapping: nil, totals: nil, workspace: workspace)
        }
        // A JSON document's header is its keys (record 0).
        var headerOverride = decisions.format == "json" ? 0 : settings.headerRowOverride
        if let row = resolution?.headerRow {
            if decisions.format == "json" {
                if row != 0 { plan.problem("headerRow", "a JSON file's header is its keys (row 0); it has no other header row") }
            } else if let r = decisions.sample.rowRecords.firstIndex(of: row), !decisions.sample.isBlank(row: r) {
                headerOverride = row
            } else {
                plan.problem(
                    "headerRow",
                    "row \(row) is blank or not among the first \(decisions.sample.count) rows of the file; choose a row that holds the headers"
                )
            }
        }
        var header = HeaderDetector.detect(decisions.sample, fields: schema.fields, override: headerOverride)
        header.readToEnd = resolution?.readToEnd == true
        let context = DocumentContext(request: request, decisions: decisions, header: header)

        if header.chosen == nil && !header.noHeader {
            if decisions.sample.count == 0 || (0..<decisions.sample.count).allSatisfy({ decisions.sample.isBlank(row: $0) }) {
                throw ImportFailure(
                    "EMPTY_DATA",
                    "\(request.filename) has no rows: only blank lines. Check the export that made it and drop the file again.")
            }
            return try review(context, ["HEADER_ROW_UNDETERMINED"], plan: plan, mapping: nil, totals: nil, workspace: workspace)
        }
        // Rows up to this record are not data (preamble, header); with no header, the preamble.
        let headerRecord = header.lastNonDataRecord
        var headerLine = 0
        var headers: [String] = []
        if let chosen = header.chosen {
            guard let headerRow = decisions.sample.rowRecords.firstIndex(of: chosen) else {
                throw ImportFailure(
                    "EMPTY_DATA",
                    "\(request.filename): the header row \(chosen) (settings.matchingStep.headerRowOverride) is past the end of the file's first \(decisions.sample.count) rows."
                )
            }
            headerLine = decisions.sample.rowLines[headerRow]
            headers = header.names
        }
        while let last = headers.last, last.trimmingSpaces.isEmpty, headers.count > 1 { headers.removeLast() }
        let width = max(headers.count, (0..<decisions.sample.count).map { decisions.sample.cellCount(row: $0) }.max() ?? 0)
        let samples = decisions.columnSamples(headerRecord: headerRecord, width: width)
        while headers.count < width { headers.append("") }
        let forced = plan.forcedMapping(headers: headers, fields: schema.fields, autoMap: settings.autoMapHeaders)
        let mapping = ColumnMapper.map(
            headers: headers, samples: samples, fields: schema.fields, fuzzy: settings.fuzzyMatchHeaders, forced: forced)
        if mapping.needsReview {
            return try review(
                context, ["COLUMNS_NOT_MAPPED"], plan: plan, mapping: mapping, headers: headers, totals: nil, workspace: workspace)
        }
        plan.prepareEdits(fieldColumns: mapping.fieldColumns, fields: schema.fields)

        var shape = ShapeFacts()
        shape.decimalMarks = decimalMarkDecisions(
            schema.fields, mapping: mapping, decisions: decisions, headerRecord: headerRecord,
            width: width, resolution: resolution, plan: &plan)
        let plans = schema.fields.map { field -> FieldPlan in
            let column = mapping.fieldColumns[field.key]
            let columns = field.manyToOne ? (mapping.manyColumns[field.key] ?? column.map { [$0] } ?? []) : nil
            var order = DateOrder.monthFirst
            if let first = column, [.date, .datetime].contains(field.type.kind) {
                let decision = dateOrderDecision((columns ?? [first]).flatMap { samples[$0] }, field: field)
                shape.dateOrders[field.key] = decision
                order = decision.order
            }
            return FieldPlan(
                field: field, column: column, columns: columns, dateOrder: order,
                decimalMark: shape.decimalMarks[field.key]?.mark ?? .point)
        }
        let undecided = schema.fields.filter { shape.decimalMarks[$0.key]?.undecided == true }
        if !undecided.isEmpty {
            // Values that read as two different numbers and nothing in the file says which: a person says.
            var context = context
            context.undecidedMarks = undecided.map { field in
                let column = mapping.fieldColumns[field.key] ?? 0
                return (field.key, column < headers.count ? headers[column] : "", shape.decimalMarks[field.key]!)
            }
            return try review(context, ["DECIMAL_MARK"], plan: plan, mapping: mapping, headers: headers, totals: nil, workspace: workspace)
        }
        if settings.allowCustomFields { shape.custom = customColumns(mapping, headers: headers, fields: schema.fields) }
        let passThrough: [Int]? =
            settings.passThroughUnmappedColumns
            ? mapping.unmappedColumns.filter { c in !shape.custom.contains { $0.column == c } } : nil
        let wantsCSV = settings.outputFormats.contains("csv")
        let processor = RowProcessor(
            plans: plans, headerRecord: headerRecord, formulaEscape: true,
            customColumns: shape.custom, unmappedColumns: passThrough,
            csv: wantsCSV, csvFormulaEscape: settings.csvFormulaEscape)
        var csvHeader: [UInt8]?
        if wantsCSV {
            var line: [UInt8] = []
            CSVWriter.appendRecord(
                processor.csvHeader(customNames: shape.custom.map(\.name)), escapeFormulas: settings.csvFormulaEscape, to: &line)
            csvHeader = line
        }
        let behavior = resolution?.invalidDataBehavior ?? settings.invalidDataBehavior
        let blocked = behavior == .blockSubmit
        let removed = plan.removed
        func makeWriter() throws -> ResultWriter {
            try ResultWriter(
                workspace: workspace, fieldKeys: schema.fields.map(\.key), uniqueSlots: processor.uniqueSlots,
                columns: plans.map(\.column), behavior: behavior, writeResults: true,
                maxRecords: settings.maxRecords, ndjson: settings.outputFormats.contains("ndjson"), csvHeader: csvHeader,
                skipRows: removed, workers: request.workers)
        }
        let hookStage = try makeHookStage(request, plans: plans, headerRecord: headerRecord, decisions: decisions, source: source)
        defer { hookStage?.cancel() }
        var writer = try makeWriter()
        var finished = false
        defer { if !finished { writer.discard() } }
        let changesRows = plan.changesRows
        try hookStage?.startRowHooks()
        func restart() throws {
            writer.discard()
            writer = try makeWriter()
            plan.restart()
            hookStage?.cancel()
            try hookStage?.startRowHooks()
        }
        var passEnd: SourceDecisions.PassEnd
        if decisions.chunkable && !changesRows && hookStage?.hasRowHooks != true {
            // The usual case, on every core: nothing needs the rows one batch after another.
            passEnd = try decisions.forEachChunk(
                source, limits: request.limits, header: header, processor: processor, width: request.workers,
                chunkSize: request.chunkSize, restart: restart
            ) { processed in
                try writer.append(processed)
                request.progress?(writer.rows)
            }
        } else {
            var leftOut = LeftOut()
            passEnd = try decisions.forEachBatch(
                source, limits: request.limits,
                restart: {
                    leftOut = LeftOut(); try restart()
                },
                reading: { next in
                    // Only the table's rows: rows past where another table starts and a trailing run of
                    // notes are left out (TableFilter, which counts them); then a resolution's edits and removals.
                    var table = TableFilter(header, format: decisions.format)
                    defer { leftOut = table.leftOut }
                    func tableRows() throws -> RowBatch? {
                        while true {
                            guard let batch = try next() else { table.finish(); return nil }
                            let rows = table.filter(batch)
                            if rows.count > 0 { return rows }
                        }
                    }
                    func rows() throws -> RowBatch? {
                        guard let batch = try tableRows() else { return nil }
                        return changesRows ? plan.apply(batch, headerRecord: headerRecord) : batch
                    }
                    if let hookStage, hookStage.hasRowHooks {
                        try OrderedPipeline.run(
                            width: request.workers, next: { try rows().map { try hookStage.apply($0) } },
                            process: { item, _ in processor.process(item.batch, annotations: item.notes) }
                        ) { processed in
                            try writer.append(processed)
                            request.progress?(writer.rows)
                        }
                    } else {
                        try OrderedPipeline.run(width: request.workers, next: rows, process: { batch, _ in processor.process(batch) }) {
                            processed in
                            try writer.append(processed)
                            request.progress?(writer.rows)
                        }
                    }
                })
            passEnd.leftOut = leftOut
        }
        if let late = passEnd.encodingDecision, late.unsure {
            // Decided again from the whole file after a late surprise, and unsure.
            var context = context
            context.encoding = late.encoding
            context.encodingDecision = late
            return try review(context, ["ENCODING"], plan: plan, mapping: nil, totals: nil, workspace: workspace)
        }
        let encoding = passEnd.encoding
        if let end = passEnd.unterminated, end.isCut(width: width) {
            // An upload that stopped half-way (the sender died, the link dropped): importing the
            // rows before it would pass off part of a file as the whole.
            let what = end.inQuotes ? "a quoted value is still open at the end" : "it has \(end.cells) of \(width) columns"
            throw ImportFailure(
                "INCOMPLETE_FILE",
                "\(request.filename) ends in the middle of a record: its last line (line \(end.line)) has no line end and \(what). The file was probably cut short while it was sent; nothing of it was imported. Send the whole file again (if the file is whole as it is, end its last line with a line break)."
            )
        }
        try hookStage?.finishRowHooks()
        if writer.rows == 0 {
            let place =
                decisions.format == "json"
                ? "keys"
                : decisions.format == "xlsx"
                    ? "header row (row \(headerLine) of sheet \"\(decisions.sheet ?? "")\")" : "header row (line \(headerLine))"
            throw ImportFailure(
                "EMPTY_DATA", "\(request.filename) has a \(place) but no data rows. Add rows below the header and drop the file again.")
        }
        if changesRows { plan.checkRows() }
        finished = true
        let fixedPlan = plan
        let reread: SourceReread = { wanted, last, visit in
            // The cells of rows that turned invalid late: read the source again, up to the last one.
            struct Found: Error {}
            var row = 0
            do {
                try decisions.forEachBatch(source, limits: request.limits, restart: { row = 0 }) { batch in
                    for r in 0..<batch.count where batch.rowRecords[r] > headerRecord && !batch.isBlank(row: r) {
                        if wanted(row) && !removed.contains(row) {
                            try visit(row, batch.rowLines[r], fixedPlan.edited(row, batch.strings(row: r)))
                        }
                        if row == last { throw Found() }
                        row += 1
                    }
                }
            } catch is Found {}
        }
        let totals = try writer.finish(rawHeaders: headers, formulaEscape: true) { wanted, last, visit in
            if let spans = try writer.rowSpans() {
                let (text, dialect) = writer.rowTextSource.map { ($0, Dialect.rfc4180) } ?? (source, decisions.dialect)
                try ChunkedPass.reread(
                    text, dialect: dialect, limits: request.limits, spans: spans, wanted: wanted, last: last, visit: visit)
            } else {
                try reread(wanted, last) { row, _, cells in try visit(row, cells) }
            }
        }
        var context2 = context
        context2.encoding = encoding
        if let decision = passEnd.encodingDecision { context2.encodingDecision = decision }
        context2.leftOut = passEnd.leftOut
        if let hookStage,
            let message = try runBeforeFinish(hookStage, request: request, totals: totals, blocked: blocked, workspace: workspace)
        {
            context2.hookMessage = message
            for name in ["results.json", "results.ndjson", "results.csv", "rejected.csv"] { workspace.remove(name) }
            workspace.removeScratch("errors.part")
            context2.totalRows = totals.rows
            context2.rows = try reviewRows(totals: totals, reread: reread)
            var outcome = try review(
                context2, ["HOOK_CANCELLED"], plan: plan, mapping: mapping, headers: headers, totals: totals, workspace: workspace)
            outcome.resultMetadata = resultMetadata(totals, leftOut: passEnd.leftOut)
            return outcome
        }
        var reasons: [String] = []
        if passEnd.leftOut.tableEnd != nil && passEnd.leftOut.dataLikeAfterEnd > 0 && resolution?.readToEnd == nil {
            // Rows that look like the table's data would be cut: a person decides (contract §6).
            reasons.append("TABLE_END")
        }
        if blocked && totals.invalid > 0 { reasons.append("VALIDATION_ERRORS") }
        if !plan.problems.isEmpty { reasons.append("RESOLUTION_NOT_APPLIED") }
        if !reasons.isEmpty {
            // Nothing is delivered while the import waits for a person (a blocked file with no invalid row succeeds).
            for name in ["results.json", "results.ndjson", "results.csv", "rejected.csv"] { workspace.remove(name) }
            workspace.removeScratch("errors.part")
            context2.totalRows = totals.rows
            context2.rows = try reviewRows(totals: totals, reread: reread)
            var outcome = try review(
                context2, reasons, plan: plan, mapping: mapping, headers: headers, totals: totals, workspace: workspace)
            outcome.resultMetadata = resultMetadata(totals, leftOut: passEnd.leftOut)
            return outcome
        }
        try writeMetadata(
            context2, mapping: mapping, headers: headers, totals: totals, resolution: plan.reportJSON, shape: shape, workspace: workspace)
        return ImportOutcome(
            status: .successful, failure: nil, resultMetadata: resultMetadata(totals, leftOut: passEnd.leftOut), reasons: [],
            learnedMapping: learned(plan))
    }

    /// Reads the source again and calls back with (rowIndex, sourceRow, cells as edited) of the wanted data rows.
    /// `wanted` is asked about data rows in increasing order; reading stops after row `last`.
    typealias SourceReread = (_ wanted: (Int) -> Bool, _ last: Int, _ visit: (Int, Int, [String]) throws -> Void) throws -> Void

    /// The mappings a person resolved that applied, to remember.
    static func learned(_ plan: ResolutionPlan) -> RememberedMapping? {
        plan.learned.isEmpty ? nil : RememberedMapping(plan.learned)
    }

    /// Writes `report.json` and `review.html` and returns the NEEDS_REVIEW outcome.
    static func review(
        _ context: DocumentContext, _ reasons: [String], plan: ResolutionPlan, mapping: MappingDecision?, headers: [String] = [],
        totals: ResultWriter.Totals?, workspace: any Workspace
    ) throws -> ImportOutcome {
        var reasons = reasons
        if !plan.problems.isEmpty && !reasons.contains("RESOLUTION_NOT_APPLIED") { reasons.append("RESOLUTION_NOT_APPLIED") }
        try writeReport(context, reasons: reasons, mapping: mapping, headers: headers, totals: totals, plan: plan, workspace: workspace)
        return ImportOutcome(status: .needsReview, failure: nil, resultMetadata: .null, reasons: reasons, learnedMapping: learned(plan))
    }

    /// The rows the review page shows: those with errors first (as far as the report lists
    /// errors), then the first rows of the file, up to `ReviewPage.maxRows` in all.
    static func reviewRows(totals: ResultWriter.Totals, reread: SourceReread) throws -> [ReviewRow] {
        var wanted = Set<Int>()
        for e in totals.firstErrors {
            if let r = e["rowIndex"]?.intValue, wanted.count < ReviewPage.maxErrorRows { wanted.insert(r) }
        }
        var r = 0
        while r < totals.rows + 64 && wanted.count < ReviewPage.maxErrorRows + ReviewPage.leadingRows && r < ReviewPage.leadingRows {
            wanted.insert(r)
            r += 1
        }
        var rows: [ReviewRow] = []
        try reread({ wanted.contains($0) }, wanted.max() ?? -1) { row, line, cells in
            rows.append(ReviewRow(rowIndex: row, sourceRow: line, cells: cells))
        }
        return rows.sorted { $0.rowIndex < $1.rowIndex }
    }

    static func resultMetadata(_ t: ResultWriter.Totals, leftOut: LeftOut) -> JSONValue {
        [
            "num_rows": .number(t.rows), "num_valid_rows": .number(t.valid), "num_invalid_rows": .number(t.invalid),
            "num_removed_rows": .number(t.removed), "num_left_out_rows": .number(leftOut.count),
        ]
    }

    /// The day-month order of a date column (see `dateOrderDecision`).
    static func dateOrder(_ values: [String], field: Field) -> DateOrder {
        guard [.date, .datetime].contains(field.type.kind) else { return .monthFirst }
        return dateOrderDecision(values, field: field).order
    }
}

/// What `metadata.json` says about the result's shape beyond the mapping.
struct ShapeFacts {
    var dateOrders: [String: DateOrderDecision] = [:]
    var decimalMarks: [String: DecimalMarkDecision] = [:]
    var custom: [(name: String, column: Int)] = []
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}
