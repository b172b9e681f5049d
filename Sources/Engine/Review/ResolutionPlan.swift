/// A resolution checked against the file: which entries apply, which do not and why. Built in
/// steps as the import learns the file (sheet, header, columns, rows); the problems go to the
/// rewritten report's `resolution` section.
struct ResolutionPlan {
    let resolution: Resolution?
    let remembered: RememberedMapping?
    var problems: [ResolutionProblem]
    /// Mappings that applied, by header, to remember (settings.autoMapHeaders).
    var learned: [(header: String, field: String?)] = []
    /// Row index → (column, value) to put in the cell.
    var edits: [Int: [(column: Int, value: String)]] = [:]
    private var editEntries: [Int: [Int]] = [:]
    var removed: Set<Int> = []
    /// Data rows seen by the pass, and the edits and removals that found their row.
    private(set) var dataRows = 0
    private var seen: Set<Int> = []

    init(_ resolution: Resolution?, remembered: RememberedMapping?) {
        self.resolution = resolution
        self.remembered = remembered
        self.problems = resolution?.problems ?? []
    }

    var given: Bool { resolution != nil }

    mutating func problem(_ entry: String, _ message: String) {
        problems.append(ResolutionProblem(entry: entry, message: message))
    }

    /// The forced column decisions: the resolution's mapping (checked against the headers and
    /// the schema), then remembered mappings for the columns and fields left.
    mutating func forcedMapping(headers: [String], fields: [Field], autoMap: Bool) -> [Int: (field: String?, matchedBy: String)] {
        var forced: [Int: (field: String?, matchedBy: String)] = [:]
        var fieldEntry: [String: String] = [:]
        for entry in resolution?.mapping ?? [] {
            let name = "mapping[\(Resolution.quoted(entry.column))]"
            let column: Int
            if entry.column.hasPrefix("#"), let n = Int(entry.column.dropFirst()) {
                guard n >= 0 && n < headers.count else {
                    problem(name, "the file has no column #\(n): its columns are #0 to #\(headers.count - 1)")
                    continue
                }
                column = n
            } else if let c = headers.firstIndex(of: entry.column)
                ?? headers.firstIndex(where: { $0.trimmingSpaces.lowercased() == entry.column.trimmingSpaces.lowercased() })
            {
                column = c
            } else {
                let list = headers.enumerated().map { $0.element.isEmpty ? "#\($0.offset)" : "\"\($0.element)\"" }.joined(separator: ", ")
                problem(
                    name,
                    "no column has the header \"\(entry.column)\" (the headers are: \(list)); name a column by its header or as \"#<index>\""
                )
                continue
            }
            if let key = entry.field {
                guard fields.contains(where: { $0.key == key }) else {
                    problem(name, "the schema has no field \"\(key)\" (its fields: \(fields.map(\.key).joined(separator: ", ")))")
                    continue
                }
                if let other = fieldEntry[key] {
                    problem(name, "the field \"\(key)\" is already mapped by \(other); a field takes one column")
                    continue
                }
                fieldEntry[key] = name
            }
            if let before = forced[column] {
                problem(
                    name, "column #\(column) is already mapped (to \(before.field.map { "\"\($0)\"" } ?? "nothing")) by an earlier entry")
                continue
            }
            forced[column] = (entry.field, "resolution")
            if !headers[column].trimmingSpaces.isEmpty { learned.append((headers[column], entry.field)) }
        }
        if autoMap, let remembered, !remembered.isEmpty {
            let known = Set(fields.map(\.key))
            for (c, header) in headers.enumerated() where forced[c] == nil {
                guard let decision = remembered.decision(for: header) else { continue }
                if let key = decision {
                    guard known.contains(key), fieldEntry[key] == nil else { continue }
                    fieldEntry[key] = "memory"
                }
                forced[c] = (decision, "memory")
            }
        }
        return forced
    }

    /// Edits need the mapping: a field key names the column to change.
    mutating func prepareEdits(fieldColumns: [String: Int], fields: [Field]) {
        guard let resolution else { return }
        for (i, e) in resolution.edits.enumerated() {
            guard fields.contains(where: { $0.key == e.fieldKey }) else {
                problem("edits[\(i)]", "the schema has no field \"\(e.fieldKey)\"")
                continue
            }
            guard let column = fieldColumns[e.fieldKey] else {
                problem(
                    "edits[\(i)]",
                    "the field \"\(e.fieldKey)\" has no column in the file, so no cell of it can be edited; map a column to it first")
                continue
            }
            edits[e.rowIndex, default: []].append((column, e.value))
            editEntries[e.rowIndex, default: []].append(i)
        }
        removed = Set(resolution.removeRows)
    }

    var changesRows: Bool { !edits.isEmpty || !removed.isEmpty }

    /// Starts the count of data rows again (the pass restarts in another encoding).
    mutating func restart() {
        dataRows = 0
        seen = []
    }

    /// The batch with the edits applied and the removed rows left out. Counts the data rows
    /// (rows after the header that are not blank) the way the writer numbers them.
    mutating func apply(_ batch: RowBatch, headerRecord: Int) -> RowBatch {
        var touched = false
        var first = dataRows
        for r in 0..<batch.count where batch.rowRecords[r] > headerRecord && !batch.isBlank(row: r) {
            if edits[first] != nil || removed.contains(first) { touched = true; seen.insert(first) }
            first += 1
        }
        guard touched else {
            dataRows = first
            return batch
        }
        var out = RowBatch()
        for r in 0..<batch.count {
            let isData = batch.rowRecords[r] > headerRecord && !batch.isBlank(row: r)
            let index = dataRows
            if isData { dataRows += 1 }
            if isData && removed.contains(index) { continue }
            let changes = isData ? edits[index] ?? [] : []
            let width = max(batch.cellCount(row: r), (changes.map(\.column).max() ?? -1) + 1)
            for c in 0..<width {
                if let change = changes.last(where: { $0.column == c }) {
                    out.bytes.append(contentsOf: change.value.utf8)
                } else {
                    batch.withCell(row: r, column: c) { out.bytes.append(contentsOf: $0) }
                }
                out.cellEnds.append(out.bytes.count)
            }
            out.rowCellEnds.append(out.cellEnds.count)
            out.rowLines.append(batch.rowLines[r])
            out.rowRecords.append(batch.rowRecords[r])
        }
        return out
    }

    /// Cells of one data row as the resolution leaves them.
    func edited(_ row: Int, _ cells: [String]) -> [String] {
        guard let changes = edits[row] else { return cells }
        var out = cells
        for change in changes {
            while out.count <= change.column { out.append("") }
            out[change.column] = change.value
        }
        return out
    }

    /// After the pass: edits and removals whose row the file does not have.
    mutating func checkRows() {
        guard let resolution else { return }
        for (row, entries) in editEntries.sorted(by: { $0.key < $1.key }) where !seen.contains(row) {
            for i in entries { problem("edits[\(i)]", "the file has no data row \(row): its rows are 0 to \(dataRows - 1)") }
        }
        for (i, row) in resolution.removeRows.enumerated() where !seen.contains(row) {
            problem("removeRows[\(i)]", "the file has no data row \(row): its rows are 0 to \(dataRows - 1)")
        }
    }

    /// The report's `resolution` section: the document as given and what was not applied.
    var reportJSON: JSONValue {
        guard let resolution else { return .null }
        return ["given": resolution.document, "problems": .array(problems.map(\.json))]
    }
}
