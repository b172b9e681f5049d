/// A JSON data file (or an `initial_data` payload) read as rows, so it goes through the same
/// mapping and validation as a CSV: an array of objects; the header is the union of the keys
/// in first-seen order; nested objects are flattened with dotted keys (`address.city`), arrays
/// become their compact JSON text; strings stay as they are, numbers as written, booleans
/// `true`/`false`, null an empty cell. Row `k` (1-based position in the array) is record `k`
/// and source row `k`; the header is record 0. The document is read whole, up to `maxBytes`.
struct JSONRows: Sendable {
    static let maxBytes = 256 << 20

    /// The flattened keys, in first-seen order.
    let keys: [String]
    private let columns: [String: Int]

    /// The first bytes look like JSON data: `[` then `{` or `]`, or a `{`.
    static func looksLikeJSON(_ head: [UInt8]) -> Bool {
        var i = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func skip() { while i < head.count, head[i] == 0x20 || head[i] == 0x0A || head[i] == 0x0D || head[i] == 0x09 { i += 1 } }
        skip()
        guard i < head.count else { return false }
        if head[i] == UInt8(ascii: "{") { return true }
        guard head[i] == UInt8(ascii: "[") else { return false }
        i += 1
        skip()
        return i < head.count && (head[i] == UInt8(ascii: "{") || head[i] == UInt8(ascii: "]"))
    }

    static func load(_ source: any ByteSource) throws -> [UInt8] {
        if let size = source.size, size > maxBytes { throw tooLarge(size) }
        let bytes = try source.prefix(maxBytes + 1)
        if bytes.count > maxBytes { throw tooLarge(bytes.count) }
        return bytes
    }

    private static func tooLarge(_ size: Int) -> ImportFailure {
        ImportFailure(
            "UNREADABLE_FILE",
            "This JSON data file is larger than \(maxBytes >> 20) MiB, the most Intake reads as JSON (a JSON document is read whole). Send the rows as CSV, or split them into smaller files."
        )
    }

    /// Reads the document's keys and its first `sampleRows` rows (header row first).
    static func read(_ bytes: [UInt8], sampleRows: Int) throws -> (rows: JSONRows, sample: RowBatch, count: Int) {
        var keys: [String] = []
        var columns: [String: Int] = [:]
        var flat: [(String, JSONValue)] = []
        var objects: [JSONObject] = []
        var count = 0
        try elements(bytes) { object, _ in
            count += 1
            flat.removeAll(keepingCapacity: true)
            flatten(object, prefix: "", into: &flat)
            for (key, _) in flat where columns[key] == nil {
                columns[key] = keys.count
                keys.append(key)
            }
            if objects.count < sampleRows { objects.append(object) }
        }
        if count == 0 {
            throw ImportFailure(
                "EMPTY_DATA",
                "The JSON array is empty ([]): there are no rows to import. Check the export that made it and drop the file again.")
        }
        if keys.isEmpty {
            throw ImportFailure(
                "EMPTY_DATA", "The JSON array holds \(count) object(s), all of them empty ({}): there are no values to import.")
        }
        let rows = JSONRows(keys: keys, columns: columns)
        var sample = RowBatch()
        rows.appendHeader(to: &sample)
        var cells = [[UInt8]?](repeating: nil, count: keys.count)
        for (i, object) in objects.enumerated() { rows.append(object, position: i + 1, cells: &cells, to: &sample) }
        return (rows, sample, count)
    }

    /// Every row, header first, in batches.
    func forEachBatch(_ bytes: [UInt8], batchRows: Int = 4096, _ body: (RowBatch) throws -> Void) throws {
        var batch = RowBatch()
        appendHeader(to: &batch)
        var cells = [[UInt8]?](repeating: nil, count: keys.count)
        try JSONRows.elements(bytes) { object, position in
            append(object, position: position, cells: &cells, to: &batch)
            if batch.count >= batchRows {
                try body(batch)
                batch = RowBatch()
            }
        }
        if batch.count > 0 { try body(batch) }
    }

    /// Each element of the top-level array, which must be an object, with its 1-based position.
    static func elements(_ bytes: [UInt8], _ body: (JSONObject, Int) throws -> Void) throws {
        var position = 0
        do {
            try JSONParser.forEachElement(
                bytes,
                notArray: { value, line, column in
                    ImportFailure(
                        "INVALID_JSON",
                        "The JSON document is \(value.typeName) (line \(line), column \(column)), not an array of objects. Send the rows as [{\"column\": value, …}, …]."
                    )
                }
            ) { value, line, column in
                position += 1
                guard case .object(let object) = value else {
                    throw ImportFailure(
                        "INVALID_JSON",
                        "Item \(position) of the JSON array (line \(line), column \(column)) is \(value.typeName), not an object. Every item must be an object of column: value."
                    )
                }
                try body(object, position)
            }
        } catch let e as JSONParser.SyntaxError {
            throw ImportFailure(
                "INVALID_JSON",
                "The file is not valid JSON: line \(e.line), column \(e.column): \(e.reason). Fix the document and drop it again.")
        }
    }

    static func flatten(_ object: JSONObject, prefix: String, into out: inout [(String, JSONValue)]) {
        for (key, value) in object {
            let name = prefix.isEmpty ? key : prefix + "." + key
            if case .object(let inner) = value, inner.count > 0 {
                flatten(inner, prefix: name, into: &out)
            } else {
                out.append((name, value))
            }
        }
    }

    static func appendCell(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: break
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): out.append(contentsOf: s.utf8)
        case .array, .object: JSONWriter.appendCompact(value, to: &out)
        }
    }

    private func appendHeader(to batch: inout RowBatch) {
        for key in keys {
            batch.bytes.append(contentsOf: key.utf8)
            batch.cellEnds.append(batch.bytes.count)
        }
        batch.rowCellEnds.append(batch.cellEnds.count)
        batch.rowLines.append(0)
        batch.rowRecords.append(0)
    }

    private func append(_ object: JSONObject, position: Int, cells: inout [[UInt8]?], to batch: inout RowBatch) {
        var flat: [(String, JSONValue)] = []
        JSONRows.flatten(object, prefix: "", into: &flat)
        var last = -1
        for (key, value) in flat {
            guard let c = columns[key] else { continue }
            var text: [UInt8] = []
            JSONRows.appendCell(value, to: &text)
            cells[c] = text
            last = max(last, c)
        }
        for c in 0...max(last, 0) {
            if let text = cells[c] { batch.bytes.append(contentsOf: text) }
            batch.cellEnds.append(batch.bytes.count)
            cells[c] = nil
        }
        batch.rowCellEnds.append(batch.cellEnds.count)
        batch.rowLines.append(position)
        batch.rowRecords.append(position)
    }
}

extension MemorySource {
    /// An `initial_data` payload (a sidecar's array of objects) as a source that imports
    /// through the same path as a JSON data file.
    public init(initialData payload: JSONValue) {
        self.init(JSONWriter.document(payload))
    }
}
