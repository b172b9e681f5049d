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
        /// A done file that came after its data file was claimed without it: it says nothing
        /// more; the daemon removes it.
        case dropMarker(InboxPath)
    }

    struct Entry {
        var signature: FileSignature
        /// When the file came (from its ctime when a scan found it), for the upload window.
        var arrival: Double
        /// Last change seen: an event, or a different signature.
        var changed: Double
        var complete = false
        /// Someone has it open for writing: the kernel said so, or it was written to
        /// (`IN_MODIFY`) and not closed since (`IN_CLOSE_WRITE`). Never complete meanwhile.
        var writing = false
        var content: SidecarContent?
        var reading = false
        var announced = false
    }

    private(set) var entries: [InboxPath: Entry] = [:]
    /// Files claimed without a done file, and when: a done file of theirs that comes later
    /// (within the upload window) is dropped, not kept waiting for a data file that is gone.
    private(set) var claimedUnmarked: [InboxPath: Double] = [:]
    private var nextPrune = 0.0

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
    /// file has been there already (from its ctime), for a file found by a scan. `writers` is
    /// what the kernel or the events say of processes writing it: `.open` keeps it from being
    /// complete (and restarts the settle time), `.none` clears what events said.
    public mutating func observe(
        _ path: InboxPath, _ signature: FileSignature?, now: Double, event: Bool = false, age: Double = 0,
        writers: Writers = .unknown
    ) {
        guard let signature else {
            entries[path] = nil
            return
        }
        guard var entry = entries[path] else {
            var entry = Entry(signature: signature, arrival: now - max(0, age), changed: now)
            entry.writing = writers == .open
            entries[path] = entry
            return
        }
        switch writers {
        case .open:
            entry.writing = true
            entry.changed = now
            entry.complete = false
        case .none:
            entry.writing = false
        case .unknown:
            break
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
        } else if !entry.complete && now - entry.changed >= settleTime(path) {
            // Still written (by the events; the kernel would not say): look again after a
            // settle time rather than at every turn of the loop.
            if entry.writing { entry.changed = now } else { entry.complete = true }
        }
        entries[path] = entry
    }

    /// Every file's writers are unknown again (events were lost: an `IN_CLOSE_WRITE` may be
    /// among them). What the kernel says at the next look decides.
    public mutating func forgetWriters() {
        for path in entries.keys { entries[path]!.writing = false }
    }

    /// Files whose settle time is over and that must be looked at again to be called complete.
    public func due(now: Double) -> [InboxPath] {
        entries.compactMap { path, e in !e.complete && now - e.changed >= settleTime(path) ? path : nil }.sorted()
    }

    /// A file whose done file is there, and the done file itself, need not hold still for the
    /// settle time: the sender said it is complete (it still must not be open for writing).
    func settleTime(_ path: InboxPath) -> Double {
        if path.isMarker || path.markers.contains(where: { entries[$0] != nil }) { return 0 }
        return settle
    }

    /// The complete done file of `path`, if one came.
    func marker(of path: InboxPath) -> InboxPath? {
        path.markers.first { entries[$0]?.complete == true }
    }

    /// A done file of `path` came and is not complete yet: the claim waits for it.
    func markerPending(_ path: InboxPath) -> Bool {
        path.markers.contains { entries[$0].map { !$0.complete } ?? false }
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
        // What could be claimed, oldest first; only the `capacity` oldest are kept (a big inbox
        // drained two at a time must not build and sort a plan for every file on every tick).
        var ready = OldestFirst(capacity: capacity)
        var named: Set<InboxPath> = []
        var unreadSidecar = false
        var sidecars: [InboxPath] = []
        for (path, entry) in entries where path.isSidecar {
            if let content = entry.content {
                if case .names(let file) = content { named.insert(InboxPath(file)) }
            } else if entry.complete || entry.reading {
                unreadSidecar = true
            }
            if entry.complete { sidecars.append(path) }
        }
        var paired: Set<InboxPath> = []
        for path in sidecars.sorted() {
            let entry = entries[path]!
            guard let content = entry.content else {
                if !entry.reading {
                    entries[path]!.reading = true
                    actions.append(.readSidecar(path))
                }
                continue
            }
            switch content {
            case .invalid(let failure):
                ready.offer(entry.arrival, path, .plan(ClaimPlan(take: [path], failure: failure)))
            case .payload:
                ready.offer(entry.arrival, path, .plan(ClaimPlan(take: [path])))
            case .names(let file):
                let data = InboxPath(file)
                if let d = entries[data], d.complete, !markerPending(data), paired.insert(data).inserted {
                    ready.offer(
                        min(entry.arrival, d.arrival), path, .plan(ClaimPlan(take: [path, data] + [marker(of: data)].compactMap { $0 })))
                } else if now - entry.arrival >= uploadWindow {
                    ready.offer(entry.arrival, path, .sidecarExpired(file))
                } else if !entry.announced {
                    entries[path]!.announced = true
                    actions.append(.awaiting(sidecar: path, file: file))
                }
            }
        }
        for (path, entry) in entries where entry.complete && !path.isSidecar {
            if path.isMarker {
                // A done file waits for its data; alone past the upload window, it ends.
                guard let data = path.marked, entries[data] == nil else { continue }
                if claimedUnmarked[data] != nil {
                    entries[path] = nil
                    claimedUnmarked[data] = nil
                    actions.append(.dropMarker(path))
                } else if now - entry.arrival >= uploadWindow {
                    ready.offer(entry.arrival, path, .markerExpired(data.name))
                }
            } else if markerPending(path) {
                continue
            } else if path.folder != nil {
                ready.offer(entry.arrival, path, .folder)
            } else if named.contains(path) || unreadSidecar {
                continue
            } else if !entry.signature.isImportable {
                ready.offer(entry.arrival, path, .unreadable(entry.signature.refusal))
            } else if now - entry.arrival >= uploadWindow {
                ready.offer(entry.arrival, path, .missingSidecar)
            }
        }
        for (path, claim) in ready.oldest {
            let plan = self.plan(claim, for: path)
            for p in plan.take { entries[p] = nil }
            if !plan.take.contains(where: \.isMarker), let data = plan.take.last, !data.isSidecar { claimedUnmarked[data] = now }
            actions.append(.claim(plan))
        }
        if now >= nextPrune {
            // Pruned every few seconds, not on every tick: a tick must not walk every recent claim.
            claimedUnmarked = claimedUnmarked.filter { now - $0.value < uploadWindow }
            nextPrune = now + 5
        }
        return actions
    }

    /// A claim `tick` may make, its plan built only when it is chosen.
    enum Claim {
        case plan(ClaimPlan)
        /// A file in a schema folder.
        case folder
        case unreadable(String)
        case missingSidecar
        /// A sidecar whose data file (named) did not come within the upload window.
        case sidecarExpired(String)
        /// A done file whose data file (named) did not come within the upload window.
        case markerExpired(String)
    }

    private func plan(_ claim: Claim, for path: InboxPath) -> ClaimPlan {
        let minutes = Int(uploadWindow / 60)
        switch claim {
        case .plan(let plan):
            return plan
        case .folder:
            return ClaimPlan(take: [path] + [marker(of: path)].compactMap { $0 }, schemaFolder: path.folder)
        case .unreadable(let refusal):
            return ClaimPlan(take: [path], failure: ImportFailure("UNREADABLE_FILE", "\(path.name) \(refusal). Drop the file itself."))
        case .missingSidecar:
            return ClaimPlan(
                take: [path],
                failure: ImportFailure(
                    "MISSING_SIDECAR",
                    "\(path.name) waited \(minutes) min (the upload window) in inbox/ for a sidecar (\(path.name).import.json or any *.import.json naming it). Drop it with a sidecar, or into inbox/<schema_id>/."
                ))
        case .sidecarExpired(let file):
            return ClaimPlan(
                take: [path],
                failure: ImportFailure(
                    "UPLOAD_EXPIRED",
                    "The sidecar \(path.name) waited \(minutes) min (the upload window) for its data file \(file), which did not arrive complete in inbox/. Drop the file and the sidecar again."
                ),
                originalFilename: file)
        case .markerExpired(let file):
            return ClaimPlan(
                take: [path], schemaFolder: path.folder,
                failure: ImportFailure(
                    "UPLOAD_EXPIRED",
                    "The done file \(path.name) waited \(minutes) min (the upload window) for its data file \(file), which did not arrive complete in inbox/. Send the file, then its done file."
                ),
                originalFilename: file)
        }
    }

    /// The `capacity` oldest claims offered (by arrival, then path). A small capacity (a pool's
    /// room) keeps them in order as they come; a large one takes every claim and sorts once.
    struct OldestFirst {
        let capacity: Int
        private var kept: [(arrival: Double, path: InboxPath, claim: Claim)] = []
        private var bounded: Bool { capacity <= 64 }

        init(capacity: Int) { self.capacity = max(0, capacity) }

        @inline(__always)
        private static func before(_ a: (arrival: Double, path: InboxPath), _ b: (arrival: Double, path: InboxPath)) -> Bool {
            a.arrival != b.arrival ? a.arrival < b.arrival : a.path < b.path
        }

        mutating func offer(_ arrival: Double, _ path: InboxPath, _ claim: @autoclosure () -> Claim) {
            guard capacity > 0 else { return }
            guard bounded else { kept.append((arrival, path, claim())); return }
            if kept.count == capacity, let last = kept.last, !Self.before((arrival, path), (last.arrival, last.path)) { return }
            var at = kept.count
            while at > 0 && Self.before((arrival, path), (kept[at - 1].arrival, kept[at - 1].path)) { at -= 1 }
            kept.insert((arrival, path, claim()), at: at)
            if kept.count > capacity { kept.removeLast() }
        }

        var oldest: [(path: InboxPath, claim: Claim)] {
            let ordered = bounded ? kept : kept.sorted { Self.before(($0.arrival, $0.path), ($1.arrival, $1.path)) }
            return ordered.prefix(capacity).map { ($0.path, $0.claim) }
        }
    }

    /// The next time after `now` when something may be decided without a new event: a settle
    /// time ending, or an upload window closing. nil when nothing waits. (What is due already
    /// waits only for room in the queue; the workers wake the loop when they finish.)
    public func nextDeadline(after now: Double) -> Double? {
        var next: Double?
        func consider(_ t: Double) { if t > now { next = min(next ?? t, t) } }
        for (path, e) in entries {
            if !e.complete {
                consider(e.changed + settleTime(path))
            } else if path.isSidecar || path.isMarker || path.folder == nil {
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
