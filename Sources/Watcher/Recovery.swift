import Glibc

/// Finds the work of dead daemons and takes it over, and sweeps stale temporaries. Runs at
/// start (every leftover claim belongs to a dead daemon then, unless another daemon on the same
/// root is alive) and at each rescan (so a daemon that dies is taken over by one still running).
struct Recovery {
    let layout: RootLayout
    let owner: String
    let log: EventLog
    let claims: ClaimStore

    /// Temporaries of a live owner older than this are swept anyway (an `intake import` build
    /// folder has no owner).
    static let staleAge: Double = 3600
    /// A starting daemon's lock is unheld only between its create and its flock (microseconds);
    /// one unheld for this long is a dead daemon's.
    static let startingAge: Double = 10

    init(layout: RootLayout, owner: String, log: EventLog) {
        self.layout = layout
        self.owner = owner
        self.log = log
        self.claims = ClaimStore(layout: layout)
    }

    /// Adopts the claims of dead owners: for each, with the dead owner's lock held (so two
    /// adopters never both take one), claim.json is rewritten naming this daemon. Returns the
    /// ids to carry on with. `skip` holds ids this daemon already has.
    func adoptOrphans(skip: Set<String>) -> [String] {
        var byOwner: [String: [String]] = [:]
        for id in claims.ids() where !skip.contains(id) {
            guard let claim = claims.load(id), claim.owner != owner else { continue }
            byOwner[claim.owner, default: []].append(id)
        }
        var adopted: [String] = []
        for (dead, ids) in byOwner.sorted(by: { $0.key < $1.key }) {
            guard let lock = OwnerLock.lockIfDead(dead, layout: layout) else { continue }
            for id in ids {
                // Read again under the lock: another daemon may have adopted it meanwhile.
                guard let claim = claims.load(id), claim.owner == dead else { continue }
                // The lock alone does not decide: once the first adopter has removed the dead
                // owner's lock file, a second one finds no lock to hold (seen on GlusterFS: one
                // claim adopted by three daemons). The file system decides, as for claiming.
                guard OwnerLock.takeOver(claims.folder(id), from: dead, by: owner, layout: layout) else { continue }
                do {
                    _ = try claims.setOwner(claim, to: owner)
                    adopted.append(id)
                    log.info("recovered", ["id": id, "file": claim.originalFilename, "from_owner": dead])
                } catch {
                    log.warn("recovery_failed", ["id": id, "error": "\(error)"])
                }
            }
            lock.finish()
        }
        return adopted
    }

    /// Removes what dead daemons left half made: claim folders being made, temporary records and
    /// metrics, and the lock files of dead owners with no claims left. Never a claim folder
    /// (those are recovered) and never anything in the inbox or the result folders.
    func sweep() {
        let live = liveOwners()
        for name in Paths.list(layout.work) {
            let path = "\(layout.work)/\(name)"
            if name.hasPrefix(".") && name.hasSuffix(".tmp") {
                // .<id>.<owner>.tmp: a claim folder being made; nothing left the inbox yet.
                let parts = name.split(separator: ".")
                if parts.count >= 3, !live.contains(String(parts[parts.count - 2])) { Paths.removeTree(path) }
            } else if !Paths.exists("\(path)/claim.json"), age(path) > Recovery.staleAge {
                // A build folder of `intake import` that did not finish.
                Paths.removeTree(path)
            }
        }
        for dir in [layout.records, layout.state] {
            for name in Paths.list(dir) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
                let parts = name.split(separator: ".")
                let tag = parts.count >= 2 ? String(parts[parts.count - 2]) : ""
                if !live.contains(tag) || age("\(dir)/\(name)") > Recovery.staleAge { unlink("\(dir)/\(name)") }
            }
        }
        // .<owner>.tmp: a lock being taken (OwnerLock.init: create, flock, rename). One that no
        // one holds and that is not young belongs to a daemon killed while starting; it holds
        // no claim (locks come first). Found by the soak: it stayed for ever.
        for name in Paths.list(layout.owners) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let path = "\(layout.owners)/\(name)"
            guard let sig = FileSignature.of(path), sig.age(byMTime: true) > Recovery.startingAge else { continue }
            let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            close(fd)
        }
        let owning = Set(claims.ids().compactMap { claims.load($0)?.owner })
        for o in OwnerLock.owners(layout: layout) where o != owner && !owning.contains(o) {
            OwnerLock.lockIfDead(o, layout: layout)?.finish()
        }
    }

    /// Owners whose lock is held now.
    private func liveOwners() -> Set<String> {
        var live: Set<String> = [owner]
        for o in OwnerLock.owners(layout: layout) where o != owner {
            let path = "\(layout.owners)/\(o).lock"
            let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_SH | LOCK_NB) != 0 { live.insert(o) } else { flock(fd, LOCK_UN) }
            close(fd)
        }
        // Owners starting up hold a lock under a temporary name: count them live.
        for name in Paths.list(layout.owners) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            live.insert(String(name.dropFirst().dropLast(4)))
        }
        return live
    }

    private func age(_ path: String) -> Double {
        FileSignature.of(path)?.age ?? 0
    }
}
