import Engine
import Glibc

/// Applying a resolution (contract §6): the review folder is taken into the claim, the import
/// is run again from its `source/` with the person's decisions, and the new folder published to
/// outbox/, review/ or failed/. Crash-safe the way imports are (see `ResolutionStore`).
extension ImportWork {
    /// Claims `review/<id>/resolution.json` and applies it.
    func resolve(_ id: String, started: Double) -> WorkResult.Outcome {
        let store = ResolutionStore(layout: layout)
        do {
            guard try store.claim(id, owner: owner) else {
                log.debug("claim_lost", ["id": id, "file": "review/\(id)/resolution.json"])
                return .lost
            }
        } catch {
            log.warn("claim_failed", ["id": id, "file": "review/\(id)/resolution.json", "error": "\(error)"])
            return .notClaimed
        }
        log.info("claimed", ["id": id, "file": "review/\(id)/resolution.json"])
        return finishResolution(id, started: started)
    }

    /// Carries a claimed resolution on to its end, from wherever a crash left it.
    func finishResolution(_ id: String, started: Double) -> WorkResult.Outcome {
        let store = ResolutionStore(layout: layout)
        guard Paths.isDirectory(store.folder(id)) else { return .lost }
        let old = store.old(id)
        if !Paths.exists(old) {
            let review = layout.result(id, .needsReview)
            guard Paths.isDirectory(review) else {
                // The review folder went away before it was taken (removed by hand): nothing to do.
                log.warn("resolution_dropped", ["id": id, "file": "resolution.json", "error": "review/\(id) is not there any more"])
                store.remove(id, owner: owner)
                return .lost
            }
            do {
                try syscall("rename", review) { rename(review, old) }
                try Paths.syncDirectory(store.folder(id))
                try Paths.syncDirectory(layout.review)
            } catch {
                return retryResolution(id, because: "\(error)")
            }
        }
        if let published = layout.published(id) {
            finishBookkeeping(published)
            store.remove(id, owner: owner)
            log.info("bookkeeping_finished", ["id": id, "file": "resolution.json", "folder": published])
            return .imported(id: id, status: "")
        }
        var job: ImportJob
        do {
            try discardResolutionBuild(id)
            job = try resolutionJob(id)
        } catch {
            return retryResolution(id, because: "\(error)")
        }
        let record: ImportRecord
        do {
            record = try ImportRunner.run(job, buildPath: store.build(id)) { layout.result(id, $0) }
        } catch let e as SystemError {
            return retryResolution(id, because: "\(e)")
        } catch {
            log.error("internal_error", ["id": id, "file": job.originalFilename, "error": "\(error)"])
            job.schema = .failure(
                ImportFailure(
                    "INTERNAL",
                    "Intake hit a bug applying resolution.json to \(job.originalFilename): \(error). The file is kept in source/; please report this."
                ))
            job.resolution = nil
            do {
                try discardResolutionBuild(id)
                record = try ImportRunner.run(job, buildPath: store.build(id)) { layout.result(id, $0) }
            } catch { return retryResolution(id, because: "\(error)") }
        }
        do { try records.write(record, sync: true, tag: owner) } catch {
            log.warn("record_not_written", ["id": id, "error": "\(error)"])
        }
        if case .success(let schema) = job.schema { queueWebhook(record, settings: schema.settings) }
        store.remove(id, owner: owner)
        let error = record.importErrors?.first
        log.log(
            record.status == .failed ? .warn : .info, "resolved",
            [
                "id": id, "file": record.originalFilename, "status": record.status.rawValue,
                "rows": record.resultMetadata["num_rows"]?.intValue.map(String.init), "ms": String(Int((Monotonic.now() - started) * 1000)),
                "code": error?.code, "message": error?.message,
            ])
        return .imported(id: id, status: record.status.rawValue)
    }

    private func retryResolution(_ id: String, because reason: String) -> WorkResult.Outcome {
        metrics.retried()
        log.warn("retry_later", ["id": id, "file": "resolution.json", "error": reason])
        return .retry(id: id)
    }

    /// Puts back into `old/source/` what an unfinished publish had moved into the build folder,
    /// then removes the build folder. Throws rather than lose a source file.
    func discardResolutionBuild(_ id: String) throws {
        let store = ResolutionStore(layout: layout)
        let moved = "\(store.build(id))/source"
        try Paths.makeDirectories("\(store.old(id))/source")
        for name in Paths.list(moved) {
            let back = "\(store.old(id))/source/\(name)"
            if !Paths.exists(back) { try syscall("rename", back) { rename("\(moved)/\(name)", back) } }
        }
        Paths.removeTree(store.build(id))
        Paths.removeTree(store.build(id) + ".scratch")
    }

    /// The import again, as the review folder's record and `source/` describe it, with the
    /// resolution. The schema is read again (a fixed schema applies).
    func resolutionJob(_ id: String) throws -> ImportJob {
        let store = ResolutionStore(layout: layout)
        let old = store.old(id)
        let record = (try? Paths.readFile("\(old)/import.json")).flatMap { try? JSONParser.parse($0) }.flatMap(ImportRecord.init(json:))
        let names = Paths.list("\(old)/source")
        let name = record?.originalFilename ?? names.first { !InboxRules.isSidecarName($0) } ?? "unknown"
        var schema: Result<Schema, ImportFailure> = .failure(ImportFailure("INTERNAL", "The review folder of \(id) has no import.json."))
        var sourcePath = "\(old)/source/\(name)"
        var schemaID = record?.schemaID
        let sidecarName = names.first { InboxRules.isSidecarName($0) && $0 != name }
        if let sidecarName,
            case .success(let sidecar) = Sidecar.parse(try Paths.readFile("\(old)/source/\(sidecarName)"), name: sidecarName)
        {
            schema = loadSchema(sidecar)
            if case .saved(let sid) = sidecar.schema { schemaID = sid }
            if let payload = sidecar.initialData {
                switch InitialData.csv(payload) {
                case .failure(let f): schema = .failure(f)
                case .success(let table):
                    let csv = "\(store.folder(id))/initial_data.csv"
                    unlink(csv)
                    let file = try SyncedFile(path: csv)
                    try file.write(table)
                    try file.close()
                    sourcePath = csv
                }
            }
        } else if let schemaID {
            schema = ImportRunner.loadSchema(id: schemaID, root: layout.root)
        }
        if !Paths.exists(sourcePath) {
            schema = .failure(
                ImportFailure(
                    "INTERNAL",
                    "review/\(id)/source/ does not hold \(name) any more, so the import cannot be run again. Drop the file again."))
        }
        var job = ImportJob(
            id: id, schemaID: schemaID, schema: schema, sourcePath: sourcePath, originalFilename: name,
            importMetadata: record?.importMetadata ?? .null, createdDate: record?.createdDate ?? Clock.now())
        job.sourceFiles = names.map { SourceFile(path: "\(old)/source/\($0)", name: $0, move: true) }
        job.memory = MappingMemory(layout: layout)
        let bytes = (try? Paths.readFile(store.resolutionFile(id))) ?? []
        job.resolution = Resolution.parse(bytes)
        return job
    }

    /// Queues the import's webhook, if its schema names one (contract §10), and wakes the sender.
    /// A crash after the publish leaves only the bookkeeping: the record and the webhook, from
    /// the published folder's import.json (imports and resolutions alike).
    func finishBookkeeping(_ published: String) {
        guard let bytes = try? Paths.readFile(published + "/import.json"), let json = try? JSONParser.parse(bytes),
            let record = ImportRecord(json: json)
        else { return }
        try? records.write(record, sync: true, tag: owner)
        if case .success(let schema)? = record.schemaID.map({ ImportRunner.loadSchema(id: $0, root: layout.root) }) {
            queueWebhook(record, settings: schema.settings)
        }
    }

    func queueWebhook(_ record: ImportRecord, settings: Settings) {
        guard let webhooks else { return }
        do {
            if try webhooks.enqueue(record, settings: settings, tag: owner) { wakeWebhooks() }
        } catch {
            log.warn("webhook_not_queued", ["id": record.id, "error": "\(error)"])
        }
    }
}

/// `intake resolve`: applies a resolution to an import in review/ in the foreground, the way
/// the daemon does when resolution.json is put in the folder.
public enum Resolver {
    public struct Unfinished: Error, CustomStringConvertible {
        public var description: String
    }

    /// Claims and applies `bytes` as import `id`'s resolution. Nil when the import is being
    /// resolved already; throws when a problem of the machine stopped it (the claim stays, and
    /// a daemon on the root finishes it).
    public static func resolve(
        _ id: String, bytes: [UInt8], layout: RootLayout, owner: OwnerLock, log: EventLog,
        webhooks: WebhookQueue?
    ) throws -> ImportRecord? {
        let work = ImportWork(layout: layout, owner: owner.id, log: log, metrics: Metrics(), webhooks: webhooks)
        guard try ResolutionStore(layout: layout).claim(id, owner: owner.id, bytes: bytes) else { return nil }
        switch work.finishResolution(id, started: Monotonic.now()) {
        case .imported, .lost:
            guard let folder = layout.published(id), let json = try? JSONParser.parse(try Paths.readFile("\(folder)/import.json")),
                let record = ImportRecord(json: json)
            else {
                throw Unfinished(description: "import \(id) left review/ but no result folder was found")
            }
            return record
        case .retry, .notClaimed, .changed:
            throw Unfinished(
                description:
                    "a problem of the machine stopped the resolution of \(id) (see the log above); it stays claimed in .intake/resolving/ and a running intake watch finishes it"
            )
        }
    }
}
