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
        originalFilename: String, importMetadata: JSONValue = .null, createdDate: String = Clock.now()
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

/// Runs an import into a result folder and publishes it: build inside `buildPath`, then one
/// rename to the destination that the outcome picks.
public enum ImportRunner {
    /// `destination` gives the final folder for a status. Returns the record written.
    public static func run(_ job: ImportJob, buildPath: String, destination: (ImportStatus) -> String) throws -> ImportRecord {
        // Opened before a byte is read: what is published must be what was read (§2c).
        let source = SourceGuard(path: job.sourcePath)
        let folder = try ResultFolder(path: buildPath)
        // The sources are copied into source/ while the import runs: the copy mostly waits for
        // the disk, the import for the processor.
        let copying = SourceCopy(job.sourceFiles.filter { !$0.move && Paths.exists($0.path) }, into: folder)
        do {
            let outcome: ImportOutcome
            switch job.schema {
            case .failure(let failure):
                outcome = .failed(failure)
            case .success(let schema):
                do {
                    let source = try FileSource(path: job.sourcePath)
                    var request = ImportRequest(
                        id: job.id, schema: schema, filename: job.originalFilename, importMetadata: job.importMetadata,
                        progress: job.progress, workers: job.workers,
                        hookRunner: job.hooksDirectory.map { ProcessHookRunner(directory: $0) })
                    request.resolution = job.resolution
                    let identifier = schema.settings.autoMapHeaders ? schema.settings.importIdentifier : nil
                    if let identifier, let memory = job.memory { request.rememberedMapping = memory.load(identifier) }
                    outcome = try Importer.run(request, source: source, workspace: folder)
                } catch let refused as FileSource.Refused {
                    outcome = .failed(
                        ImportFailure("UNREADABLE_FILE", "\(job.originalFilename) \(refused.description). Drop the file itself."))
                } catch let e as SystemError where !e.isTransient && (e.errno == EACCES || e.errno == EISDIR) {
                    outcome = .failed(
                        ImportFailure(
                            "UNREADABLE_FILE", "\(job.originalFilename) cannot be read (\(e)). Check its permissions and drop it again."))
                }
            }
            if case .success(let schema) = job.schema, schema.settings.autoMapHeaders, let identifier = schema.settings.importIdentifier,
                let memory = job.memory, let learned = outcome.learnedMapping, outcome.status != .failed
            {
                try memory.remember(learned, for: identifier, tag: job.id)
            }
            if outcome.status == .failed {
                // A failed import keeps only the record and the source: drop partial results.
                for name in ["results.json", "metadata.json", "rejected.csv", "report.json", "review.html"] {
                    unlink("\(buildPath)/\(name)")
                }
            }
            try copying.finish()
            if let change = source?.change(leased: job.sourceFiles.contains { $0.move && $0.path == job.sourcePath }) {
                throw SourceChanged(file: job.originalFilename, change: change)
            }
            let target = destination(outcome.status)
            let reviewURL = outcome.status == .needsReview ? "file://\(absolute(target))/review.html" : nil
            let record = ImportRecord(
                id: job.id, schemaID: job.schemaID, status: outcome.status, originalFilename: job.originalFilename,
                createdDate: job.createdDate, modifiedDate: Clock.now(), reviewURL: reviewURL,
                resultMetadata: outcome.resultMetadata, importErrors: outcome.failure.map { [$0] },
                importMetadata: job.importMetadata)
            try folder.write("import.json", JSONWriter.document(record.json))
            try Paths.makeDirectories(Paths.parent(target))
            let moves = job.sourceFiles.filter { $0.move && Paths.exists($0.path) }
            if moves.isEmpty {
                try folder.publish(to: target)
            } else {
                try Paths.makeDirectories("\(buildPath)/source")
                var moved: [SourceFile] = []
                do {
                    for file in moves {
                        try syscall("rename", file.path) { rename(file.path, "\(buildPath)/source/\(file.name)") }
                        moved.append(file)
                    }
                    try Paths.syncDirectory("\(buildPath)/source")
                    try folder.publish(to: target)
                } catch {
                    for file in moved.reversed() { rename("\(buildPath)/source/\(file.name)", file.path) }
                    throw error
                }
            }
            return record
        } catch {
            try? copying.finish()
            // Moved-in sources that could not be moved back stay in the build folder, which is
            // then kept: recovery moves them back. Never delete a dropped file.
            if !job.sourceFiles.contains(where: { $0.move && Paths.exists("\(buildPath)/source/\($0.name)") }) {
                folder.discard()
            }
            throw error
        }
    }

    /// Loads `schemas/<id>.json` under `root`, as an import sees it.
    public static func loadSchema(id: String, root: String) -> Result<Schema, ImportFailure> {
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix(".") else {
            return .failure(
                ImportFailure("SCHEMA_NOT_FOUND", "'\(id)' is not a schema id: ids are plain names of files in schemas/ (without .json)."))
        }
        let path = "\(root)/schemas/\(id).json"
        guard Paths.exists(path) else {
            return .failure(
                ImportFailure("SCHEMA_NOT_FOUND", "No schema '\(id)': \(path) does not exist. Add the schema or name another one."))
        }
        return loadSchema(path: path)
    }

    public static func loadSchema(path: String) -> Result<Schema, ImportFailure> {
        let bytes: [UInt8]
        do { bytes = try Paths.readFile(path) } catch {
            return .failure(ImportFailure("SCHEMA_NOT_FOUND", "The schema \(path) cannot be read: \(error)."))
        }
        let report = SchemaLoader.load(bytes: bytes)
        if let schema = report.schema { return .success(schema) }
        return .failure(ImportFailure("INVALID_SCHEMA", "\(path): \(report.message)"))
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// Wall-clock time as the records write it: ISO 8601, UTC, milliseconds.
public enum Clock {
    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int(ts.tv_nsec / 1_000_000)
        func pad(_ v: Int32, _ n: Int = 2) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return
            "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(ms), 3))Z"
    }
}

/// Copies files into a result folder's `source/` on a thread of its own.
final class SourceCopy: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written by the thread before `done` is signalled, read after the wait.
    private var failure: (any Error)?
    private var finished = false

    init(_ files: [SourceFile], into folder: ResultFolder) {
        guard !files.isEmpty else { finished = true; return }
        let path = folder.path
        let thread = Thread { [self] in
            // Lowest priority: the copy takes the cores only when the import leaves them idle
            // (on Linux the nice value is per thread; 0 is the calling one).
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            for file in files {
                do { try ResultFolder.copySource(from: file.path, into: path, name: file.name) } catch is FileSource.Refused {
                    // A refused file is never read, not even to copy it.
                } catch {
                    failure = error
                    break
                }
            }
            done.signal()
        }
        thread.start()
    }

    /// Waits for the copy; throws what made it fail.
    func finish() throws {
        if !finished {
            done.wait()
            finished = true
        }
        if let failure { throw failure }
    }
}
