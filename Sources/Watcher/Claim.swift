import Engine
import Glibc

/// A claimed import: `.intake/work/<id>/claim.json` says what was taken out of the inbox and by
/// whom, so the claim can be finished, given back or redone by whoever finds it after a crash.
public struct Claim: Sendable, Equatable {
    public struct Taken: Sendable, Equatable {
        /// The name inside the claim folder: `sidecar`, `data` or `marker` (a done file).
        public var slot: String
        public var from: InboxPath
    }

    public var id: String
    /// The daemon that owns the claim (its lock in `.intake/owners/`).
    public var owner: String
    public var createdDate: String
    public var taken: [Taken]
    public var schemaFolder: String?
    public var failure: ImportFailure?
    public var originalFilename: String

    public init(id: String, owner: String, createdDate: String, plan: ClaimPlan) {
        self.id = id
        self.owner = owner
        self.createdDate = createdDate
        self.taken = plan.take.map { Taken(slot: $0.isSidecar ? "sidecar" : $0.isMarker ? "marker" : "data", from: $0) }
        self.schemaFolder = plan.schemaFolder
        self.failure = plan.failure
        self.originalFilename = plan.originalFilename
    }

    public var json: JSONValue {
        [
            "id": .string(id), "owner": .string(owner), "created_date": .string(createdDate),
            "taken": .array(taken.map { ["slot": .string($0.slot), "from": .string($0.from.relative)] }),
            "schema_folder": .string(schemaFolder), "failure": failure?.json ?? .null,
            "original_filename": .string(originalFilename),
        ]
    }

    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let owner = json["owner"]?.stringValue, let taken = json["taken"]?.arrayValue,
            let name = json["original_filename"]?.stringValue
        else { return nil }
        self.id = id
        self.owner = owner
        self.createdDate = json["created_date"]?.stringValue ?? Clock.now()
        var list: [Taken] = []
        for t in taken {
            guard let slot = t["slot"]?.stringValue, ["sidecar", "data", "marker"].contains(slot),
                let from = t["from"]?.stringValue.flatMap(InboxPath.init(relative:))
            else { return nil }
            list.append(Taken(slot: slot, from: from))
        }
        guard !list.isEmpty else { return nil }
        self.taken = list
        self.schemaFolder = json["schema_folder"]?.stringValue
        self.failure = json["failure"].flatMap { f in f["code"]?.stringValue.map { ImportFailure($0, f["message"]?.stringValue ?? "") } }
        self.originalFilename = name
    }

    public var sidecar: Taken? { taken.first { $0.slot == "sidecar" } }
    public var data: Taken? { taken.first { $0.slot == "data" } }
}

/// Makes, reads and repairs claims (DESIGN.md, "Claiming"). The claim folder is made whole
/// (claim.json synced) before anything leaves the inbox; then the files are renamed into it, the
/// sidecar first. The first rename decides between daemons: whoever gets ENOENT lost and
/// removes its own claim.
public struct ClaimStore: Sendable {
    public let layout: RootLayout

    public init(layout: RootLayout) { self.layout = layout }

    public func folder(_ id: String) -> String { layout.claim(id) }
    public func slot(_ id: String, _ taken: Claim.Taken) -> String { "\(layout.claim(id))/\(taken.slot)" }
    public func build(_ id: String) -> String { "\(layout.claim(id))/build" }

    /// Claims the plan's files. Returns nil when another daemon was faster, or the file went away.
    public func claim(_ plan: ClaimPlan, owner: String, id: String = ImportJob.newID()) throws -> Claim? {
        let claim = Claim(id: id, owner: owner, createdDate: Clock.now(), plan: plan)
        let tmp = "\(layout.work)/.\(id).\(owner).tmp"
        try syscall("mkdir", tmp) { mkdir(tmp, 0o755) }
        do {
            let file = try SyncedFile(path: "\(tmp)/claim.json")
            try file.write(JSONWriter.document(claim.json))
            try file.close()
            try syscall("rename", tmp) { rename(tmp, folder(id)) }
        } catch {
            Paths.removeTree(tmp)
            throw error
        }
        do { try Paths.syncDirectory(layout.work) } catch {
            // Nothing left the inbox yet: without this the empty claim would stay in .intake/work
            // for as long as this daemon lives (found by FaultTests: a failed fsync or open here).
            remove(id, owner: owner)
            throw error
        }
        for (i, taken) in claim.taken.enumerated() {
            let from = layout.inboxPath(taken.from)
            if rename(from, slot(id, taken)) != 0 {
                let e = errno
                if !giveBack(claim, upTo: i) { return try keepBroken(claim, taken: i) }
                remove(id, owner: owner)
                if e == ENOENT { return nil }
                throw SystemError(call: "rename", path: from, errno: e)
            }
        }
        return claim
    }

    /// Removes a claim folder that holds no dropped file any more (published, lost, given back).
    /// It is renamed to a temporary name first, so a kill in the middle leaves either the whole
    /// claim (recovery finishes its bookkeeping) or a temporary that the sweep removes.
    public func remove(_ id: String, owner: String) {
        let trash = "\(layout.work)/.\(id).\(owner).tmp"
        if rename(folder(id), trash) == 0 { Paths.removeTree(trash) } else { Paths.removeTree(folder(id)) }
    }

    public func load(_ id: String) -> Claim? {
        guard let bytes = try? Paths.readFile("\(folder(id))/claim.json"), let json = try? JSONParser.parse(bytes) else { return nil }
        return Claim(json: json)
    }

    /// Rewrites claim.json with a new owner (adoption of a dead daemon's claim).
    public func setOwner(_ claim: Claim, to owner: String) throws -> Claim {
        var c = claim
        c.owner = owner
        try RootLayout.writeAtomically("\(folder(claim.id))/claim.json", JSONWriter.document(c.json), sync: true, tag: owner)
        return c
    }

    /// Claim folders (not temporaries), by id.
    public func ids() -> [String] {
        Paths.list(layout.work).filter { !$0.hasPrefix(".") && Paths.exists("\(layout.work)/\($0)/claim.json") }
    }

    /// Brings an unfinished claim back to "every file in its slot" after a crash: files moved into
    /// the build folder go back to their slots, renames the crash interrupted are finished. When
    /// the first file was never taken the claim was lost: it is removed and nil returned. When a
    /// later file cannot be taken any more, what was taken is given back to the inbox.
    public func repair(_ claim: Claim) -> Claim? {
        try? moveSourcesBack(claim)
        let have = claim.taken.map { Paths.exists(slot(claim.id, $0)) }
        guard have.first == true else {
            remove(claim.id, owner: claim.owner)
            return nil
        }
        for (i, taken) in claim.taken.enumerated() where !have[i] {
            if rename(layout.inboxPath(taken.from), slot(claim.id, taken)) != 0 {
                if !giveBack(claim, upTo: i) { return try? keepBroken(claim, taken: i) }
                remove(claim.id, owner: claim.owner)
                return nil
            }
        }
        return claim
    }

    /// Removes an unpublished build folder, after moving back to their slots the taken files a
    /// publish that did not happen had moved into it. Throws rather than delete a dropped file.
    public func discardBuild(_ claim: Claim) throws {
        try moveSourcesBack(claim)
        Paths.removeTree(build(claim.id))
        Paths.removeTree(build(claim.id) + ".scratch")
    }

    private func moveSourcesBack(_ claim: Claim) throws {
        for taken in claim.taken {
            let slotPath = slot(claim.id, taken)
            let moved = "\(build(claim.id))/source/\(sourceName(claim, taken))"
            if Paths.exists(moved) && !Paths.exists(slotPath) {
                try syscall("rename", moved) { rename(moved, slotPath) }
            }
        }
    }

    /// The name a taken file has in the result's `source/`.
    public func sourceName(_ claim: Claim, _ taken: Claim.Taken) -> String { taken.from.name }

    /// Puts the first `count` taken files back where they were. False when one cannot go back
    /// (a new file took its name): then it must not be dropped, see `keepBroken`.
    private func giveBack(_ claim: Claim, upTo count: Int) -> Bool {
        var all = true
        for taken in claim.taken.prefix(count) {
            let back = layout.inboxPath(taken.from)
            if Paths.exists(back) || rename(slot(claim.id, taken), back) != 0 { all = false }
        }
        return all
    }

    /// A claim whose data file vanished while it was being taken, and whose sidecar cannot go
    /// back: it ends FAILED with what was taken, so nothing is lost.
    private func keepBroken(_ claim: Claim, taken count: Int) throws -> Claim {
        var c = claim
        let missing = claim.taken[count].from.relative
        c.taken = Array(claim.taken.prefix(count))
        c.failure = ImportFailure(
            "UPLOAD_EXPIRED",
            "The data file \(missing) left inbox/ while its import was being started. Drop the file and the sidecar again.")
        try RootLayout.writeAtomically("\(folder(claim.id))/claim.json", JSONWriter.document(c.json), sync: true, tag: claim.owner)
        return c
    }
}
