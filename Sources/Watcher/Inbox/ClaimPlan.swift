import Engine

/// What the daemon decided to take out of the inbox as one import: the files to claim (the first
/// rename decides between competing daemons), the schema folder if any, and the failure already
/// known before the import runs (`MISSING_SIDECAR`, `UPLOAD_EXPIRED`, `INVALID_SIDECAR`, a refused file).
public struct ClaimPlan: Sendable, Equatable, CustomStringConvertible {
    public var take: [InboxPath]
    public var schemaFolder: String?
    public var failure: ImportFailure?
    /// The name the import is recorded under.
    public var originalFilename: String

    public init(take: [InboxPath], schemaFolder: String? = nil, failure: ImportFailure? = nil, originalFilename: String? = nil) {
        self.take = take
        self.schemaFolder = schemaFolder
        self.failure = failure
        self.originalFilename = originalFilename ?? take.last!.name
    }

    public var description: String {
        take.map(\.relative).joined(separator: "+") + (failure.map { " (\($0.code))" } ?? "")
    }
}
