import Engine

/// `initial_data` as a CSV file the Engine reads like any other: header = the union of the
/// objects' keys in first-seen order, then one record per object, every field quoted (RFC 4180).
public enum InitialData {
    public static func csv(_ payload: JSONValue) -> Result<[UInt8], ImportFailure> {
        guard let rows = payload.arrayValue else {
            return .failure(
                ImportFailure(
                    "INVALID_JSON", "initial_data is \(payload.typeName), not an array of objects. Send the rows as [{\"key\": value}, …].")
            )
        }
        guard !rows.isEmpty else {
            return .failure(ImportFailure("EMPTY_DATA", "initial_data is an empty array: there are no rows to import."))
        }
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
