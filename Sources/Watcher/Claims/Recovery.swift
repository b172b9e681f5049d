import Engine
import Glibc

/// Finds the work of dead daemons and takes it over, and sweeps stale temporaries. Runs at
/// start (every leftover claim belongs to a dead daemon then, unless another daemon on the same
/// root is alive) and at each rescan (so a daemon that dies is taken over by one still running).
/// Imports' and resolutions' claims are the same protocol (`ClaimFolders`), recovered alike.
struct Recovery {
    let layout: RootLayout
    let owner: String
    let log: EventLog
    let imports: ImportClaims
    let resolutions: ResolutionClaims

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
        self.imports = ImportClaims(layout: layout)
        self.resolutions = ResolutionClaims(layout: layout)
    }

    /// Adopts the claims of dead owners (see `ClaimFolders.adoptOrphans`) and returns the work
    /// items that carry them on. The ids in `skip` are claims this daemon has already.
    func adoptOrphans(skip: Set<String> = []) -> [WorkItem] {
        imports.folders.adoptOrphans(owner: owner, skip: skip, log: log).map(WorkItem.resume)
            + resolutions.folders.adoptOrphans(owner: owner, skip: skip, log: log).map(WorkItem.resumeResolution)
    }

    /// Removes what dead daemons left half made: claim folders being made or removed, temporary
    /// records and metrics, and the lock files of dead owners with no claims left. Never a claim
    /// folder (those are recovered) and never anything in the inbox or the result folders.
    func sweep() {
        // Asked once per owner and sweep (an open and an flock each), however many temporaries name it.
        var alive: [String: Bool] = [owner: true]
        func isAlive(_ o: String) -> Bool {
            if let known = alive[o] { return known }
            let answer = OwnerLock.isAlive(o, layout: layout)
            alive[o] = answer
            return answer
        }
        imports.folders.sweep(isAlive: isAlive)
        resolutions.folders.sweep(isAlive: isAlive)
        for name in Paths.list(layout.work) where !name.hasPrefix(".") {
            // A build folder of `intake import` that did not finish.
            let path = "\(layout.work)/\(name)"
            if !Paths.exists("\(path)/claim.json"), age(path) > Recovery.staleAge { Paths.removeTree(path) }
        }
        // Files being written atomically (`.<name>.<tag>.tmp`): a dead daemon's go at once; one
        // whose tag names no daemon (`intake import` tags with its import id) once it is older
        // than any write takes.
        for dir in [layout.records, layout.state, layout.webhooks, layout.memory] {
            for name in Paths.list(dir) {
                guard let temp = TempName(parsing: name), !isAlive(temp.owner) else { continue }
                let path = "\(dir)/\(name)"
                if Paths.exists("\(layout.owners)/\(temp.owner).lock") || age(path) > Recovery.startingAge {
                    Paths.removeFile(path)
                }
            }
        }
        // .<owner>.tmp: a lock being taken (OwnerLock.init: create, flock, rename). One that no
        // one holds and that is not young belongs to a daemon killed while starting; it holds
        // no claim (locks come first). Found by the soak: it stayed for ever.
        for name in Paths.list(layout.owners) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let path = "\(layout.owners)/\(name)"
            guard let sig = FileSignature.of(path), sig.age(byMTime: true) > Recovery.startingAge else { continue }
            OwnerLock.removeIfUnheld(path)
        }
        let owning = Set((imports.ids().compactMap(imports.folders.owner)) + resolutions.ids().compactMap(resolutions.folders.owner))
        for o in OwnerLock.owners(layout: layout) where o != owner && !owning.contains(o) {
            OwnerLock.lockIfDead(o, layout: layout)?.finish()
        }
    }

    private func age(_ path: String) -> Double {
        FileSignature.of(path)?.age ?? 0
    }
}
