import Engine

/// A sidecar `*.import.json` (contract §2a), checked. Every problem is an `INVALID_SIDECAR`
/// failure whose message names the sidecar and the key.
public struct Sidecar: Sendable, Equatable {
    public enum Schema: Sendable, Equatable {
        /// `schema_id`: the saved schema `schemas/<id>.json`.
        case saved(String)
        /// `fields`: an inline schema.
        case inline(JSONValue)
    }

    public var schema: Schema
    public var settings: JSONValue?
    public var hooks: JSONValue?
    /// The data file's bare name in the inbox; with `initial_data`, only the name the import is recorded under.
    public var originalFilename: String?
    /// The payload (an array of objects) when the data comes in the sidecar itself.
    public var initialData: JSONValue?
    public var importMetadata: JSONValue

    /// The data file to wait for, or nil when the data is in the sidecar.
    public var dataFile: String? { initialData == nil ? originalFilename : nil }

    static let keys: Set<String> = [
        "schema_id", "fields", "settings", "hooks", "original_filename", "filename", "initial_data",
        "import_metadata",
    ]

    /// Parses the sidecar `name` from its bytes.
    public static func parse(_ bytes: [UInt8], name: String) -> Result<Sidecar, ImportFailure> {
        func invalid(_ why: String) -> Result<Sidecar, ImportFailure> {
            .failure(ImportFailure("INVALID_SIDECAR", "The sidecar \(name) \(why). Fix it and drop it again (with its data file)."))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            return invalid("is not valid JSON (\(error))")
        }
        guard let object = json.objectValue else { return invalid("must hold one JSON object, not \(json.typeName)") }
        if let unknown = object.keys.first(where: { !keys.contains($0) }) {
            return invalid("has the unknown key '\(unknown)' (known keys: \(keys.sorted().joined(separator: ", ")))")
        }
        let schema: Schema
        switch (object["schema_id"], object["fields"]) {
        case (nil, nil), (.null?, nil), (nil, .null?), (.null?, .null?):
            return invalid("names no schema: give \"schema_id\" (a file in schemas/) or \"fields\" (an inline schema)")
        case (let id?, nil), (let id?, .null?):
            guard let s = id.stringValue, InboxRules.isBareName(s) else {
                return invalid("has a bad schema_id (\(id.compactText)): it must be the plain name of a file in schemas/, without .json")
            }
            schema = .saved(s)
        case (nil, let f?), (.null?, let f?):
            guard f.arrayValue != nil else { return invalid("has \"fields\" that is \(f.typeName), not an array of fields") }
            schema = .inline(f)
        default:
            return invalid("gives both schema_id and fields: give one")
        }
        for key in ["settings", "hooks"] {
            if let v = object[key], !v.isNull, v.objectValue == nil {
                return invalid("has \"\(key)\" that is \(v.typeName), not an object")
            }
        }
        var filename: String?
        for key in ["original_filename", "filename"] {
            guard let v = object[key], !v.isNull else { continue }
            guard let s = v.stringValue else { return invalid("has \"\(key)\" that is \(v.typeName), not a file name") }
            guard InboxRules.isBareName(s), s != "..", !InboxRules.isIgnored(s) else {
                return invalid(
                    "names the file '\(s)': a data file is named by its bare name in inbox/ (no '/', no '..', no leading '.', not a temporary name)"
                )
            }
            guard !InboxRules.isSidecarName(s) else { return invalid("names '\(s)', which is a sidecar, as its data file") }
            if let other = filename, other != s { return invalid("gives two different file names, '\(other)' and '\(s)'") }
            filename = s
        }
        let initialData = object["initial_data"].flatMap { $0.isNull ? nil : $0 }
        if filename == nil && initialData == nil {
            return invalid("names no data: give \"original_filename\" (the data file beside it) or \"initial_data\"")
        }
        let metadata = object["import_metadata"] ?? .null
        guard metadata.isNull || metadata.objectValue != nil else {
            return invalid("has \"import_metadata\" that is \(metadata.typeName), not an object")
        }
        return .success(
            Sidecar(
                schema: schema, settings: object["settings"].flatMap { $0.isNull ? nil : $0 },
                hooks: object["hooks"].flatMap { $0.isNull ? nil : $0 }, originalFilename: filename,
                initialData: initialData, importMetadata: metadata))
    }

    /// The schema as JSON, with the sidecar's settings and hooks laid over the saved one's.
    /// `saved` reads `schemas/<id>.json`; its failure is the import's.
    public func schemaJSON(saved: (String) -> Result<JSONValue, ImportFailure>) -> Result<JSONValue, ImportFailure> {
        var base: JSONObject
        switch schema {
        case .saved(let id):
            switch saved(id) {
            case .failure(let f): return .failure(f)
            case .success(let json):
                guard let o = json.objectValue else {
                    return .failure(ImportFailure("INVALID_SCHEMA", "schemas/\(id).json is not a JSON object."))
                }
                base = o
            }
        case .inline(let fields):
            base = JSONObject([("name", .string("inline")), ("fields", fields)])
        }
        if let merged = SchemaLoader.merge(base["settings"], settings) { base["settings"] = merged }
        if let merged = SchemaLoader.merge(base["hooks"], hooks) { base["hooks"] = merged }
        return .success(.object(base))
    }
}

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
