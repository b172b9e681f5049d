import Engine
import Glibc

/// Applying a resolution (contract §6): the review folder is taken into the claim, the import
/// is run again from its `source/` with the person's decisions, and the new folder published to
/// outbox/, review/ or failed/. Crash-safe the way imports are (see `ResolutionClaims`).
extension ImportWork {
    /// Claims `review/<id>/resolution.json` and applies it.
    func resolve(_ id: String, started: Double) -> WorkResult.Outcome {
        do {
            guard try resolutions.claim(id, owner: owner) else {
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
        let store = resolutions
        guard Paths.isDirectory(store.folder(id)) else { return .lost }
        do {
            guard try store.repair(id, owner: owner) else {
                log.warn(
                    "resolution_dropped",
                    ["id": id, "file": "resolution.json", "error": "review/\(id)/resolution.json is not there any more"])
                return .lost
            }
        } catch {
            return retryLater(id, file: "resolution.json", because: "\(error)")
        }
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
                try System.call("rename", review) { rename(review, old) }
                try Paths.syncDirectory(store.folder(id))
                try Paths.syncDirectory(layout.review)
            } catch {
                return retryLater(id, file: "resolution.json", because: "\(error)")
            }
        }
        if let published = layout.published(id) {
            return finishBookkeeping(published, webhooks: store.webhooks(id), file: "resolution.json") { store.remove(id, owner: owner) }
        }
        var job: ImportJob
        let webhooks: WebhookTargets?
        do {
            try discardResolutionBuild(id)  // before the job: it lists old/source/
            job = try resolutionJob(id)
            webhooks = job.webhooks
            try store.keep(webhooks, for: id)
        } catch {
            return retryLater(id, file: "resolution.json", because: "\(error)")
        }
        let record: ImportRecord
        do {
            record = try runReportingBugs(&job, doing: "applying resolution.json to") { job in
                try discardResolutionBuild(id)
                return try ImportRunner.run(job, buildPath: store.build(id)) { layout.result(id, $0) }
            }
        } catch {
            return retryLater(id, file: "resolution.json", because: "\(error)")
        }
        guard conclude(record, webhooks: webhooks, release: { store.remove(id, owner: owner) }) else { return .retry(id: id) }
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

    /// Puts back into `old/source/` what an unfinished publish had moved into the build folder,
    /// then removes the build folder. Throws rather than lose a source file.
    func discardResolutionBuild(_ id: String) throws {
        let store = resolutions
        let moved = "\(store.build(id))/source"
        try Paths.makeDirectories("\(store.old(id))/source")
        for name in Paths.list(moved) {
            let back = "\(store.old(id))/source/\(name)"
            if !Paths.exists(back) { try System.call("rename", back) { rename("\(moved)/\(name)", back) } }
        }
        Paths.removeTree(store.build(id))
        Paths.removeTree(store.build(id) + ".scratch")
    }

    /// The import again, as the review folder's record and `source/` describe it, with the
    /// resolution. The schema is read again (a fixed schema applies).
    func resolutionJob(_ id: String) throws -> ImportJob {
        let store = resolutions
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
            schema = schemas.sidecar(sidecar)
            if case .saved(let sid) = sidecar.schema { schemaID = sid }
            if let payload = sidecar.initialData {
                switch InitialData.csv(payload, fieldKeys: (try? schema.get())?.fields.map(\.key)) {
                case .failure(let f): schema = .failure(f)
                case .success(let table):
                    let csv = "\(store.folder(id))/initial_data.csv"
                    Paths.removeFile(csv)
                    let file = try SyncedFile(path: csv)
                    try file.write(table)
                    try file.close()
                    sourcePath = csv
                }
            }
        } else if let schemaID {
            schema = schemas.saved(schemaID)
        }
        if !Paths.exists(sourcePath) {
            schema = .failure(
                ImportFailure(
                    "INTERNAL",
                    "review/\(id)/source/ does not hold \(name) any more, so the import cannot be run again. Drop the file again."))
        }
        var job = ImportJob(
            id: id, schemaID: schemaID, schema: schema, sourcePath: sourcePath, originalFilename: name,
            importMetadata: record?.importMetadata ?? .null, createdDate: record?.createdDate ?? Timestamp.now())
        job.sourceFiles = names.map { SourceFile(path: "\(old)/source/\($0)", name: $0, move: true) }
        job.memory = MappingMemory(layout: layout)
        let bytes = (try? Paths.readFile(store.resolutionFile(id))) ?? []
        job.resolution = Resolution.parse(bytes)
        return job
    }
}
