import Engine
import Glibc

/// The claims of imports, in `.intake/work/` (DESIGN.md, "Claiming"): the claim folder is made
/// whole (claim.json synced) before anything leaves the inbox; then the files are renamed into
/// it, the sidecar first. The first rename decides between daemons: whoever gets ENOENT lost
/// and removes its own claim.
public struct ImportClaims: Sendable {
    public let layout: RootLayout
    public let folders: ClaimFolders

    public init(layout: RootLayout) {
        self.layout = layout
        self.folders = ClaimFolders(layout: layout, directory: layout.work)
    }

    /// A claim left half taken by a problem of the machine: retry it (`repair` finishes it).
    public struct Unfinished: Error {
        public var id: String
        public var reason: any Error
    }

    public func folder(_ id: String) -> String { folders.folder(id) }
    public func slot(_ id: String, _ taken: Claim.Taken) -> String { "\(folder(id))/\(taken.slot)" }
    public func build(_ id: String) -> String { "\(folder(id))/build" }

    /// Claims the plan's files. Returns nil when another daemon was faster, or the file went away.
    public func claim(_ plan: ClaimPlan, owner: String, id: String = ImportJob.newID()) throws -> Claim? {
        let claim = Claim(id: id, owner: owner, createdDate: Timestamp.now(), plan: plan)
        guard try folders.make(id, owner: owner, claim: claim.json) else { return nil }
        for (i, taken) in claim.taken.enumerated() {
            let from = layout.inboxPath(taken.from)
            let e = System.errno("rename", from) { rename(from, slot(id, taken)) }
            if e != 0 {
                if !giveBack(claim, upTo: i) {
                    do { return try keepBroken(claim, taken: i) } catch {
                        // Some files are taken and cannot go back now: the claim stays as it is,
                        // and `repair` finishes it when the work is retried.
                        throw Unfinished(id: id, reason: error)
                    }
                }
                remove(id, owner: owner)
                if e == ENOENT { return nil }
                throw SystemError(call: "rename", path: from, errno: e)
            }
        }
        return claim
    }

    /// Removes a claim folder that holds no dropped file any more (published, lost, given back).
    public func remove(_ id: String, owner: String) { folders.remove(id, owner: owner) }

    public func load(_ id: String) -> Claim? { folders.read(id).flatMap(Claim.init(json:)) }

    /// Keeps where the import's webhooks go with its claim, before the import is run: recovery
    /// after a publish sends exactly what this run would have (contract §10).
    public func keep(_ webhooks: WebhookTargets?, in claim: Claim) throws -> Claim {
        guard claim.webhooks != webhooks else { return claim }
        var c = claim
        c.webhooks = webhooks
        try folders.write(claim.id, c.json, tag: claim.owner)
        return c
    }

    /// Claim folders (not temporaries), by id.
    public func ids() -> [String] { folders.ids() }

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
            let from = layout.inboxPath(taken.from)
            if System.errno("rename", from, { rename(from, slot(claim.id, taken)) }) != 0 {
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
            let moved = "\(build(claim.id))/source/\(taken.from.name)"
            if Paths.exists(moved) && !Paths.exists(slotPath) {
                try System.call("rename", moved) { rename(moved, slotPath) }
            }
        }
    }

    /// Puts the first `count` taken files back where they were. False when one cannot go back
    /// (a new file took its name): then it must not be dropped, see `keepBroken`.
    private func giveBack(_ claim: Claim, upTo count: Int) -> Bool {
        var all = true
        for taken in claim.taken.prefix(count) {
            let back = layout.inboxPath(taken.from)
            if Paths.exists(back) || System.errno("rename", back, { rename(slot(claim.id, taken), back) }) != 0 { all = false }
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
        try folders.write(claim.id, c.json, tag: claim.owner)
        return c
    }
}
