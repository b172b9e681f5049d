import Engine

/// `initial_data` as a CSV file the Engine reads like any other, every field quoted (RFC 4180).
/// Dromo's two forms ("All of the supplied data must be in one form or the other"):
/// - an array of objects: header = the union of the objects' keys in first-seen order, then one
///   record per object;
/// - an array of arrays, "with the fields matching the order specified by fields": header = the
///   schema's field keys (`fieldKeys`), then one record per array, short arrays padded with empty
///   cells. An array longer than the fields is INVALID_JSON. With no field keys (the schema did not
///   load, and that failure is the import's), the header is `#1`, `#2`, ….
public enum InitialData {
    public static func csv(_ payload: JSONValue, fieldKeys: [String]? = nil) -> Result<[UInt8], ImportFailure> {
        guard let rows = payload.arrayValue else {
            return .failure(
                ImportFailure(
                    "INVALID_JSON",
                    "initial_data is \(payload.typeName), not an array of objects or of arrays. Send the rows as [{\"key\": value}, …] or [[value, …], …]."
                )
            )
        }
        guard !rows.isEmpty else {
            return .failure(ImportFailure("EMPTY_DATA", "initial_data is an empty array: there are no rows to import."))
        }
        if rows[0].arrayValue != nil { return arrays(rows, fieldKeys: fieldKeys) }
        var keys: [String] = []
        var seen: Set<String> = []
        for (i, row) in rows.enumerated() {
            guard let o = row.objectValue else {
                return .failure(
                    ImportFailure(
                        "INVALID_JSON", "initial_data[\(i)] is \(row.typeName), not an object. Every row must be an object of key: value."))
            }
            for key in o.keys where seen.insert(key).inserted { keys.append(key) }
        }
        guard !keys.isEmpty else {
            return .failure(ImportFailure("EMPTY_DATA", "initial_data holds only empty objects: there are no values to import."))
        }
        var out: [UInt8] = []
        CSVWriter.appendRecord(keys, escapeFormulas: false, to: &out)
        for row in rows {
            let o = row.objectValue!
            CSVWriter.appendRecord(keys.map { cell(o[$0]) }, escapeFormulas: false, to: &out)
        }
        return .success(out)
    }

    /// The array-of-arrays form: values in the order of the schema's fields.
    static func arrays(_ rows: [JSONValue], fieldKeys: [String]?) -> Result<[UInt8], ImportFailure> {
        var widest = 0
        for (i, row) in rows.enumerated() {
            guard let values = row.arrayValue else {
                return .failure(
                    ImportFailure(
                        "INVALID_JSON",
                        "initial_data[\(i)] is \(row.typeName), but initial_data[0] is an array: the rows must all be arrays or all objects, not mixed."
                    ))
            }
            if let fieldKeys, values.count > fieldKeys.count {
                return .failure(
                    ImportFailure(
                        "INVALID_JSON",
                        "initial_data[\(i)] has \(values.count) values but the schema has \(fieldKeys.count) fields: an array row holds the fields' values in their order."
                    ))
            }
            widest = max(widest, values.count)
        }
        let keys = fieldKeys ?? (0..<widest).map { "#\($0 + 1)" }
        guard widest > 0, !keys.isEmpty else {
            return .failure(ImportFailure("EMPTY_DATA", "initial_data holds only empty arrays: there are no values to import."))
        }
        var out: [UInt8] = []
        CSVWriter.appendRecord(keys, escapeFormulas: false, to: &out)
        for row in rows {
            let values = row.arrayValue!
            CSVWriter.appendRecord(keys.indices.map { $0 < values.count ? cell(values[$0]) : "" }, escapeFormulas: false, to: &out)
        }
        return .success(out)
    }

    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let s)?: s
        case .number(let n)?: n
        case .bool(let b)?: b ? "true" : "false"
        case let v?: v.compactText
        }
    }
}
