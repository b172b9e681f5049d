/// A Dromo saved schema as Intake understands it (contract §8). Built by `SchemaLoader`, which
/// reports every problem with its JSON path; once built, a schema is known to be usable.
public struct Schema: Sendable {
    public var name: String?
    public var fields: [Field]
    public var settings: Settings
    public var hooks: Hooks
    /// JSON paths of Dromo keys accepted but meaningless here (browser UI, Dromo cloud).
    public var ignored: [String]

    public init(name: String? = nil, fields: [Field], settings: Settings = Settings(), hooks: Hooks = Hooks(), ignored: [String] = []) {
        self.name = name
        self.fields = fields
        self.settings = settings
        self.hooks = hooks
        self.ignored = ignored
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
    public init(label: String, value: String, alternateMatches: [String] = []) {
        self.label = label
        self.value = value
        self.alternateMatches = alternateMatches
    }
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
    /// Number: the Numbro `outputFormat`; the value is then written as a string.
    var numberFormat: NumberFormat?
    /// Multi-select: what separates the values in a cell.
    public var delimiter = ","
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
    public var autoMapHeaders = true
    public var webhookUrl: String?
    public var needsReviewWebhookUrl: String?
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
