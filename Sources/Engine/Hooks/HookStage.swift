/// Runs an import's hook programs: column hooks once before the rows (each gets its whole
/// column), then each batch of rows through every row hook (one request a row) and bulk row
/// hook (one request per 1,000 rows), and `beforeFinish` on the result. A hook's new values
/// replace the cells before they are parsed and validated; its messages are listed with the
/// row's errors (`error` makes the row invalid). Anything a hook does wrong is `HOOK_FAILED`.
final class HookStage {
    private let hooks: Hooks
    private let runner: any HookRunner
    private let timeout: Double
    private let fields: [Field]
    /// Field index → its (first) column; fields without one are left out of requests.
    private let columns: [Int: Int]
    /// manyToOne fields: field index → every column, in file order (their entry is an array).
    private let manyColumns: [Int: [Int]]
    private let headerRecord: Int
    private var rowProcesses: [(name: String, process: any HookProcess)] = []
    private var bulkProcesses: [(name: String, process: any HookProcess)] = []
    /// Column hooks' answers: row index → column → new text; and their messages by row.
    private var columnValues: [Int: [Int: String]] = [:]
    private var columnNotes: [Int: [CellError]] = [:]
    /// Data rows seen so far (the row index of the next one).
    private var row = 0

    init(
        hooks: Hooks, runner: any HookRunner, timeout: Double, fields: [Field], columns: [Int?], manyColumns: [Int: [Int]] = [:],
        headerRecord: Int
    ) {
        self.hooks = hooks
        self.runner = runner
        self.timeout = timeout
        self.fields = fields
        var map: [Int: Int] = [:]
        for (f, c) in columns.enumerated() { if let c { map[f] = c } }
        self.columns = map
        self.manyColumns = manyColumns
        self.headerRecord = headerRecord
    }

    var hasRowHooks: Bool { !hooks.rowHooks.isEmpty || !hooks.bulkRowHooks.isEmpty || !hooks.columnHooks.isEmpty }

    static func failure(_ name: String, _ process: (any HookProcess)?, _ what: String) -> ImportFailure {
        let tail = process?.stderrTail ?? ""
        let stderr = tail.isEmpty ? "" : " Its stderr ended with: \(tail)"
        return ImportFailure(
            "HOOK_FAILED", "The hook \(name) \(what).\(stderr) Fix the hook program (contract §9) and drop the file again.")
    }

    private func start(_ name: String, _ command: String) throws -> any HookProcess {
        do { return try runner.start(command, timeoutSeconds: timeout) } catch {
            throw HookStage.failure("\(name) (\(command))", nil, "could not start: \(error)")
        }
    }

    /// Sends one request and parses the answer; any failure ends the program.
    private func ask(_ name: String, _ process: any HookProcess, _ request: JSONValue) throws -> JSONValue {
        var line: [UInt8] = []
        JSONWriter.appendCompact(request, to: &line)
        let answer: [UInt8]
        do { answer = try process.exchange(line) } catch {
            process.cancel()
            throw HookStage.failure(name, process, "\(error)")
        }
        do { return try JSONParser.parse(answer) } catch {
            process.cancel()
            let shown = String(decoding: answer.prefix(120), as: UTF8.self)
            throw HookStage.failure(name, process, "answered what is not JSON (\(error)): \(shown)")
        }
    }

    private func finish(_ name: String, _ process: any HookProcess) throws {
        do { try process.finish() } catch {
            process.cancel()
            throw HookStage.failure(name, process, "\(error)")
        }
    }

    // MARK: Column hooks

    /// Runs the column hooks on the columns gathered from a first pass (`values[f]`: field f's
    /// cells by row index).
    func runColumnHooks(_ values: [Int: [String]]) throws {
        for (i, hook) in hooks.columnHooks.enumerated() {
            let name = "hooks.columnHooks[\(i)] (\(hook.command))"
            guard let f = fields.firstIndex(where: { $0.key == hook.fieldName }), let column = columns[f] else { continue }
            let cells = values[f] ?? []
            let process = try start(name, hook.command)
            let request: JSONValue = .array(cells.enumerated().map { ["index": .number($0.offset), "value": .string($0.element)] })
            let answer = try ask(name, process, request)
            guard case .array(let items) = answer else {
                process.cancel()
                throw HookStage.failure(name, process, "answered \(answer.typeName), not an array of {\"index\", \"value\"}")
            }
            for item in items {
                guard case .object(let o) = item, let index = o["index"]?.intValue, index >= 0, index < cells.count,
                    o.keys.allSatisfy({ ["index", "value", "info"].contains($0) })
                else {
                    process.cancel()
                    throw HookStage.failure(
                        name, process, "answered an entry that is not {\"index\" (a row of the column), \"value\"?, \"info\"?}")
                }
                if let v = o["value"] { columnValues[index, default: [:]][column] = try text(v, name, process) }
                for note in try notes(o["info"], field: f, value: cells[index], name, process) {
                    columnNotes[index, default: []].append(note)
                }
            }
            try finish(name, process)
        }
    }

    // MARK: Row hooks

    func startRowHooks() throws {
        for (i, command) in hooks.rowHooks.enumerated() {
            rowProcesses.append(("hooks.rowHooks[\(i)] (\(command))", try start("hooks.rowHooks[\(i)]", command)))
        }
        for (i, command) in hooks.bulkRowHooks.enumerated() {
            bulkProcesses.append(("hooks.bulkRowHooks[\(i)] (\(command))", try start("hooks.bulkRowHooks[\(i)]", command)))
        }
    }

    /// The batch with the hooks' values in its cells, and their messages by batch row.
    func apply(_ batch: RowBatch) throws -> HookedBatch {
        var rows: [(batchRow: Int, index: Int, cells: [String])] = []
        for r in 0..<batch.count where batch.rowRecords[r] > headerRecord && !batch.isBlank(row: r) {
            rows.append((r, row, batch.strings(row: r)))
            row += 1
        }
        var notes: [Int: [CellError]] = [:]
        var changed = !rowProcesses.isEmpty || !bulkProcesses.isEmpty
        for k in rows.indices {
            for (column, value) in columnValues[rows[k].index] ?? [:] {
                set(&rows[k].cells, column, value)
                changed = true
            }
            if let list = columnNotes[rows[k].index] { notes[rows[k].batchRow, default: []] += list }
        }
        for (name, process) in rowProcesses {
            for k in rows.indices {
                let answer = try ask(name, process, request(rows[k].index, rows[k].cells))
                try take(answer, into: &rows[k].cells, notes: &notes[rows[k].batchRow, default: []], name, process)
            }
        }
        for (name, process) in bulkProcesses {
            var start = 0
            while start < rows.count {
                let end = min(start + 1000, rows.count)
                let answer = try ask(name, process, .array(rows[start..<end].map { request($0.index, $0.cells) }))
                guard case .array(let items) = answer, items.count == end - start else {
                    process.cancel()
                    throw HookStage.failure(
                        name, process,
                        "answered \(answer.arrayValue.map { "\($0.count) records" } ?? answer.typeName) for \(end - start) records")
                }
                for (k, item) in zip(start..<end, items) {
                    try take(item, into: &rows[k].cells, notes: &notes[rows[k].batchRow, default: []], name, process)
                }
                start = end
            }
        }
        notes = notes.filter { !$0.value.isEmpty }
        guard changed else { return HookedBatch(batch: batch, notes: notes) }
        var replacements: [Int: [String]] = [:]
        for r in rows { replacements[r.batchRow] = r.cells }
        return HookedBatch(batch: batch.replacingRows(replacements), notes: notes)
    }

    private func request(_ index: Int, _ cells: [String]) -> JSONValue {
        var row = JSONObject()
        for (f, field) in fields.enumerated() {
            guard let c = columns[f] else { continue }
            if let many = manyColumns[f] {
                // Dromo: "If the field is manyToOne, every mapped cell for this row appears as an array."
                row[field.key] = .array(many.map { ["value": .string($0 < cells.count ? cells[$0] : "")] })
            } else {
                row[field.key] = ["value": .string(c < cells.count ? cells[c] : "")]
            }
        }
        return ["index": .number(index), "row": .object(row)]
    }

    /// Takes a row hook's answer `{"row": {key: {"value"?, "info"?}}}` into the row's cells.
    private func take(
        _ answer: JSONValue, into cells: inout [String], notes: inout [CellError], _ name: String, _ process: any HookProcess
    ) throws {
        guard case .object(let o) = answer, case .object(let row)? = o["row"], o.keys.allSatisfy({ ["row", "index"].contains($0) }) else {
            process.cancel()
            throw HookStage.failure(name, process, "answered what is not {\"row\": {\"<field key>\": {\"value\", \"info\"}}}")
        }
        for (key, entry) in row {
            guard let f = fields.firstIndex(where: { $0.key == key }) else {
                process.cancel()
                throw HookStage.failure(name, process, "answered the key '\(key)', which is no field of the schema")
            }
            guard let c = columns[f] else { continue }
            if let many = manyColumns[f] {
                guard case .array(let entries) = entry, entries.count == many.count else {
                    process.cancel()
                    throw HookStage.failure(
                        name, process,
                        "answered for '\(key)', a manyToOne field of \(many.count) columns, what is not an array of \(many.count) {\"value\"?, \"info\"?}"
                    )
                }
                for (column, cellEntry) in zip(many, entries) {
                    try takeCell(cellEntry, key: key, field: f, column: column, into: &cells, notes: &notes, name, process)
                }
            } else {
                try takeCell(entry, key: key, field: f, column: c, into: &cells, notes: &notes, name, process)
            }
        }
    }

    /// One cell's `{"value"?, "info"?}` of a row hook's answer.
    private func takeCell(
        _ entry: JSONValue, key: String, field f: Int, column c: Int, into cells: inout [String], notes: inout [CellError],
        _ name: String, _ process: any HookProcess
    ) throws {
        if case .object(let e) = entry, e["selectOptions"] != nil {
            // Dromo lets a row hook override a cell's select options; Intake does not (CONTRACT §14),
            // and dropping them would change what the cell becomes without a word.
            process.cancel()
            throw HookStage.failure(
                name, process, "answered selectOptions for '\(key)': per-cell select options from a hook are not supported by Intake")
        }
        guard case .object(let e) = entry, e.keys.allSatisfy({ ["value", "info", "resultValue"].contains($0) }) else {
            process.cancel()
            throw HookStage.failure(name, process, "answered for '\(key)' what is not {\"value\"?, \"info\"?}")
        }
        if let v = e["value"] { set(&cells, c, try text(v, name, process)) }
        notes += try self.notes(e["info"], field: f, value: c < cells.count ? cells[c] : "", name, process)
    }

    private func set(_ cells: inout [String], _ column: Int, _ value: String) {
        while cells.count <= column { cells.append("") }
        cells[column] = value
    }

    private func text(_ v: JSONValue, _ name: String, _ process: any HookProcess) throws -> String {
        switch v {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null: return ""
        default:
            process.cancel()
            throw HookStage.failure(name, process, "answered a value that is \(v.typeName), not a string, number, boolean or null")
        }
    }

    /// `info`: `[{"message", "level"?}]`, level `info`, `warning` or `error` (the default, as in Dromo).
    private func notes(_ json: JSONValue?, field: Int, value: String, _ name: String, _ process: any HookProcess) throws -> [CellError] {
        guard let json else { return [] }
        guard case .array(let items) = json else {
            process.cancel()
            throw HookStage.failure(name, process, "answered an info that is not a list of {\"message\", \"level\"}")
        }
        return try items.map { item in
            let level = (item["level"] ?? .string("error")).stringValue ?? ""
            guard case .object = item, case .string(let message)? = item["message"], ["info", "warning", "error"].contains(level) else {
                process.cancel()
                throw HookStage.failure(
                    name, process, "answered an info message that is not {\"message\", \"level\": \"info\" | \"warning\" | \"error\"}")
            }
            return CellError(field: field, message: message, value: value, level: level)
        }
    }

    /// Ends the row hooks once every row went through them.
    func finishRowHooks() throws {
        for (name, process) in rowProcesses + bulkProcesses { try finish(name, process) }
        rowProcesses = []
        bulkProcesses = []
    }

    /// Ends every program still running (the import failed or starts again).
    func cancel() {
        for (_, process) in rowProcesses + bulkProcesses { process.cancel() }
        rowProcesses = []
        bulkProcesses = []
        row = 0
    }

    // MARK: beforeFinish

    /// Runs `beforeFinish` with the result; returns the message when it cancels.
    func beforeFinish(data: [UInt8], metadata: JSONValue) throws -> String? {
        guard let command = hooks.beforeFinish else { return nil }
        let name = "hooks.beforeFinish (\(command))"
        let process = try start(name, command)
        var line: [UInt8] = Array(#"{"data":"#.utf8)
        line.append(contentsOf: data.filter { $0 != 0x0A })
        line.append(contentsOf: #","metadata":"#.utf8)
        JSONWriter.appendCompact(metadata, to: &line)
        line.append(UInt8(ascii: "}"))
        let answer: [UInt8]
        do { answer = try process.exchange(line) } catch {
            process.cancel()
            throw HookStage.failure(name, process, "\(error)")
        }
        guard case .object(let o)? = try? JSONParser.parse(answer), o.keys.allSatisfy({ ["cancel", "message"].contains($0) }) else {
            process.cancel()
            throw HookStage.failure(
                name, process,
                "answered what is not {} or {\"cancel\": true, \"message\"}: \(String(decoding: answer.prefix(120), as: UTF8.self))")
        }
        try finish(name, process)
        guard o["cancel"] == .bool(true) else { return nil }
        return o["message"]?.stringValue ?? "The beforeFinish hook sent the import to review."
    }
}

/// A batch after the hooks: its cells as the hooks left them, and their messages by batch row.
struct HookedBatch: Sendable {
    var batch: RowBatch
    var notes: [Int: [CellError]] = [:]
}
