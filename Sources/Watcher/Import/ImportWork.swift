import Engine
import Glibc

/// What a worker does with a work item: claim, import, publish, keep the record, clean up
/// (contract §3). The same path serves a fresh claim and one found after a crash, which is why
/// a redo is safe: a published result is never made again, only its bookkeeping finished.
struct ImportWork: Sendable {
    let layout: RootLayout
    let claims: ImportClaims
    let resolutions: ResolutionClaims
    let schemas: SchemaSource
    let records: RecordStore
    let owner: String
    let log: EventLog
    let metrics: Metrics
    /// The settle time (§2c): an import done again after its file changed waits until the file
    /// has not been written to for this long.
    var settle = 0.2
    /// Where ended imports queue their webhooks (nil: none are sent), and how to wake the sender.
    let webhooks: WebhookQueue?
    let wakeWebhooks: @Sendable () -> Void

    init(
        layout: RootLayout, owner: String, log: EventLog, metrics: Metrics, webhooks: WebhookQueue? = nil,
        wakeWebhooks: @escaping @Sendable () -> Void = {}
    ) {
        self.webhooks = webhooks
        self.wakeWebhooks = wakeWebhooks
        self.layout = layout
        self.claims = ImportClaims(layout: layout)
        self.resolutions = ResolutionClaims(layout: layout)
        self.schemas = SchemaSource(root: layout.root)
        self.records = RecordStore(layout: layout)
        self.owner = owner
        self.log = log
        self.metrics = metrics
    }

    func perform(_ item: WorkItem) -> WorkResult.Outcome {
        let started = Monotonic.now()
        switch item {
        case .claim(let plan):
            let claim: Claim
            do {
                guard let c = try claims.claim(plan, owner: owner) else {
                    metrics.lostClaim()
                    log.debug("claim_lost", ["file": plan.take[0].relative])
                    return .lost
                }
                claim = c
            } catch let unfinished as ImportClaims.Unfinished {
                log.warn(
                    "claim_failed",
                    ["id": unfinished.id, "file": plan.take[0].relative, "error": "\(unfinished.reason)", "action": "retry"])
                metrics.retried()
                return .retry(id: unfinished.id)
            } catch {
                log.warn("claim_failed", ["file": plan.take[0].relative, "error": "\(error)"])
                return .notClaimed
            }
            log.info("claimed", ["id": claim.id, "file": plan.take.map(\.relative).joined(separator: ",")])
            return finish(claim, started: started)
        case .resume(let id):
            guard let claim = claims.load(id) else { return .lost }
            return finish(claim, started: started)
        case .redo(let id):
            guard let claim = claims.load(id) else { return .lost }
            return finish(claim, started: started, redo: true)
        case .resolve(let id):
            return resolve(id, started: started)
        case .resumeResolution(let id):
            return finishResolution(id, started: started)
        }
    }

    /// Imports a claim whose files are in its folder (or repairs it first), publishes, records.
    func finish(_ claim: Claim, started: Double, redo: Bool = false) -> WorkResult.Outcome {
        let id = claim.id
        if let published = layout.published(id) {
            return finishBookkeeping(published, webhooks: claim.webhooks, file: claim.originalFilename) { claims.remove(id, owner: owner) }
        }
        guard var claim = claims.repair(claim) else {
            // Its files are back in the inbox (or gone): the next claim is a new import, so a
            // RUNNING/PENDING record of this id must not linger in `intake status`.
            Paths.removeFile(layout.record(id))
            log.info("claim_given_back", ["id": id, "file": claim.originalFilename])
            return .lost
        }
        // What the kernel says of the claimed file's writers, asked once: whether to read it yet,
        // and whether source/ may be the claimed file itself.
        let writers = claim.data.map { WriterProbe.probe(claims.slot(id, $0)) } ?? .unknown
        var job = makeJob(claim, writers: writers)
        if let data = claim.data, let busy = stillWritten(claims.slot(id, data), writers: writers, heldStill: redo ? settle : 0) {
            // A writer opened it between the look that found it complete and the claim, or it
            // was claimed again after a change: wait, rather than import what is there so far.
            log.info("changed_during_import", ["id": id, "file": job.originalFilename, "change": busy, "action": "wait"])
            return .changed(id: id)
        }
        do { claim = try claims.keep(job.webhooks, in: claim) } catch { return retry(claim, job: job, because: "\(error)") }
        try? records.write(
            ImportRecord(
                id: id, schemaID: job.schemaID, status: .running, originalFilename: job.originalFilename,
                createdDate: claim.createdDate, modifiedDate: Timestamp.now(), importMetadata: job.importMetadata),
            sync: false, tag: owner)
        let record: ImportRecord
        do {
            record = try runReportingBugs(&job, doing: "importing") { try run($0, claim) }
        } catch let changed as SourceChanged {
            log.warn("changed_during_import", ["id": id, "file": job.originalFilename, "change": changed.change, "action": "redo"])
            return .changed(id: id)
        } catch let e as SystemError {
            // repair() put every taken file in its slot: one missing now was removed from
            // .intake/work/ during the import. Retrying would wait for it forever; end FAILED.
            guard e.errno == ENOENT,
                let gone = claim.taken.first(where: { taken in
                    !Paths.exists(claims.slot(id, taken)) && !Paths.exists("\(claims.build(id))/source/\(taken.from.name)")
                })
            else { return retry(claim, job: job, because: "\(e)") }
            log.warn("source_vanished", ["id": id, "file": gone.from.relative, "error": "\(e)"])
            job.schema = .failure(
                ImportFailure(
                    "UNREADABLE_FILE",
                    "\(gone.from.name) was removed from .intake/work/\(id)/ while it was being imported, so there is nothing left to import. Drop it again."
                ))
            do { record = try run(job, claim) } catch { return retry(claim, job: job, because: "\(error)") }
        } catch {
            return retry(claim, job: job, because: "\(error)")
        }
        guard conclude(record, webhooks: claim.webhooks, release: { claims.remove(id, owner: owner) }) else { return .retry(id: id) }
        let seconds = Monotonic.now() - started
        let rows = record.resultMetadata["num_rows"]?.intValue
        metrics.finished(record.status, rows: rows ?? 0, seconds: seconds)
        let error = record.importErrors?.first
        log.log(
            record.status == .failed ? .warn : .info, "imported",
            [
                "id": id, "file": record.originalFilename, "status": record.status.rawValue, "rows": rows.map(String.init),
                "ms": String(Int(seconds * 1000)), "code": error?.code, "message": error?.message,
            ])
        return .imported(id: id, status: record.status.rawValue)
    }

    /// Why the claimed file at `path` must not be read yet: someone has it open for writing,
    /// or (an import done again after a change) it was written to less than `heldStill` ago.
    private func stillWritten(_ path: String, writers: Writers, heldStill: Double) -> String? {
        if writers == .open { return "a process has it open for writing" }
        guard heldStill > 0, let age = FileSignature.of(path)?.age(byMTime: true), age < heldStill else { return nil }
        return "it was written to \(Int(age * 1000)) ms ago"
    }

    /// Runs `job`. An error that is neither a problem of the machine (`SystemError`) nor a change
    /// of the claimed file (`SourceChanged`) is a bug, not an outcome: the import is run again as
    /// FAILED `INTERNAL`, so that its folder says so and keeps the source (imports and resolutions).
    func runReportingBugs(_ job: inout ImportJob, doing: String, _ run: (ImportJob) throws -> ImportRecord) throws -> ImportRecord {
        do {
            return try run(job)
        } catch let error where error is SystemError || error is SourceChanged {
            throw error
        } catch {
            log.error("internal_error", ["id": job.id, "file": job.originalFilename, "error": "\(error)"])
            job.schema = .failure(
                ImportFailure(
                    "INTERNAL",
                    "Intake hit a bug \(doing) \(job.originalFilename): \(error). The file is kept in source/; please report this."))
            job.resolution = nil
            return try run(job)
        }
    }

    private func run(_ job: ImportJob, _ claim: Claim) throws -> ImportRecord {
        try claims.discardBuild(claim)
        return try ImportRunner.run(job, buildPath: claims.build(job.id)) { layout.result(job.id, $0) }
    }

    private func retry(_ claim: Claim, job: ImportJob, because reason: String) -> WorkResult.Outcome {
        retryLater(
            claim.id, file: job.originalFilename, because: reason,
            pending: ImportRecord(
                id: claim.id, schemaID: job.schemaID, status: .pending, originalFilename: job.originalFilename,
                createdDate: claim.createdDate, modifiedDate: Timestamp.now(), importMetadata: job.importMetadata))
    }

    /// A problem of the machine (full disk, I/O error): the work item is tried again later, after
    /// the daemon machine's back-off. `pending`: what `intake status` says meanwhile.
    func retryLater(_ id: String, file: String, because reason: String, pending: ImportRecord? = nil) -> WorkResult.Outcome {
        metrics.retried()
        log.warn("retry_later", ["id": id, "file": file, "error": reason])
        if let pending { try? records.write(pending, sync: false, tag: owner) }
        return .retry(id: id)
    }

    /// The end every import and resolution comes to once its folder is published: the record
    /// for `intake status`, the webhook kept with the claim (contract §10), the claim let go.
    /// False when the webhook could not be queued: the claim stays, and the bookkeeping is
    /// finished again when the work item is retried.
    func conclude(_ record: ImportRecord, webhooks: WebhookTargets?, release: () -> Void) -> Bool {
        do { try records.write(record, sync: true, tag: owner) } catch {
            log.warn("record_not_written", ["id": record.id, "error": "\(error)"])
        }
        if let queue = self.webhooks {
            do {
                if try queue.enqueue(record, to: webhooks, tag: owner) { wakeWebhooks() }
            } catch {
                log.warn("webhook_not_queued", ["id": record.id, "error": "\(error)"])
                metrics.retried()
                return false
            }
        }
        release()
        return true
    }

    /// A crash after the publish leaves only the bookkeeping: the record from the published
    /// folder's import.json, and the webhook the claim kept (imports and resolutions alike).
    func finishBookkeeping(_ published: String, webhooks: WebhookTargets?, file: String, release: () -> Void) -> WorkResult.Outcome {
        guard let bytes = try? Paths.readFile(published + "/import.json"), let json = try? JSONParser.parse(bytes),
            let record = ImportRecord(json: json)
        else {
            release()
            return .lost
        }
        guard conclude(record, webhooks: webhooks, release: release) else { return .retry(id: record.id) }
        log.info("bookkeeping_finished", ["id": record.id, "file": file, "folder": published])
        return .imported(id: record.id, status: "")
    }

    /// The job a claim stands for: its schema (saved, from the schema folder, from the sidecar,
    /// with the sidecar's overrides), its data (the file, or `initial_data` made CSV), and what
    /// goes into `source/` (every taken file, moved in; the payload as initial_data.json).
    func makeJob(_ claim: Claim, writers: Writers? = nil) -> ImportJob {
        let id = claim.id
        let dataSlot = claim.data.map { claims.slot(id, $0) }
        // A writer that goes on after the claim must never change a published folder. Where the
        // kernel vouches that no one has the claimed file open for writing (a read lease), no
        // one can write it again: it is reachable only under .intake/ now, and the check before
        // the publish asks the kernel again; it is moved into source/. Where the kernel cannot
        // say (no lease for this daemon, a network file system), the data file is copied, and
        // the claimed inode is removed with the claim. What cannot be read is moved.
        var sources = claim.taken.map { taken in
            let path = claims.slot(id, taken)
            let copy =
                taken.slot == "data" && FileSignature.of(path)?.isImportable == true && access(path, R_OK) == 0
                && (writers ?? WriterProbe.probe(path)) != .none
            return SourceFile(path: path, name: taken.from.name, move: !copy)
        }
        var schemaID = claim.schemaFolder
        var schema: Result<Schema, ImportFailure> = .failure(ImportFailure("INTERNAL", "no schema"))
        var metadata: JSONValue = .null
        var sourcePath = dataSlot ?? claims.slot(id, claim.taken[0])
        var name = claim.originalFilename

        var sidecar: Result<Sidecar, ImportFailure>?
        if let taken = claim.sidecar {
            do {
                sidecar = Sidecar.parse(try Paths.readFile(claims.slot(id, taken)), name: taken.from.name)
            } catch {
                sidecar = .failure(ImportFailure("INVALID_SIDECAR", "The sidecar \(taken.from.name) cannot be read: \(error)."))
            }
        }
        if case .success(let s)? = sidecar {
            metadata = s.importMetadata
            if case .saved(let sid) = s.schema { schemaID = sid }
        }
        if let failure = claim.failure {
            schema = .failure(failure)
        } else if let folder = claim.schemaFolder {
            schema = schemas.saved(folder)
        } else if let sidecar {
            switch sidecar {
            case .failure(let f):
                schema = .failure(f)
            case .success(let s):
                schema = schemas.sidecar(s)
                if let payload = s.initialData {
                    name = s.originalFilename ?? "initial_data.json"
                    let json = "\(claims.folder(id))/initial_data.json"
                    let csv = "\(claims.folder(id))/initial_data.csv"
                    var bytes: [UInt8] = []
                    JSONWriter.appendCompact(payload, to: &bytes)
                    bytes.append(0x0A)
                    do {
                        try writeFile(json, bytes)
                        sources.append(SourceFile(path: json, name: "initial_data.json", move: true))
                        switch InitialData.csv(payload, fieldKeys: (try? schema.get())?.fields.map(\.key)) {
                        case .failure(let f): schema = .failure(f)
                        case .success(let table):
                            try writeFile(csv, table)
                            sourcePath = csv
                        }
                    } catch {
                        schema = .failure(ImportFailure("INTERNAL", "initial_data could not be written: \(error)"))
                    }
                }
            }
        }
        var job = ImportJob(
            id: id, schemaID: schemaID, schema: schema, sourcePath: sourcePath, originalFilename: name,
            importMetadata: metadata, createdDate: claim.createdDate)
        job.sourceFiles = sources
        job.memory = MappingMemory(layout: layout)
        job.hooksDirectory = "\(layout.root)/schemas"
        return job
    }

    private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        Paths.removeFile(path)
        let file = try SyncedFile(path: path)
        try file.write(bytes)
        try file.close()
    }
}
