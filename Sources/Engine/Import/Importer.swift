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
    /// Runs the schema's hook programs (contract §9); an import whose schema has hooks fails
    /// with HOOK_FAILED without one.
    public var hookRunner: (any HookRunner)?

    public init(id: String, schema: Schema, filename: String, importMetadata: JSONValue = .null, limits: ReadLimits = ReadLimits(),
                progress: (@Sendable (Int) -> Void)? = nil, workers: Int = 1, hookRunner: (any HookRunner)? = nil) {
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
        if let max = settings.maxFileSize, let size = source.size, size > max {
            throw ImportFailure("FILE_TOO_LARGE", "\(request.filename) is \(size) bytes, more than this schema's maxFileSize of \(max) bytes. Split the file, or raise settings.maxFileSize.")
        }
        let decisions = try SourceDecisions.read(source, delimiter: settings.delimiter, limits: request.limits, sheet: settings.sheetOverride,
                                                 fields: schema.fields)
        if decisions.format == "xlsx" && decisions.sheetChoice?.index == nil {
            let context = DocumentContext(request: request, decisions: decisions, header: HeaderDecision(chosen: nil, candidates: [], method: "detected"))
            try writeReport(context, reasons: ["SHEET_NOT_CHOSEN"], mapping: nil, totals: nil, workspace: workspace)
            return ImportOutcome(status: .needsReview, failure: nil, resultMetadata: .null, reasons: ["SHEET_NOT_CHOSEN"])
        }
        // A JSON document's header is its keys (record 0).
        let headerOverride = decisions.format == "json" ? 0 : settings.headerRowOverride
        let header = HeaderDetector.detect(decisions.sample, fields: schema.fields, override: headerOverride)
        let context = DocumentContext(request: request, decisions: decisions, header: header)

        guard let headerRecord = header.chosen else {
            if decisions.sample.count == 0 || (0..<decisions.sample.count).allSatisfy({ decisions.sample.isBlank(row: $0) }) {
                throw ImportFailure("EMPTY_DATA", "\(request.filename) has no rows: only blank lines. Check the export that made it and drop the file again.")
            }
            try writeReport(context, reasons: ["HEADER_ROW_UNDETERMINED"], mapping: nil, totals: nil, workspace: workspace)
            return ImportOutcome(status: .needsReview, failure: nil, resultMetadata: .null, reasons: ["HEADER_ROW_UNDETERMINED"])
        }
        guard let headerRow = decisions.sample.rowRecords.firstIndex(of: headerRecord) else {
            throw ImportFailure("EMPTY_DATA", "\(request.filename): the header row \(headerRecord) (settings.matchingStep.headerRowOverride) is past the end of the file's first \(decisions.sample.count) rows.")
        }
        var headers = decisions.sample.strings(row: headerRow)
        while let last = headers.last, last.trimmingSpaces.isEmpty, headers.count > 1 { headers.removeLast() }
        let width = max(headers.count, (0..<decisions.sample.count).map { decisions.sample.cellCount(row: $0) }.max() ?? 0)
        let samples = decisions.columnSamples(headerRecord: headerRecord, width: width)
        while headers.count < width { headers.append("") }
        let mapping = ColumnMapper.map(headers: headers, samples: samples, fields: schema.fields, fuzzy: settings.fuzzyMatchHeaders)
        if mapping.needsReview {
            try writeReport(context, reasons: ["COLUMNS_NOT_MAPPED"], mapping: mapping, headers: headers, totals: nil, workspace: workspace)
            return ImportOutcome(status: .needsReview, failure: nil, resultMetadata: .null, reasons: ["COLUMNS_NOT_MAPPED"])
        }

        var shape = ShapeFacts()
        let plans = schema.fields.map { field -> FieldPlan in
            let column = mapping.fieldColumns[field.key]
            let columns = field.manyToOne ? (mapping.manyColumns[field.key] ?? column.map { [$0] } ?? []) : nil
            var order = DateOrder.monthFirst
            if let first = column, [.date, .datetime].contains(field.type.kind) {
                let decision = dateOrderDecision((columns ?? [first]).flatMap { samples[$0] }, field: field)
                shape.dateOrders[field.key] = decision
                order = decision.order
            }
            return FieldPlan(field: field, column: column, columns: columns, dateOrder: order)
        }
        if settings.allowCustomFields { shape.custom = customColumns(mapping, headers: headers, fields: schema.fields) }
        let passThrough: [Int]? = settings.passThroughUnmappedColumns
            ? mapping.unmappedColumns.filter { c in !shape.custom.contains { $0.column == c } } : nil
        let wantsCSV = settings.outputFormats.contains("csv")
        let processor = RowProcessor(plans: plans, headerRecord: headerRecord, keepAllRaw: true, formulaEscape: true,
                                     customColumns: shape.custom, unmappedColumns: passThrough,
                                     csv: wantsCSV, csvFormulaEscape: settings.csvFormulaEscape)
        var csvHeader: [UInt8]?
        if wantsCSV {
            var line: [UInt8] = []
            CSVWriter.appendRecord(processor.csvHeader(customNames: shape.custom.map(\.name)), escapeFormulas: settings.csvFormulaEscape, to: &line)
            csvHeader = line
        }
        let blocked = settings.invalidDataBehavior == .blockSubmit
        func makeWriter() throws -> ResultWriter {
            try ResultWriter(workspace: workspace, fieldKeys: schema.fields.map(\.key), uniqueSlots: processor.uniqueSlots,
                             columns: plans.map(\.column), behavior: settings.invalidDataBehavior, writeResults: true,
                             maxRecords: settings.maxRecords, ndjson: settings.outputFormats.contains("ndjson"), csvHeader: csvHeader)
        }
        let hookStage = try makeHookStage(request, plans: plans, headerRecord: headerRecord, decisions: decisions, source: source)
        defer { hookStage?.cancel() }
        var writer = try makeWriter()
        var finished = false
        defer { if !finished { writer.discard() } }
        try hookStage?.startRowHooks()
        let encoding = try decisions.forEachBatch(source, limits: request.limits, restart: {
            writer.discard()
            writer = try makeWriter()
            hookStage?.cancel()
            try hookStage?.startRowHooks()
        }, reading: { next in
            if let hookStage, hookStage.hasRowHooks {
                try OrderedPipeline.run(width: request.workers, next: { try next().map { try hookStage.apply($0) } },
                                        process: { processor.process($0.batch, annotations: $0.notes) }) { processed in
                    try writer.append(processed)
                    request.progress?(writer.rows)
                }
            } else {
                try OrderedPipeline.run(width: request.workers, next: next, process: { processor.process($0) }) { processed in
                    try writer.append(processed)
                    request.progress?(writer.rows)
                }
            }
        })
        try hookStage?.finishRowHooks()
        if writer.rows == 0 {
            let place = decisions.format == "json" ? "keys" : decisions.format == "xlsx" ? "header row (row \(decisions.sample.rowLines[headerRow]) of sheet \"\(decisions.sheet ?? "")\")" : "header row (line \(decisions.sample.rowLines[headerRow]))"
            throw ImportFailure("EMPTY_DATA", "\(request.filename) has a \(place) but no data rows. Add rows below the header and drop the file again.")
        }
        finished = true
        let totals = try writer.finish(rawHeaders: headers, formulaEscape: true) { wanted, visit in
            // The cells of rows that turned invalid late: read the source again, up to the last one.
            struct Found: Error {}
            var row = 0
            let last = wanted.max() ?? -1
            do {
                try decisions.forEachBatch(source, limits: request.limits, restart: { row = 0 }) { batch in
                    for r in 0..<batch.count where batch.rowRecords[r] > headerRecord && !batch.isBlank(row: r) {
                        if wanted.contains(row) { visit(row, batch.strings(row: r)) }
                        if row == last { throw Found() }
                        row += 1
                    }
                }
            } catch is Found {}
        }
        var context2 = context
        context2.encoding = encoding
        if let hookStage, let message = try runBeforeFinish(hookStage, request: request, totals: totals, blocked: blocked, workspace: workspace) {
            context2.hookMessage = message
            try writeReport(context2, reasons: ["HOOK_CANCELLED"], mapping: mapping, headers: headers, totals: totals, workspace: workspace)
            workspace.removeScratch("errors.part")
            return ImportOutcome(status: .needsReview, failure: nil, resultMetadata: resultMetadata(totals), reasons: ["HOOK_CANCELLED"])
        }
        if blocked && totals.invalid > 0 {
            // BLOCK_SUBMIT: nothing is delivered while rows are invalid (a file with none succeeds).
            for name in ["results.json", "results.ndjson", "results.csv"] { workspace.removeResult(name) }
            try writeReport(context2, reasons: ["VALIDATION_ERRORS"], mapping: mapping, headers: headers, totals: totals, workspace: workspace)
            workspace.removeScratch("errors.part")
            return ImportOutcome(status: .needsReview, failure: nil, resultMetadata: resultMetadata(totals), reasons: ["VALIDATION_ERRORS"])
        }
        try writeMetadata(context2, mapping: mapping, headers: headers, totals: totals, shape: shape, workspace: workspace)
        return ImportOutcome(status: .successful, failure: nil, resultMetadata: resultMetadata(totals), reasons: [])
    }

    static func resultMetadata(_ t: ResultWriter.Totals) -> JSONValue {
        ["num_rows": .number(t.rows), "num_valid_rows": .number(t.valid), "num_invalid_rows": .number(t.invalid),
         "num_removed_rows": .number(t.removed)]
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
