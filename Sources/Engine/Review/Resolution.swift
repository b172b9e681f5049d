/// A person's decisions about an import that needed review (contract §6, `resolution.json`):
/// the sheet, the header row, column mappings, cell edits, rows to remove and the behaviour for
/// invalid rows. Every key is optional. Read strictly: an entry of the wrong shape is not
/// applied and becomes a problem the rewritten report names; the rest still applies.
public struct Resolution: Sendable {
    public struct Edit: Sendable, Equatable {
        public var rowIndex: Int
        public var fieldKey: String
        public var value: String
        public init(rowIndex: Int, fieldKey: String, value: String) {
            self.rowIndex = rowIndex
            self.fieldKey = fieldKey
            self.value = value
        }
    }

    /// One mapping entry: a header (or `#<column index>`) to a field key, or nil to leave the
    /// column out. In the file's order.
    public struct MappingEntry: Sendable, Equatable {
        public var column: String
        public var field: String?
        public init(column: String, field: String?) {
            self.column = column
            self.field = field
        }
    }

    public var sheet: String?
    /// The encoding of a delimited file (reason ENCODING).
    public var encoding: TextEncoding?
    public var headerRow: Int?
    public var mapping: [MappingEntry] = []
    public var edits: [Edit] = []
    public var removeRows: [Int] = []
    public var invalidDataBehavior: InvalidDataBehavior?
    /// Where another table seemed to start (TABLE_END): true reads the whole file as one table,
    /// false keeps the cut.
    public var readToEnd: Bool?
    /// Entries that could not be read (and so are not applied).
    public var problems: [ResolutionProblem] = []
    /// The document as given (null when it is not JSON), for the report and the page.
    public var document: JSONValue = .null

    public init() {}

    public static let keys = ["sheet", "encoding", "headerRow", "mapping", "edits", "removeRows", "invalidDataBehavior", "readToEnd"]

    /// Reads `resolution.json`. Never fails: what cannot be read is a problem.
    public static func parse(_ bytes: [UInt8]) -> Resolution {
        var r = Resolution()
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            r.problems.append(
                ResolutionProblem(
                    entry: "resolution.json",
                    message: "not valid JSON (\(error)); nothing in it was applied"))
            return r
        }
        r.document = json
        guard let o = json.objectValue else {
            r.problems.append(
                ResolutionProblem(entry: "resolution.json", message: "not a JSON object but \(json.typeName); nothing in it was applied"))
            return r
        }
        for (key, value) in o {
            switch key {
            case "sheet":
                if value.isNull { continue }
                if let s = value.stringValue {
                    r.sheet = s
                } else {
                    r.problem(key, "must be a sheet name (a string), not \(value.typeName)")
                }
            case "readToEnd":
                if value.isNull { continue }
                if let b = value.boolValue {
                    r.readToEnd = b
                } else {
                    r.problem(key, "must be true (the whole file is one table) or false (keep the cut), not \(describe(value))")
                }
            case "encoding":
                if value.isNull { continue }
                if let e = value.stringValue.flatMap(TextEncoding.named) {
                    r.encoding = e
                } else {
                    r.problem(key, "must name an encoding Intake reads (such as \"windows-1250\" or \"shift_jis\"), not \(describe(value))")
                }
            case "headerRow":
                if value.isNull { continue }
                if let n = value.intValue, n >= 0 {
                    r.headerRow = n
                } else {
                    r.problem(key, "must be a row number from 0 (0-based), not \(describe(value))")
                }
            case "mapping":
                guard let m = value.objectValue else {
                    if !value.isNull {
                        r.problem(key, "must be an object from header (or \"#<column index>\") to field key or null, not \(value.typeName)")
                    }
                    continue
                }
                for (column, target) in m {
                    if target.isNull {
                        r.mapping.append(MappingEntry(column: column, field: nil))
                    } else if let f = target.stringValue {
                        r.mapping.append(MappingEntry(column: column, field: f))
                    } else {
                        r.problem("mapping[\(quoted(column))]", "must be a field key (a string) or null, not \(target.typeName)")
                    }
                }
            case "edits":
                guard let list = value.arrayValue else {
                    if !value.isNull {
                        r.problem(key, "must be an array of {\"rowIndex\", \"fieldKey\", \"value\"}, not \(value.typeName)")
                    }
                    continue
                }
                for (i, e) in list.enumerated() {
                    guard let row = e["rowIndex"]?.intValue, row >= 0, let field = e["fieldKey"]?.stringValue, let v = e["value"] else {
                        r.problem(
                            "edits[\(i)]", "must be {\"rowIndex\": <row from 0>, \"fieldKey\": \"<field key>\", \"value\": \"<text>\"}")
                        continue
                    }
                    let text: String
                    switch v {
                    case .string(let s): text = s
                    case .number(let n): text = n
                    case .bool(let b): text = b ? "true" : "false"
                    case .null: text = ""
                    default:
                        r.problem("edits[\(i)].value", "must be text, a number, a boolean or null, not \(v.typeName)")
                        continue
                    }
                    r.edits.append(Edit(rowIndex: row, fieldKey: field, value: text))
                }
            case "removeRows":
                guard let list = value.arrayValue else {
                    if !value.isNull { r.problem(key, "must be an array of row indexes (rowIndex, from 0), not \(value.typeName)") }
                    continue
                }
                for (i, e) in list.enumerated() {
                    if let n = e.intValue, n >= 0 {
                        r.removeRows.append(n)
                    } else {
                        r.problem("removeRows[\(i)]", "must be a row index from 0, not \(describe(e))")
                    }
                }
            case "invalidDataBehavior":
                if value.isNull { continue }
                if let b = value.stringValue.flatMap(InvalidDataBehavior.init(rawValue:)) {
                    r.invalidDataBehavior = b
                } else {
                    r.problem(key, "must be one of BLOCK_SUBMIT, REMOVE_INVALID_ROWS, INCLUDE_INVALID_ROWS, not \(describe(value))")
                }
            default:
                r.problem(key, "is not a resolution key (they are: \(keys.joined(separator: ", ")))")
            }
        }
        return r
    }

    /// Nothing can be applied: the file was not a JSON object.
    public var isUnreadable: Bool { document.objectValue == nil }

    mutating func problem(_ entry: String, _ message: String) {
        problems.append(ResolutionProblem(entry: entry, message: message))
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): "\"\(s)\""
        case .number(let n): n
        default: v.typeName
        }
    }

    static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// A resolution entry that was not applied, and why.
public struct ResolutionProblem: Sendable, Equatable {
    /// Where in resolution.json: `sheet`, `mapping["E-mail"]`, `edits[2]`, `removeRows[0]`, …
    public var entry: String
    public var message: String
    public init(entry: String, message: String) {
        self.entry = entry
        self.message = message
    }

    public var json: JSONValue { ["entry": .string(entry), "message": .string(message)] }
}

/// Mappings remembered for an `importIdentifier` (settings.autoMapHeaders): header → field key,
/// or nil for a column a person left out. A header matches its own text first, else as the mapper
/// normalizes headers (case, spacing and punctuation ignored).
public struct RememberedMapping: Sendable {
    public var entries: [(header: String, field: String?)]
    public init(_ entries: [(header: String, field: String?)] = []) { self.entries = entries }

    public var isEmpty: Bool { entries.isEmpty }

    /// The remembered decision for a header, if any (the latest one wins).
    /// The same header text first (surrounding spaces aside), else the same letters and digits.
    func decision(for header: String) -> String?? {
        let t = header.trimmingSpaces
        if let exact = entries.last(where: { $0.header.trimmingSpaces == t }) { return .some(exact.field) }
        let h = Similarity.normalize(header)
        guard !h.isEmpty else { return nil }
        return entries.last { Similarity.normalize($0.header) == h }.map { $0.field }
    }
}
