import Engine

/// What the daemon decided to take out of the inbox as one import: the files to claim (the first
/// rename decides between competing daemons), the schema folder if any, and the failure already
/// known before the import runs (`MISSING_SIDECAR`, `UPLOAD_EXPIRED`, `INVALID_SIDECAR`, a refused file).
public struct ClaimPlan: Sendable, Equatable, CustomStringConvertible {
    public var take: [InboxPath]
    public var schemaFolder: String?
    public var failure: ImportFailure?
    /// The name the import is recorded under.
    public var originalFilename: String

    public init(take: [InboxPath], schemaFolder: String? = nil, failure: ImportFailure? = nil, originalFilename: String? = nil) {
        self.take = take
        self.schemaFolder = schemaFolder
        self.failure = failure
        self.originalFilename = originalFilename ?? take.last!.name
    }

    public var description: String {
        take.map(\.relative).joined(separator: "+") + (failure.map { " (\($0.code))" } ?? "")
    }
}

/// Pairs sidecars with data files and decides when a file is complete (contract §2, §3): events
/// in, actions out, with explicit times in seconds on a monotonic clock, so tests drive it
/// without sleeping. It never touches the disk: the daemon stats what `due` names, reads the
/// sidecars `tick` asks for, and carries out the claims.
public struct PairingMachine {
    public var settle: Double
    public var uploadWindow: Double

    /// What the sidecar says about its data, once it has been read.
    public enum SidecarContent: Sendable, Equatable {
        case invalid(ImportFailure)
        /// `initial_data`: nothing to wait for.
        case payload
        /// The data file's name in the inbox.
        case names(String)
    }

    public enum Action: Sendable, Equatable {
        /// Read this complete sidecar and report with `sidecarRead`.
        case readSidecar(InboxPath)
        /// The sidecar waits for its data file (AWAITING_UPLOAD); said once.
        case awaiting(sidecar: InboxPath, file: String)
        case claim(ClaimPlan)
    }

    struct Entry {
        var signature: FileSignature
        /// When the file came (from its ctime when a scan found it), for the upload window.
        var arrival: Double
        /// Last change seen: an event, or a different signature.
        var changed: Double
        var complete = false
        var content: SidecarContent?
        var reading = false
        var announced = false
    }

    private(set) var entries: [InboxPath: Entry] = [:]

    public init(settle: Double = 0.2, uploadWindow: Double = 1800) {
        self.settle = settle
        self.uploadWindow = uploadWindow
    }

    /// The files being followed.
    public var paths: [InboxPath] { Array(entries.keys) }
    public func contains(_ path: InboxPath) -> Bool { entries[path] != nil }
    public var count: Int { entries.count }

    /// A look at `path`: nil when it is gone. `event` says an inotify event named it, which
    /// restarts its settle time even when size and mtime are the same. `age` is how long the
    /// file has been there already (from its ctime), for a file found by a scan.
    public mutating func observe(_ path: InboxPath, _ signature: FileSignature?, now: Double, event: Bool = false, age: Double = 0) {
        guard let signature else {
            entries[path] = nil
            return
        }
        guard var entry = entries[path] else {
            entries[path] = Entry(signature: signature, arrival: now - max(0, age), changed: now)
            return
        }
        if entry.signature != signature {
            let replaced = entry.signature.inode != signature.inode
            entry.signature = signature
            entry.changed = now
            entry.complete = false
            entry.content = nil
            entry.reading = false
            if replaced { entry.arrival = now - max(0, age) }
        } else if event {
            entry.changed = now
            entry.complete = false
        } else if !entry.complete && now - entry.changed >= settle {
            entry.complete = true
        }
        entries[path] = entry
    }

    /// Files whose settle time is over and that must be looked at again to be called complete.
    public func due(now: Double) -> [InboxPath] {
        entries.compactMap { path, e in !e.complete && now - e.changed >= settle ? path : nil }.sorted()
    }

    /// The content of a sidecar that `tick` asked to read, with the signature it was read at.
    public mutating func sidecarRead(_ path: InboxPath, signature: FileSignature, content: SidecarContent) {
        guard var entry = entries[path], entry.reading else { return }
        entry.reading = false
        if entry.signature == signature { entry.content = content } else { entry.complete = false }
        entries[path] = entry
    }

    /// Decides what can be done now: sidecars to read, waits to announce, and at most `capacity`
    /// claims, oldest first. Claimed paths are forgotten (the daemon's directory is the truth:
    /// a claim that loses its race needs nothing more).
    public mutating func tick(now: Double, capacity: Int) -> [Action] {
        var actions: [Action] = []
        var ready: [(arrival: Double, plan: ClaimPlan)] = []
        var named: Set<InboxPath> = []
        var unreadSidecar = false
        var paired: Set<InboxPath> = []
        for (path, entry) in entries where path.isSidecar {
            if let content = entry.content {
                if case .names(let file) = content { named.insert(InboxPath(file)) }
            } else if entry.complete || entry.reading {
                unreadSidecar = true
            }
        }
        for (path, entry) in entries.filter({ $0.key.isSidecar && $0.value.complete }).sorted(by: { $0.key < $1.key }) {
            guard let content = entry.content else {
                if !entry.reading {
                    entries[path]!.reading = true
                    actions.append(.readSidecar(path))
                }
                continue
            }
            switch content {
            case .invalid(let failure):
                ready.append((entry.arrival, ClaimPlan(take: [path], failure: failure)))
            case .payload:
                ready.append((entry.arrival, ClaimPlan(take: [path])))
            case .names(let file):
                let data = InboxPath(file)
                if let d = entries[data], d.complete, paired.insert(data).inserted {
                    ready.append((min(entry.arrival, d.arrival), ClaimPlan(take: [path, data])))
                } else if now - entry.arrival >= uploadWindow {
                    let minutes = Int(uploadWindow / 60)
                    ready.append((entry.arrival, ClaimPlan(take: [path], failure: ImportFailure(
                        "UPLOAD_EXPIRED",
                        "The sidecar \(path.name) waited \(minutes) min (the upload window) for its data file \(file), which did not arrive complete in inbox/. Drop the file and the sidecar again."),
                        originalFilename: file)))
                } else if !entry.announced {
                    entries[path]!.announced = true
                    actions.append(.awaiting(sidecar: path, file: file))
                }
            }
        }
        for (path, entry) in entries where entry.complete && !path.isSidecar && !named.contains(path) {
            if let folder = path.folder {
                ready.append((entry.arrival, ClaimPlan(take: [path], schemaFolder: folder)))
            } else if unreadSidecar {
                continue
            } else if !entry.signature.isImportable {
                ready.append((entry.arrival, ClaimPlan(take: [path], failure: ImportFailure(
                    "UNREADABLE_FILE", "\(path.name) \(entry.signature.refusal). Drop the file itself."))))
            } else if now - entry.arrival >= uploadWindow {
                let minutes = Int(uploadWindow / 60)
                ready.append((entry.arrival, ClaimPlan(take: [path], failure: ImportFailure(
                    "MISSING_SIDECAR",
                    "\(path.name) waited \(minutes) min (the upload window) in inbox/ for a sidecar (\(path.name).import.json or any *.import.json naming it). Drop it with a sidecar, or into inbox/<schema_id>/."))))
            }
        }
        ready.sort { $0.arrival != $1.arrival ? $0.arrival < $1.arrival : $0.plan.take[0] < $1.plan.take[0] }
        for (_, plan) in ready.prefix(max(0, capacity)) {
            for p in plan.take { entries[p] = nil }
            actions.append(.claim(plan))
        }
        return actions
    }

    /// The next time after `now` when something may be decided without a new event: a settle
    /// time ending, or an upload window closing. nil when nothing waits. (What is due already
    /// waits only for room in the queue; the workers wake the loop when they finish.)
    public func nextDeadline(after now: Double) -> Double? {
        var next: Double?
        func consider(_ t: Double) { if t > now { next = min(next ?? t, t) } }
        for (path, e) in entries {
            if !e.complete {
                consider(e.changed + settle)
            } else if path.isSidecar || path.folder == nil {
                consider(e.arrival + uploadWindow)
            }
        }
        return next
    }

    /// Nothing left to do but wait for uploads or sidecars (for `--once`): every file is complete
    /// and waits for its partner.
    public func isWaitingOnly(now: Double) -> Bool {
        guard entries.values.allSatisfy({ $0.complete && !$0.reading }) else { return false }
        var probe = self
        return probe.tick(now: now, capacity: Int.max).allSatisfy { if case .awaiting = $0 { true } else { false } }
    }
}
