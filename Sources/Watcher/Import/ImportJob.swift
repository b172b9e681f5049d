import Dispatch
import Engine
import Foundation
import Glibc

/// One import as the folders see it: a claimed file (or a file named on the command line), a
/// schema, and where the result folder goes.
public struct ImportJob: Sendable {
    public var id: String
    public var schemaID: String?
    /// The schema, or the failure that loading it came to (SCHEMA_NOT_FOUND, INVALID_SCHEMA).
    public var schema: Result<Schema, ImportFailure>
    public var sourcePath: String
    public var originalFilename: String
    public var importMetadata: JSONValue
    public var createdDate: String
    /// Rows read so far, for a progress line.
    public var progress: (@Sendable (Int) -> Void)?
    /// Threads for one import's rows: the number of cores for a foreground import.
    public var workers = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// What goes into the result's `source/`. By default a copy of `sourcePath` under
    /// `originalFilename`; the daemon moves its claimed files in instead (and the sidecar too).
    public var sourceFiles: [SourceFile]
    /// A person's decisions, when the import is run again from review/ (contract §6).
    public var resolution: Resolution?
    /// Where mappings are remembered per importIdentifier (settings.autoMapHeaders): read before
    /// the import, and a resolution's mappings written to it after.
    public var memory: MappingMemory?
    /// The folder the schema's hook programs are found in (`schemas/`); nil: hooks cannot run.
    public var hooksDirectory: String?

    public init(
        id: String = ImportJob.newID(), schemaID: String?, schema: Result<Schema, ImportFailure>, sourcePath: String,
        originalFilename: String, importMetadata: JSONValue = .null, createdDate: String = Timestamp.now()
    ) {
        self.id = id
        self.schemaID = schemaID
        self.schema = schema
        self.sourcePath = sourcePath
        self.originalFilename = originalFilename
        self.importMetadata = importMetadata
        self.createdDate = createdDate
        self.sourceFiles = [SourceFile(path: sourcePath, name: originalFilename, move: false)]
    }

    public static func newID() -> String { UUID().uuidString.lowercased() }

    /// Where its webhooks go, decided with its schema (nil: none named, or no schema loaded).
    public var webhooks: WebhookTargets? {
        if case .success(let schema) = schema { WebhookTargets(settings: schema.settings) } else { nil }
    }
}

/// A file for the result's `source/` folder: copied byte for byte, or moved in by rename just
/// before the publish (and moved back if the publish fails), which also works for what cannot be
/// read (a FIFO, a symbolic link) and never reads a refused file.
public struct SourceFile: Sendable, Equatable {
    public var path: String
    public var name: String
    public var move: Bool

    public init(path: String, name: String, move: Bool) {
        self.path = path
        self.name = name
        self.move = move
    }
}
