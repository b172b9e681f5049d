import Dispatch
import Engine
import Foundation
import Glibc

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
            // Remembered whatever autoMapHeaders says (as Dromo keeps every upload's mapping); applied only with it on.
            if case .success(let schema) = job.schema, let identifier = schema.settings.importIdentifier,
                let memory = job.memory, let learned = outcome.learnedMapping, outcome.status != .failed
            {
                try memory.remember(learned, for: identifier, tag: job.id)
            }
            if outcome.status == .failed {
                // A failed import keeps only the record and the source: drop partial results.
                for name in ["results.json", "metadata.json", "rejected.csv", "report.json", "review.html"] {
                    Paths.removeFile("\(buildPath)/\(name)")
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
                createdDate: job.createdDate, modifiedDate: Timestamp.now(), reviewURL: reviewURL,
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
                        try System.call("rename", file.path) { rename(file.path, "\(buildPath)/source/\(file.name)") }
                        moved.append(file)
                    }
                    try Paths.syncDirectory("\(buildPath)/source")
                    try folder.publish(to: target)
                } catch {
                    for file in moved.reversed() {
                        let back = "\(buildPath)/source/\(file.name)"
                        System.errno("rename", back) { rename(back, file.path) }
                    }
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

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
