public enum ImportStatus: String, Sendable {
    case awaitingUpload = "AWAITING_UPLOAD"
    case pending = "PENDING"
    case running = "RUNNING"
    case successful = "SUCCESSFUL"
    case needsReview = "NEEDS_REVIEW"
    case failed = "FAILED"
}

/// A permanent problem of the input: the import ends FAILED with this code and message
/// (contract §7). Codes are strings so new ones never break a `switch`.
public struct ImportFailure: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var json: JSONValue { ["code": .string(code), "message": .string(message)] }
}

/// What an import came to. The Engine has written the result files into the workspace; the
/// caller adds `import.json` and `source/`, and publishes the folder.
public struct ImportOutcome: Sendable {
    public var status: ImportStatus
    public var failure: ImportFailure?
    /// `{"num_rows", "num_valid_rows", "num_invalid_rows", "num_removed_rows", "num_left_out_rows"}`
    /// when rows were read.
    public var resultMetadata: JSONValue
    /// The review reasons, when NEEDS_REVIEW.
    public var reasons: [String]
    /// Mappings a person resolved (resolution.json) that applied: the caller remembers them for
    /// the schema's importIdentifier when settings.autoMapHeaders is on.
    public var learnedMapping: RememberedMapping? = nil

    public static func failed(_ failure: ImportFailure) -> ImportOutcome {
        ImportOutcome(status: .failed, failure: failure, resultMetadata: .null, reasons: [])
    }
}

/// `import.json` (contract §4).
public struct ImportRecord: Sendable {
    public var id: String
    public var schemaID: String?
    public var status: ImportStatus
    public var originalFilename: String
    public var createdDate: String
    public var modifiedDate: String
    public var reviewURL: String?
    public var resultMetadata: JSONValue
    public var importErrors: [ImportFailure]?
    public var importMetadata: JSONValue

    public init(
        id: String, schemaID: String?, status: ImportStatus, originalFilename: String, createdDate: String,
        modifiedDate: String, reviewURL: String? = nil, resultMetadata: JSONValue = .null,
        importErrors: [ImportFailure]? = nil, importMetadata: JSONValue = .null
    ) {
        self.id = id
        self.schemaID = schemaID
        self.status = status
        self.originalFilename = originalFilename
        self.createdDate = createdDate
        self.modifiedDate = modifiedDate
        self.reviewURL = reviewURL
        self.resultMetadata = resultMetadata
        self.importErrors = importErrors
        self.importMetadata = importMetadata
    }

    public var json: JSONValue {
        [
            "id": .string(id), "schema_id": .string(schemaID), "status": .string(status.rawValue),
            "original_filename": .string(originalFilename), "created_date": .string(createdDate),
            "modified_date": .string(modifiedDate), "review_url": .string(reviewURL),
            "result_metadata": resultMetadata,
            "import_errors": importErrors.map { .array($0.map(\.json)) } ?? .null,
            "import_metadata": importMetadata,
        ]
    }

    public init?(json: JSONValue) {
        guard let o = json.objectValue, let id = o["id"]?.stringValue, let status = o["status"]?.stringValue.flatMap(ImportStatus.init)
        else {
            return nil
        }
        self.init(
            id: id, schemaID: o["schema_id"]?.stringValue, status: status,
            originalFilename: o["original_filename"]?.stringValue ?? "", createdDate: o["created_date"]?.stringValue ?? "",
            modifiedDate: o["modified_date"]?.stringValue ?? "", reviewURL: o["review_url"]?.stringValue,
            resultMetadata: o["result_metadata"] ?? .null,
            importErrors: o["import_errors"]?.arrayValue?.map {
                ImportFailure($0["code"]?.stringValue ?? "", $0["message"]?.stringValue ?? "")
            },
            importMetadata: o["import_metadata"] ?? .null)
    }
}
