/// A Dromo saved schema as Intake understands it (contract §8). Built by `SchemaLoader`, which
/// reports every problem with its JSON path; once built, a schema is known to be usable.
public struct Schema: Sendable {
    public var name: String?
    public var fields: [Field]
    public var settings: Settings
    public var hooks: Hooks
    /// Dromo keys accepted but not acted on here, with the reason (`metadata.json` lists them).
    public var ignoredKeys: [IgnoredKey]
    /// Their JSON paths.
    public var ignored: [String] { ignoredKeys.map(\.path) }

    public init(
        name: String? = nil, fields: [Field], settings: Settings = Settings(), hooks: Hooks = Hooks(), ignoredKeys: [IgnoredKey] = []
    ) {
        self.name = name
        self.fields = fields
        self.settings = settings
        self.hooks = hooks
        self.ignoredKeys = ignoredKeys
    }

    public func field(_ key: String) -> Field? { fields.first { $0.key == key } }
}

public struct Field: Sendable {
    public var key: String
    public var label: String
    public var type: FieldType
    public var description: String?
    public var alternateMatches: [String]
    public var validators: [Validator]
    public var selectOptions: [SelectOption]
    public var requireMapping: Bool
    public var manyToOne: Bool
    public var readOnly: Bool
    public var hidden: Bool
    /// Dromo's `invalidValueMessage`: the message of a cell that is not a value of the field's type.
    public var invalidValueMessage: String?

    public init(
        key: String, label: String? = nil, type: FieldType = FieldType(.string), description: String? = nil,
        alternateMatches: [String] = [], validators: [Validator] = [], selectOptions: [SelectOption] = [],
        requireMapping: Bool = false, manyToOne: Bool = false, readOnly: Bool = false, hidden: Bool = false
    ) {
        self.key = key
        self.label = label ?? key
        self.type = type
        self.description = description
        self.alternateMatches = alternateMatches
        self.validators = validators
        self.selectOptions = selectOptions
        self.requireMapping = requireMapping
        self.manyToOne = manyToOne
        self.readOnly = readOnly
        self.hidden = hidden
    }

    /// The field must have a column: `requireMapping`, or a `required` validator.
    public var mustBeMapped: Bool {
        requireMapping || validators.contains { if case .required = $0.rule { true } else { false } }
    }
}

public struct SelectOption: Sendable, Equatable {
    public var label: String
    public var value: String
    public var alternateMatches: [String]
    /// This option matches only a cell written exactly as its value, label or an alternate match.
    public var exactMatchOnly: Bool
    public init(label: String, value: String, alternateMatches: [String] = [], exactMatchOnly: Bool = false) {
        self.label = label
        self.value = value
        self.alternateMatches = alternateMatches
        self.exactMatchOnly = exactMatchOnly
    }
}

/// A Dromo key Intake accepts and does not act on. `changesImport`: in Dromo it can change what
/// an import does (a JavaScript hook that could edit rows or cancel the import), so `intake schema
/// check` warns about it; the others only shape Dromo's browser UI or its cloud.
public struct IgnoredKey: Sendable, Equatable {
    public var path: String
    public var reason: String
    public var changesImport: Bool
    public init(path: String, reason: String, changesImport: Bool) {
        self.path = path
        self.reason = reason
        self.changesImport = changesImport
    }

    var json: JSONValue { ["key": .string(path), "changesImport": .bool(changesImport), "reason": .string(reason)] }
}

/// Dromo's field types.
public enum FieldKind: String, Sendable, CaseIterable {
    case string, number, date, datetime, time, select, checkbox, email
    case multiSelect = "multi-select"
    case phoneNumber = "phone-number"
    case url, domain, country
    case usStateTerritory = "us-state-territory"
    case usZipCode = "us-zip-code"
    case ssn, uuid
}

public struct FieldType: Sendable {
    public var kind: FieldKind
    /// Number: a preset name (`usd`, `percent`, `decimal_2`, …).
    public var preset: String?
    public var min: Double?
    public var max: Double?
    public var round: Int?
    /// Date, datetime, time and number: the output pattern.
    public var outputFormat: String?
    public var locale: String?
    /// Datetime and time: keep seconds in the default output.
    public var withSeconds = false
    /// Select: a value that matches no option is kept as it is instead of being an error.
    public var allowCustom = false
    /// Select: match options exactly (case and spacing), not loosely.
    public var exactMatchOnly = false
    /// Number: the decimal mark its column is written with (`"."` or `","`; Intake's own key),
    /// instead of deciding it from the values.
    public var decimalMark: DecimalMark?
    /// Number: the Numbro `outputFormat`; the value is then written as a string.
    var numberFormat: NumberFormat?
    /// Multi-select: what separates the values in a cell.
    public var delimiter = ","
    /// Multi-select: each value between delimiters loses its surrounding spaces (Dromo's
    /// `trimValues`; the default here). `false` keeps them, for `exactMatchOnly` and custom values.
    public var trimValues = true
    /// Every option as written, for later types and for reports.
    public var options: JSONObject

    public init(_ kind: FieldKind, options: JSONObject = JSONObject()) {
        self.kind = kind
        self.options = options
    }
}

public struct Validator: Sendable {
    public enum Rule: Sendable {
        case required
        case unique
        case uniqueCaseInsensitive
        case regexMatch(ByteRegex, pattern: String)
        case regexExclude(ByteRegex, pattern: String)
        case length(min: Int?, max: Int?)
        /// The combination of the fields whose `unique_with` validators share this key is unique.
        case uniqueWith(key: String)
        /// `require_with` (any of `fields` filled), `require_with_all` (all filled),
        /// `require_without` (any empty), `require_without_all` (all empty).
        case requireWith(fields: [String], all: Bool, without: Bool)
        /// `require_with_values` (any listed field equals its value), `…_all_values` (all do),
        /// `require_without_values` (any differs), `require_without_all_values` (all differ).
        case requireWithValues(values: [(field: String, value: JSONValue)], all: Bool, without: Bool)
        /// Only the letters a–z and A–Z.
        case alphabetical
    }

    public var rule: Rule
    public var errorMessage: String?
    /// `error` (the default) makes the row invalid; `warning` and `info` only annotate.
    public var level: String

    public init(_ rule: Rule, errorMessage: String? = nil, level: String = "error") {
        self.rule = rule
        self.errorMessage = errorMessage
        self.level = level
    }
}

public enum InvalidDataBehavior: String, Sendable, CaseIterable {
    case blockSubmit = "BLOCK_SUBMIT"
    case removeInvalidRows = "REMOVE_INVALID_ROWS"
    case includeInvalidRows = "INCLUDE_INVALID_ROWS"

    /// Dromo's OpenAPI also lists `INCLUDE_INVALID_ROWS_AND_VALUES`: the invalid rows with their
    /// invalid values, which is what `INCLUDE_INVALID_ROWS` does here (an invalid cell keeps its text).
    public init?(dromo name: String) {
        if name == "INCLUDE_INVALID_ROWS_AND_VALUES" { self = .includeInvalidRows } else { self.init(rawValue: name) }
    }
}

public struct Settings: Sendable {
    public var importIdentifier: String?
    public var invalidDataBehavior: InvalidDataBehavior = .removeInvalidRows
    public var maxRecords: Int?
    public var maxFileSize: Int?
    public var delimiter: String?
    /// The encoding of delimited text the sender writes (contract §11): names it instead of detecting it.
    public var encoding: TextEncoding?
    public var allowCustomFields = false
    public var passThroughUnmappedColumns = false
    /// Apply the mappings remembered for the importIdentifier (off by default, as in Dromo).
    public var autoMapHeaders = false
    /// Dromo's basic webhook: `uploadId=<id>` (form-encoded) when an import is SUCCESSFUL.
    public var webhookUrl: String?
    /// Intake's own: the JSON events of Dromo's managed webhooks, for every ending (contract §10).
    public var managedWebhookUrl: String?
    public var needsReviewWebhookUrl: String?
    /// Dromo's `developmentMode`: only the JSON events' `development_mode` says it.
    public var developmentMode = false
    public var sheetOverride: String?
    public var headerRowOverride: Int?
    public var fuzzyMatchHeaders = true
    public var outputFormats: [String] = ["json"]
    public var csvFormulaEscape = true
    public var hookTimeoutSeconds: Double = 30

    public init() {}
}

public struct Hooks: Sendable {
    public var rowHooks: [String] = []
    public var bulkRowHooks: [String] = []
    public var columnHooks: [(fieldName: String, command: String)] = []
    public var beforeFinish: String?
    public init() {}

    public var isEmpty: Bool { rowHooks.isEmpty && bulkRowHooks.isEmpty && columnHooks.isEmpty && beforeFinish == nil }
}
