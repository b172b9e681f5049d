/// One thing wrong with a schema, at a JSON path: `fields[3].validators[0].regex: not a valid
/// regular expression (unbalanced parenthesis)`.
public struct SchemaProblem: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// The outcome of reading a schema: the schema, or every problem found.
public struct SchemaReport: Sendable {
    public var schema: Schema?
    public var problems: [SchemaProblem]
    /// Dromo keys accepted and not acted on, with the reason.
    public var ignoredKeys: [IgnoredKey]
    /// Their JSON paths.
    public var ignored: [String] { ignoredKeys.map(\.path) }

    /// One sentence for `import_errors`: the first problems, and how many more.
    public var message: String {
        let shown = problems.prefix(5).map(\.description).joined(separator: "; ")
        let more = problems.count > 5 ? " (and \(problems.count - 5) more)" : ""
        return "The schema is not valid: \(shown)\(more). Fix the schema and drop the file again."
    }
}

/// Reads a Dromo saved schema (`{"name", "fields", "settings", "hooks"}`) from JSON. Nothing
/// unknown is silently ignored: a key outside Dromo's and Intake's vocabulary is a problem (most
/// often a typo), and Dromo's UI-only keys are accepted and listed.
public enum SchemaLoader {
    public static func load(_ json: JSONValue) -> SchemaReport {
        var ctx = Context()
        let schema = ctx.schema(json)
        return SchemaReport(schema: ctx.problems.isEmpty ? schema : nil, problems: ctx.problems, ignoredKeys: ctx.ignored)
    }

    public static func load(bytes: [UInt8]) -> SchemaReport {
        do {
            return load(try JSONParser.parse(bytes))
        } catch {
            return SchemaReport(schema: nil, problems: [SchemaProblem(path: "", message: "not valid JSON (\(error))")], ignoredKeys: [])
        }
    }

    /// Lays `overrides` (a sidecar's `settings` or `hooks`) over `base`: keys given replace keys there.
    public static func merge(_ base: JSONValue?, _ overrides: JSONValue?) -> JSONValue? {
        guard let overrides, case .object(let over) = overrides else { return base ?? overrides }
        guard case .object(var merged)? = base else { return overrides }
        for (key, value) in over { merged[key] = value }
        return .object(merged)
    }
}

/// The vocabulary: which keys exist where (contract §8).
enum Vocabulary {
    static let topLevel: Set<String> = ["name", "fields", "settings", "hooks"]
    /// Top-level keys of a saved schema as Dromo's API returns it.
    static let topLevelIgnored: Set<String> = ["id", "created_date", "modified_date", "organization", "user", "version", "description"]
    static let field: Set<String> = [
        "label", "key", "type", "description", "alternateMatches", "validators", "selectOptions",
        "requireMapping", "manyToOne", "readOnly", "hidden", "invalidValueMessage",
    ]
    static let settings: Set<String> = [
        "importIdentifier", "invalidDataBehavior", "maxRecords", "maxFileSize", "delimiter", "encoding", "allowCustomFields",
        "passThroughUnmappedColumns", "autoMapHeaders", "webhookUrl", "managedWebhookUrl", "needsReviewWebhookUrl", "uploadStep",
        "matchingStep", "outputFormats", "csvFormulaEscape", "hookTimeoutSeconds", "allowInvalidSubmit", "developmentMode",
    ]
    /// Settings that only matter to Dromo's browser UI, its SDK or its cloud.
    static let settingsIgnored: Set<String> = [
        "title", "allowEmptySubmit", "manualInputDisabled", "manualInputOnly", "backendSyncMode", "backendSync",
        "initialData", "initialFile", "templateDownloadFilename", "browserExcelParsing", "locale",
        "styleOverrides", "matchValuesStep", "reviewStep", "savePartialSession", "sessionId", "textOverrides",
        "xmlParsingOptions", "backendOverride", "version", "alternateDomain", "displayEncoding",
    ]
    static let uploadStep: Set<String> = ["sheetOverride"]
    static let uploadStepIgnored: Set<String> = ["helpText", "templateDownloadOverrideURL"]
    static let matchingStep: Set<String> = ["headerRowOverride", "fuzzyMatchHeaders"]
    static let matchingStepIgnored: Set<String> = ["helpText", "matchToSchema", "suggestCustomFirst"]
    static let hooks: Set<String> = ["rowHooks", "bulkRowHooks", "columnHooks", "beforeFinish"]
    /// Dromo's JavaScript-only hooks: they have no program form here.
    static let hooksIgnored: Set<String> = ["stepHooks", "rowDeleteHooks", "beforeFinishCallback"]
    /// Why a Dromo key that can change what an import does in Dromo is not acted on here; these are
    /// warned about by `schema check` and listed in `metadata.json` with `changesImport: true`.
    static let changesImport: [String: String] = [
        "hooks.stepHooks":
            "Dromo runs step hooks (JavaScript) in its browser at the upload and review steps, where they may change the data; Intake has no such steps and does not run them",
        "hooks.rowDeleteHooks":
            "Dromo runs row delete hooks (JavaScript) when a user deletes a row in its browser, where they may change other rows; Intake does not run them (rows removed by resolution.json removeRows run no hook)",
        "hooks.beforeFinishCallback":
            "a JavaScript beforeFinish callback may cancel the import in Dromo; Intake cannot run JavaScript and finishes the import without it: give hooks.beforeFinish a program instead (contract §9)",
        "settings.allowEmptySubmit":
            "Dromo's browser refuses to submit an import of 0 rows when it is false; Intake still finishes such an import (SUCCESSFUL with no rows)",
        "settings.initialData": "Dromo imports this data instead of a file; Intake imports the file that was dropped",
        "settings.initialFile": "Dromo imports this file object instead of asking for one; Intake imports the file that was dropped",
    ]
    static let browserOnly = "only shapes Dromo's browser UI or its cloud"
    static let validators: Set<String> = [
        "required", "unique", "unique_case_insensitive", "regex_match", "regex_exclude", "length",
        "unique_with", "require_with", "require_without", "require_with_all", "require_without_all",
        "require_with_values", "require_without_values", "require_with_all_values", "require_without_all_values",
        "alphabetical",
    ]
    static let typeOptions: [FieldKind: Set<String>] = [
        .string: [], .email: [], .checkbox: [], .usStateTerritory: [],
        .select: ["allowCustom", "exactMatchOnly"],
        .multiSelect: ["delimiter", "allowCustom", "exactMatchOnly", "trimValues"],
        .number: ["preset", "min", "max", "round", "outputFormat", "decimalMark"],
        .date: ["outputFormat", "locale", "autofix"],
        .datetime: ["outputFormat", "locale", "withSeconds"],
        .time: ["outputFormat", "locale", "withSeconds"],
        .phoneNumber: ["country", "format", "outputFormatted"],
        .url: ["acceptedProtocols", "acceptedDomains"],
        .domain: ["allowSubdomains"],
        .country: ["format"],
        .usZipCode: ["format", "outputDash"],
        .ssn: ["outputDash"],
        .uuid: ["version"],
    ]
    /// Type options that only shape Dromo's browser display.
    static let typeOptionsIgnored: Set<String> = ["displayFormat"]
    static let numberPresets: Set<String> = [
        "default", "integer", "plain", "percent", "percent_0", "percent_1", "percent_2", "percent_3", "percent_4",
        "usd", "usd_accounting", "eur", "gbp", "decimal_0", "decimal_1", "decimal_2", "decimal_3", "decimal_4",
    ]
}

private struct Context {
    var problems: [SchemaProblem] = []
    var ignored: [IgnoredKey] = []
    /// Field keys named by validators, with their JSON paths, checked once every field is known.
    var references: [(key: String, path: String)] = []

    mutating func problem(_ path: String, _ message: String) {
        problems.append(SchemaProblem(path: path, message: message))
    }

    /// Checks the keys of an object against the known and ignored sets.
    mutating func checkKeys(_ object: JSONObject, at path: String, known: Set<String>, ignoring: Set<String> = []) {
        for key in object.keys where !known.contains(key) {
            let p = path.isEmpty ? key : "\(path).\(key)"
            if ignoring.contains(key) {
                // allowEmptySubmit changes nothing at its default (true).
                let acts = Vocabulary.changesImport[p] != nil && !(key == "allowEmptySubmit" && object[key] == .bool(true))
                ignored.append(
                    IgnoredKey(path: p, reason: acts ? Vocabulary.changesImport[p]! : Vocabulary.browserOnly, changesImport: acts))
            } else {
                let hint = Self.closest(key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
                problem(p, "unknown key\(hint)")
            }
        }
    }

    static func closest(_ key: String, in candidates: Set<String>) -> String? {
        Similarity.closest(key, in: candidates)
    }

    mutating func string(_ object: JSONObject, _ key: String, at path: String, required: Bool = false) -> String? {
        guard let value = object[key] else {
            if required { problem(path.isEmpty ? key : "\(path).\(key)", "is required") }
            return nil
        }
        guard case .string(let s) = value else {
            problem(path.isEmpty ? key : "\(path).\(key)", "must be a string, not \(value.typeName)")
            return nil
        }
        return s
    }

    mutating func bool(_ object: JSONObject, _ key: String, at path: String) -> Bool? {
        guard let value = object[key] else { return nil }
        guard case .bool(let b) = value else {
            problem("\(path).\(key)", "must be true or false, not \(value.typeName)")
            return nil
        }
        return b
    }

    mutating func number(_ object: JSONObject, _ key: String, at path: String) -> Double? {
        guard let value = object[key] else { return nil }
        guard let d = value.doubleValue else {
            problem("\(path).\(key)", "must be a number, not \(value.typeName)")
            return nil
        }
        return d
    }

    mutating func integer(_ object: JSONObject, _ key: String, at path: String, minimum: Int = 0) -> Int? {
        guard let value = object[key] else { return nil }
        guard let i = value.intValue, i >= minimum else {
            problem("\(path).\(key)", "must be a whole number of at least \(minimum)")
            return nil
        }
        return i
    }

    mutating func strings(_ object: JSONObject, _ key: String, at path: String) -> [String] {
        guard let value = object[key] else { return [] }
        guard case .array(let items) = value else {
            problem("\(path).\(key)", "must be an array of strings, not \(value.typeName)")
            return []
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item {
                out.append(s)
            } else {
                problem("\(path).\(key)[\(i)]", "must be a string, not \(item.typeName)")
            }
        }
        return out
    }

    mutating func schema(_ json: JSONValue) -> Schema? {
        guard case .object(let top) = json else {
            problem("", "a schema must be a JSON object with \"fields\", not \(json.typeName)")
            return nil
        }
        checkKeys(top, at: "", known: Vocabulary.topLevel, ignoring: Vocabulary.topLevelIgnored)
        let name = string(top, "name", at: "")
        var fields: [Field] = []
        switch top["fields"] {
        case nil: problem("fields", "is required (a list of field objects)")
        case .array(let items)?:
            if items.isEmpty { problem("fields", "must hold at least one field") }
            for (i, item) in items.enumerated() {
                if let f = field(item, at: "fields[\(i)]") { fields.append(f) }
            }
        case let other?: problem("fields", "must be an array of field objects, not \(other.typeName)")
        }
        var seen: [String: Int] = [:]
        for (i, f) in fields.enumerated() {
            if let first = seen[f.key] { problem("fields[\(i)].key", "'\(f.key)' is used by fields[\(first)] too; keys must be unique") }
            seen[f.key] = seen[f.key] ?? i
        }
        let keys = Set(fields.map(\.key))
        for r in references where !keys.contains(r.key) {
            let hint = Context.closest(r.key, in: keys).map { " (did you mean '\($0)'?)" } ?? ""
            problem(r.path, "no field has the key '\(r.key)'\(hint)")
        }
        let settings = self.settings(top["settings"], fieldCount: fields.count)
        let hooks = self.hooks(top["hooks"], fields: fields)
        return Schema(name: name, fields: fields, settings: settings, hooks: hooks, ignoredKeys: ignored)
    }

    mutating func field(_ json: JSONValue, at path: String) -> Field? {
        guard case .object(let o) = json else {
            problem(path, "a field must be an object, not \(json.typeName)")
            return nil
        }
        checkKeys(o, at: path, known: Vocabulary.field)
        guard let key = string(o, "key", at: path, required: true) else { return nil }
        if key.isEmpty { problem("\(path).key", "must not be empty") }
        if key == "$unmapped" { problem("\(path).key", "'$unmapped' is reserved for unmapped columns") }
        let label = string(o, "label", at: path)
        var field = Field(key: key, label: label)
        field.description = string(o, "description", at: path)
        field.alternateMatches = strings(o, "alternateMatches", at: path)
        field.requireMapping = bool(o, "requireMapping", at: path) ?? false
        field.manyToOne = bool(o, "manyToOne", at: path) ?? false
        field.readOnly = bool(o, "readOnly", at: path) ?? false
        field.hidden = bool(o, "hidden", at: path) ?? false
        field.invalidValueMessage = string(o, "invalidValueMessage", at: path)
        if let t = o["type"] {
            field.type = type(t, at: "\(path).type") ?? field.type
        }
        // Dromo's own examples give select fields by their options alone.
        else if o["selectOptions"] != nil {
            field.type = FieldType(.select)
        }
        field.selectOptions = selectOptions(o["selectOptions"], at: "\(path).selectOptions")
        // `selectOptions: []` (as Dromo's docs write a multi-select) is a deliberate list of no
        // options: every value is then kept as written, as with allowCustom (contract §14).
        if (field.type.kind == .select || field.type.kind == .multiSelect) && field.selectOptions.isEmpty {
            if o["selectOptions"]?.arrayValue != nil {
                field.type.allowCustom = true
            } else {
                problem("\(path).selectOptions", "a \(field.type.kind.rawValue) field needs at least one option")
            }
        } else if field.type.kind != .select && field.type.kind != .multiSelect && o["selectOptions"] != nil {
            problem("\(path).selectOptions", "only select and multi-select fields take selectOptions")
        }
        if case .array(let items)? = o["validators"] {
            for (i, v) in items.enumerated() {
                if let validator = validator(v, at: "\(path).validators[\(i)]") { field.validators.append(validator) }
            }
        } else if let v = o["validators"] {
            problem("\(path).validators", "must be an array of validator objects, not \(v.typeName)")
        }
        return field
    }

    mutating func type(_ json: JSONValue, at path: String) -> FieldType? {
        let name: String
        var options = JSONObject()
        switch json {
        case .string(let s): name = s
        case .array(let items):
            guard items.count == 2, case .string(let s) = items[0] else {
                problem(path, "must be a type name or [name, options]")
                return nil
            }
            name = s
            switch items[1] {
            case .object(let o): options = o
            case .string(let preset) where s == "number": options["preset"] = .string(preset)
            default:
                problem("\(path)[1]", "type options must be an object, not \(items[1].typeName)")
                return nil
            }
        default:
            problem(path, "must be a type name or [name, options], not \(json.typeName)")
            return nil
        }
        guard let kind = FieldKind(rawValue: name) else {
            let hint = Context.closest(name, in: Set(FieldKind.allCases.map(\.rawValue))).map { " (did you mean '\($0)'?)" } ?? ""
            problem(path, "'\(name)' is not a field type\(hint)")
            return nil
        }
        var type = FieldType(kind, options: options)
        let optionsPath = json.arrayValue != nil ? "\(path)[1]" : path
        checkKeys(
            options, at: optionsPath, known: Vocabulary.typeOptions[kind] ?? [],
            ignoring: [.number, .date, .datetime, .time].contains(kind) ? Vocabulary.typeOptionsIgnored : [])
        if case .string(let preset)? = options["preset"] {
            if !Vocabulary.numberPresets.contains(preset) { problem("\(optionsPath).preset", "'\(preset)' is not a number preset") }
            type.preset = preset
        }
        type.min = number(options, "min", at: optionsPath)
        type.max = number(options, "max", at: optionsPath)
        type.round = integer(options, "round", at: optionsPath, minimum: -15)
        type.locale = string(options, "locale", at: optionsPath)
        if let mark = string(options, "decimalMark", at: optionsPath) {
            if let m = DecimalMark(text: mark) {
                type.decimalMark = m
            } else {
                problem("\(optionsPath).decimalMark", "must be \".\" (1,234.50) or \",\" (1.234,50), not \"\(mark)\"")
            }
        }
        if kind == .number, let v = options["outputFormat"] {
            if case .object(let o) = v {
                let (format, problems) = NumberFormat.parse(o)
                for (key, message) in problems { problem("\(optionsPath).outputFormat.\(key)", message) }
                type.numberFormat = format
            } else {
                problem(
                    "\(optionsPath).outputFormat",
                    "a number's outputFormat must be a Numbro format object like {\"mantissa\": 2}, not \(v.typeName)")
            }
        } else if let format = string(options, "outputFormat", at: optionsPath) {
            type.outputFormat = format
            do { _ = try DateFormatPattern(format) } catch { problem("\(optionsPath).outputFormat", error.message) }
        }
        type.withSeconds = bool(options, "withSeconds", at: optionsPath) ?? false
        type.allowCustom = bool(options, "allowCustom", at: optionsPath) ?? false
        type.exactMatchOnly = bool(options, "exactMatchOnly", at: optionsPath) ?? false
        _ = bool(options, "autofix", at: optionsPath)
        if let min = type.min, let max = type.max, min > max { problem(optionsPath, "min is greater than max") }
        typeOptions(&type, options, at: optionsPath)
        return type
    }

    /// The options of the types that write normalized strings; `TextRule` reads them from
    /// `type.options` once they are known to be right.
    mutating func typeOptions(_ type: inout FieldType, _ options: JSONObject, at path: String) {
        func oneOf(_ key: String, _ allowed: [String]) {
            if let v = string(options, key, at: path), !allowed.contains(v) {
                problem("\(path).\(key)", "must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
        }
        switch type.kind {
        case .multiSelect:
            if let d = string(options, "delimiter", at: path) {
                if d.isEmpty || d.contains(where: { $0 == "\n" || $0 == "\r" }) {
                    problem("\(path).delimiter", "must be one or more characters on one line, such as \",\" \";\" or \"|\"")
                } else {
                    type.delimiter = d
                }
            }
            type.trimValues = bool(options, "trimValues", at: path) ?? true
        case .phoneNumber:
            if let c = string(options, "country", at: path), CountryValue.byAlpha2(c) == nil || c.count != 2 {
                problem("\(path).country", "'\(c)' is not an ISO 3166 2-letter country code (US, GB, FR, …)")
            }
            oneOf("format", ["international", "national", "both"])
            _ = bool(options, "outputFormatted", at: path)
        case .url:
            _ = strings(options, "acceptedProtocols", at: path)
            for (i, d) in strings(options, "acceptedDomains", at: path).enumerated() {
                var bytes = Array(d.utf8)
                var out: [UInt8] = []
                // A name without a dot (`google`) stands for that site under any public suffix.
                let siteName =
                    !d.isEmpty && d.utf8.count <= 63 && d.first != "-" && d.last != "-"
                    && d.utf8.allSatisfy { ByteCursor.isLetter($0) || ByteCursor.isDigit($0) || $0 == 0x2D || $0 >= 0x80 }
                if !siteName && bytes.withUnsafeMutableBytes({ DomainValue.normalize(UnsafeRawBufferPointer($0), into: &out) }) == nil {
                    problem("\(path).acceptedDomains[\(i)]", "'\(d)' is not a domain like example.com or a site name like example")
                }
            }
        case .domain: _ = bool(options, "allowSubdomains", at: path)
        case .country: oneOf("format", ["2-letter", "3-letter"])
        case .usZipCode:
            oneOf("format", ["5-digit", "9-digit"])
            _ = bool(options, "outputDash", at: path)
        case .ssn: _ = bool(options, "outputDash", at: path)
        case .uuid:
            _ = integer(options, "version", at: path, minimum: 1).map {
                if $0 > 8 { problem("\(path).version", "must be a UUID version from 1 to 8") }
            }
        default: break
        }
    }

    mutating func selectOptions(_ json: JSONValue?, at path: String) -> [SelectOption] {
        guard let json else { return [] }
        guard case .array(let items) = json else {
            problem(path, "must be an array of {label, value} objects, not \(json.typeName)")
            return []
        }
        var out: [SelectOption] = []
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            guard case .object(let o) = item else { problem(p, "must be an object with label and value"); continue }
            checkKeys(o, at: p, known: ["label", "value", "alternateMatches", "exactMatchOnly"])
            let value = string(o, "value", at: p, required: true)
            let label = string(o, "label", at: p) ?? value
            let exact = bool(o, "exactMatchOnly", at: p) ?? false
            if let value, let label {
                out.append(
                    SelectOption(label: label, value: value, alternateMatches: strings(o, "alternateMatches", at: p), exactMatchOnly: exact)
                )
            }
        }
        return out
    }

    mutating func validator(_ json: JSONValue, at path: String) -> Validator? {
        guard case .object(let o) = json else {
            problem(path, "a validator must be an object with \"validate\", not \(json.typeName)")
            return nil
        }
        guard let name = string(o, "validate", at: path, required: true) else { return nil }
        let errorMessage = string(o, "errorMessage", at: path)
        let level = string(o, "level", at: path) ?? "error"
        if !["error", "warning", "info"].contains(level) { problem("\(path).level", "must be error, warning or info") }
        let common: Set<String> = ["validate", "errorMessage", "level"]
        let rule: Validator.Rule
        switch name {
        case "required":
            checkKeys(o, at: path, known: common)
            rule = .required
        case "unique":
            checkKeys(o, at: path, known: common)
            rule = .unique
        case "unique_case_insensitive":
            checkKeys(o, at: path, known: common)
            rule = .uniqueCaseInsensitive
        case "regex_match", "regex_exclude":
            checkKeys(o, at: path, known: common.union(["regex", "regexOptions"]))
            guard let pattern = string(o, "regex", at: path, required: true) else { return nil }
            let flags = regexFlags(o["regexOptions"], at: "\(path).regexOptions")
            let compiled: ByteRegex
            do {
                compiled = try ByteRegex(pattern, flags: flags)
            } catch {
                problem("\(path).regex", "not a valid regular expression (\(error.message))")
                return nil
            }
            rule = name == "regex_match" ? .regexMatch(compiled, pattern: pattern) : .regexExclude(compiled, pattern: pattern)
        case "length":
            checkKeys(o, at: path, known: common.union(["min", "max"]))
            let min = integer(o, "min", at: path)
            let max = integer(o, "max", at: path)
            if min == nil && max == nil { problem(path, "length needs min, max or both") }
            if let min, let max, min > max { problem(path, "min is greater than max") }
            rule = .length(min: min, max: max)
        case "alphabetical":
            checkKeys(o, at: path, known: common)
            rule = .alphabetical
        case "unique_with":
            checkKeys(o, at: path, known: common.union(["uniqueKey"]))
            guard let key = string(o, "uniqueKey", at: path, required: true) else { return nil }
            rule = .uniqueWith(key: key)
        case "require_with", "require_without", "require_with_all", "require_without_all":
            checkKeys(o, at: path, known: common.union(["fields"]))
            guard o["fields"] != nil else { problem("\(path).fields", "is required (a list of field keys)"); return nil }
            let keys = strings(o, "fields", at: path)
            if keys.isEmpty { problem("\(path).fields", "must name at least one field") }
            for (i, k) in keys.enumerated() { references.append((k, "\(path).fields[\(i)]")) }
            rule = .requireWith(fields: keys, all: name.hasSuffix("_all"), without: name.hasPrefix("require_without"))
        case "require_with_values", "require_without_values", "require_with_all_values", "require_without_all_values":
            checkKeys(o, at: path, known: common.union(["fieldValues"]))
            guard case .object(let values)? = o["fieldValues"] else {
                problem(
                    "\(path).fieldValues",
                    o["fieldValues"] == nil ? "is required (an object {\"field key\": value})" : "must be an object {\"field key\": value}")
                return nil
            }
            if values.count == 0 { problem("\(path).fieldValues", "must name at least one field") }
            var list: [(field: String, value: JSONValue)] = []
            for k in values.keys {
                references.append((k, "\(path).fieldValues.\(k)"))
                let v = values[k]!
                if case .array = v { problem("\(path).fieldValues.\(k)", "must be a string, number, boolean or null") }
                if case .object = v { problem("\(path).fieldValues.\(k)", "must be a string, number, boolean or null") }
                list.append((k, v))
            }
            rule = .requireWithValues(values: list, all: name.contains("_all_"), without: name.hasPrefix("require_without"))
        default:
            let hint = Context.closest(name, in: Vocabulary.validators).map { " (did you mean '\($0)'?)" } ?? ""
            problem("\(path).validate", "'\(name)' is not a validator\(hint)")
            return nil
        }
        return Validator(rule, errorMessage: errorMessage, level: level)
    }

    /// Dromo's `regexOptions` (`{ignoreCase, multiline, dotAll, unicode}`) as JavaScript flags.
    mutating func regexFlags(_ json: JSONValue?, at path: String) -> String {
        guard let json else { return "" }
        guard case .object(let o) = json else {
            problem(path, "must be an object like {\"ignoreCase\": true}, not \(json.typeName)")
            return ""
        }
        checkKeys(o, at: path, known: ["ignoreCase", "multiline", "dotAll", "unicode"])
        var flags = ""
        if bool(o, "ignoreCase", at: path) == true { flags += "i" }
        if bool(o, "multiline", at: path) == true { flags += "m" }
        if bool(o, "dotAll", at: path) == true { flags += "s" }
        if bool(o, "unicode", at: path) == true { flags += "u" }
        return flags
    }

    mutating func settings(_ json: JSONValue?, fieldCount: Int) -> Settings {
        var s = Settings()
        guard let json, !json.isNull else { return s }
        guard case .object(let given) = json else {
            problem("settings", "must be an object, not \(json.typeName)")
            return s
        }
        // Dromo writes unset settings as null (its default, nullable in its OpenAPI spec): a null
        // setting is a setting not given, at every level.
        let o = Self.withoutNulls(given)
        checkKeys(o, at: "settings", known: Vocabulary.settings, ignoring: Vocabulary.settingsIgnored)
        s.importIdentifier = string(o, "importIdentifier", at: "settings")
        if let b = string(o, "invalidDataBehavior", at: "settings") {
            if let v = InvalidDataBehavior(dromo: b) {
                s.invalidDataBehavior = v
            } else {
                problem(
                    "settings.invalidDataBehavior", "must be one of \(InvalidDataBehavior.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        }
        if let allow = bool(o, "allowInvalidSubmit", at: "settings"), o["invalidDataBehavior"] == nil {
            s.invalidDataBehavior = allow ? .includeInvalidRows : .removeInvalidRows
        }
        s.maxRecords = integer(o, "maxRecords", at: "settings", minimum: 1)
        s.maxFileSize = integer(o, "maxFileSize", at: "settings", minimum: 1)
        if let d = string(o, "delimiter", at: "settings") {
            if d.utf8.count == 1, let b = d.utf8.first, b != 0x0A, b != 0x0D, b != 0x22 {
                s.delimiter = d
            } else {
                problem("settings.delimiter", "must be a single character such as \",\" \";\" \"\\t\" or \"|\"")
            }
        }
        if let e = string(o, "encoding", at: "settings") {
            if let encoding = TextEncoding.named(e) {
                s.encoding = encoding
            } else {
                problem(
                    "settings.encoding",
                    "\"\(e)\" is no encoding Intake reads; use one of \(TextEncoding.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        s.allowCustomFields = bool(o, "allowCustomFields", at: "settings") ?? false
        s.passThroughUnmappedColumns = bool(o, "passThroughUnmappedColumns", at: "settings") ?? false
        s.autoMapHeaders = bool(o, "autoMapHeaders", at: "settings") ?? false
        s.webhookUrl = string(o, "webhookUrl", at: "settings")
        s.needsReviewWebhookUrl = string(o, "needsReviewWebhookUrl", at: "settings")
        s.managedWebhookUrl = string(o, "managedWebhookUrl", at: "settings")
        s.developmentMode = bool(o, "developmentMode", at: "settings") ?? false
        if case .object(let given)? = o["uploadStep"] {
            let upload = Self.withoutNulls(given)
            checkKeys(upload, at: "settings.uploadStep", known: Vocabulary.uploadStep, ignoring: Vocabulary.uploadStepIgnored)
            s.sheetOverride = string(upload, "sheetOverride", at: "settings.uploadStep")
        } else if let v = o["uploadStep"] {
            problem("settings.uploadStep", "must be an object, not \(v.typeName)")
        }
        if case .object(let given)? = o["matchingStep"] {
            let matching = Self.withoutNulls(given)
            checkKeys(matching, at: "settings.matchingStep", known: Vocabulary.matchingStep, ignoring: Vocabulary.matchingStepIgnored)
            s.headerRowOverride = integer(matching, "headerRowOverride", at: "settings.matchingStep")
            s.fuzzyMatchHeaders = bool(matching, "fuzzyMatchHeaders", at: "settings.matchingStep") ?? true
        } else if let v = o["matchingStep"] {
            problem("settings.matchingStep", "must be an object, not \(v.typeName)")
        }
        if o["outputFormats"] != nil {
            let formats = strings(o, "outputFormats", at: "settings")
            for (i, f) in formats.enumerated() where !["json", "ndjson", "csv"].contains(f) {
                problem("settings.outputFormats[\(i)]", "'\(f)' is not an output format (json, ndjson, csv)")
            }
            s.outputFormats = formats
        }
        s.csvFormulaEscape = bool(o, "csvFormulaEscape", at: "settings") ?? true
        if let t = number(o, "hookTimeoutSeconds", at: "settings") {
            if t > 0 { s.hookTimeoutSeconds = t } else { problem("settings.hookTimeoutSeconds", "must be more than 0") }
        }
        return s
    }

    mutating func hooks(_ json: JSONValue?, fields: [Field]) -> Hooks {
        var h = Hooks()
        guard let json, !json.isNull else { return h }
        guard case .object(let given) = json else {
            problem("hooks", "must be an object, not \(json.typeName)")
            return h
        }
        let o = Self.withoutNulls(given)
        checkKeys(o, at: "hooks", known: Vocabulary.hooks, ignoring: Vocabulary.hooksIgnored)
        h.rowHooks = strings(o, "rowHooks", at: "hooks")
        for (i, c) in h.rowHooks.enumerated() { hookPath(c, at: "hooks.rowHooks[\(i)]") }
        h.bulkRowHooks = strings(o, "bulkRowHooks", at: "hooks")
        for (i, c) in h.bulkRowHooks.enumerated() { hookPath(c, at: "hooks.bulkRowHooks[\(i)]") }
        if let v = o["columnHooks"] {
            if case .array(let items) = v {
                for (i, item) in items.enumerated() {
                    let p = "hooks.columnHooks[\(i)]"
                    guard case .object(let c) = item else { problem(p, "must be {\"fieldName\", \"command\"}"); continue }
                    if c["callback"] != nil {
                        problem(
                            "\(p).callback",
                            "is JavaScript (a Dromo browser hook); Intake runs hook programs: write {\"fieldName\", \"command\": \"hooks/<program>\"} (contract §9)"
                        )
                        continue
                    }
                    checkKeys(c, at: p, known: ["fieldName", "command"])
                    if let name = string(c, "fieldName", at: p, required: true), let command = string(c, "command", at: p, required: true) {
                        if !fields.contains(where: { $0.key == name }) { problem("\(p).fieldName", "no field has the key '\(name)'") }
                        hookPath(command, at: "\(p).command")
                        h.columnHooks.append((name, command))
                    }
                }
            } else {
                problem("hooks.columnHooks", "must be an array, not \(v.typeName)")
            }
        }
        h.beforeFinish = string(o, "beforeFinish", at: "hooks")
        if let b = h.beforeFinish { hookPath(b, at: "hooks.beforeFinish") }
        return h
    }

    /// The object without its null entries: Dromo writes a setting it leaves unset as null.
    static func withoutNulls(_ object: JSONObject) -> JSONObject {
        JSONObject(object.entries.filter { !$0.value.isNull })
    }

    /// A hook is a program under `schemas/`, named by a relative path without spaces that stays
    /// inside it. Dromo's hooks are JavaScript source, which Intake cannot run: refused by name.
    mutating func hookPath(_ command: String, at path: String) {
        if command.isEmpty { problem(path, "is empty; give the path of a program under schemas/"); return }
        let javaScript = ["=>", "function", "{", "(", ";", "return "].contains { command.contains($0) }
        if javaScript {
            problem(
                path,
                "is JavaScript (a Dromo browser hook); Intake runs hook programs instead: give the path of an executable under schemas/, such as \"hooks/clean-phone\" (contract §9)"
            )
        } else if command.contains(where: { $0.isWhitespace || $0 == "\0" }) {
            problem(path, "must be a path without spaces, relative to schemas/ (arguments are not supported)")
        } else if command.hasPrefix("/") {
            problem(path, "must be relative to schemas/, not an absolute path")
        } else if command.split(separator: "/").contains("..") {
            problem(path, "must stay inside schemas/ (no '..')")
        }
    }
}
