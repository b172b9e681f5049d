import Engine
import Foundation
import Dispatch
import Glibc
import Synchronization

/// `intake watch`'s options (contract §13).
public struct WatchOptions: Sendable {
    public var root: String
    public var once = false
    /// Scan every this many seconds instead of inotify (network file systems).
    public var poll: Double?
    public var settle = 0.2
    /// The settle time `--poll` starts from (contract §2c): no lease and no event sees a writer
    /// on another host, and an NFS client may show a file's old size and mtime for up to 60 s
    /// (its attribute cache, acregmax), so a file must hold still for longer than that.
    public static let pollSettle = 60.0
    public var rescan = 30.0
    public var uploadWindow = 1800.0
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Imports queued for the workers at most; what is not claimed stays in the inbox.
    public var queueCapacity: Int?
    public var metricsInterval = 5.0
    /// Stop on SIGTERM/SIGINT (the command does; tests use `DaemonControl.stop`).
    public var handleSignals = true
    /// When failed webhook deliveries are tried again (contract §10).
    public var webhookPolicy = WebhookPolicy()

    public init(root: String) { self.root = root }
}

/// Stops a running daemon from another thread, and wakes its loop (a self-pipe it polls; the
/// Glibc module has no eventfd).
public final class DaemonControl: Sendable {
    let wakeFD: Int32
    private let writeFD: Int32
    private let stopFlag = Atomic<Bool>(false)

    public init() {
        var fds: [Int32] = [-1, -1]
        let r = pipe(&fds)
        precondition(r == 0, "pipe: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(wakeFD)
        close(writeFD)
    }

    /// Stop claiming, let running imports finish, return from `Daemon.run`.
    public func stop() {
        stopFlag.store(true, ordering: .sequentiallyConsistent)
        wake()
    }

    var stopRequested: Bool { stopFlag.load(ordering: .sequentiallyConsistent) }

    /// A full pipe already means "wake up": EAGAIN is fine.
    func wake() {
        var one: UInt8 = 1
        _ = write(writeFD, &one, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(wakeFD, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// The daemon: one event loop thread (the caller's) that waits with poll(2) on inotify and
/// the wake pipe (written by workers and the SIGTERM/SIGINT handler), with the next timer as timeout; it feeds the pairing machine
/// and hands claims to the worker pool (DESIGN.md, "The daemon").
public enum Daemon {
    /// Runs until stopped (SIGTERM, SIGINT, `control.stop()`), or with `once` until everything
    /// that was in the inbox is handled. Throws only when it cannot start.
    public static func run(_ options: WatchOptions, log: EventLog, control: DaemonControl = DaemonControl()) throws {
        let loop = try EventLoop(options: options, log: log, control: control)
        loop.run()
    }
}

final class EventLoop {
    let options: WatchOptions
    let layout: RootLayout
    let log: EventLog
    let control: DaemonControl
    let metrics: Metrics
    let owner: OwnerLock
    let scanner: InboxScanner
    let claims: ClaimStore
    let recovery: Recovery
    var machine: PairingMachine
    var watches: InboxWatches?
    var reviewWatches: ReviewWatches?
    /// Resolutions seen in review/<id>/ and settling: the signature and since when it holds.
    var resolutionsSeen: [String: (signature: FileSignature, since: Double)] = [:]
    var resolutionsInFlight: Set<String> = []
    var resolutionResumes: [String: Double] = [:]
    let resolutions: ResolutionStore
    let webhooks: WebhookQueue
    let webhookSender: WebhookSender
    var signalSources: [any DispatchSourceSignal] = []
    var pool: WorkerPool!

    /// Inbox paths handed to a worker and not yet done: scans must not see them again.
    var inFlight: Set<InboxPath> = []
    /// Claims to carry on with (adopted or retried), with the time they are due.
    var resumes: [String: Double] = [:]
    var resumesRunning: Set<String> = []
    /// Resumes that do again an import whose file changed while it was read.
    var redos: Set<String> = []
    var backoff: [String: Double] = [:]
    var awaiting: Set<InboxPath> = []
    var nextRescan = 0.0
    var nextMetrics = 0.0
    var stopping = false

    init(options: WatchOptions, log: EventLog, control: DaemonControl) throws {
        self.options = options
        self.layout = RootLayout(root: options.root)
        self.log = log
        self.control = control
        try layout.create()
        self.owner = try OwnerLock(layout: layout)
        self.metrics = Metrics(startTime: Date().timeIntervalSince1970)
        self.scanner = InboxScanner(inbox: layout.inbox)
        self.claims = ClaimStore(layout: layout)
        self.recovery = Recovery(layout: layout, owner: owner.id, log: log)
        self.machine = PairingMachine(settle: options.settle, uploadWindow: options.uploadWindow)
        self.resolutions = ResolutionStore(layout: layout)
        self.webhooks = WebhookQueue(layout: layout, policy: options.webhookPolicy, log: log)
        self.webhookSender = WebhookSender(queue: webhooks, tag: owner.id)
        WriterProbe.ignoreLeaseBreaks()
        if options.handleSignals {
            // The default actions are turned off; a Dispatch signal source (its own thread, not
            // the cooperative pool) asks the loop to stop through the wake pipe.
            signal(SIGPIPE, SIG_IGN)
            for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [log, control] in
                    log.info("signal", ["signal": name])
                    control.stop()
                }
                source.resume()
                signalSources.append(source)
            }
        }
        if options.poll == nil {
            watches = try InboxWatches(layout: layout)
            reviewWatches = try ReviewWatches(review: layout.review)
        }
    }

    deinit { for s in signalSources { s.cancel() } }

    func run() {
        let sender = webhookSender
        var made = ImportWork(
            layout: layout, owner: owner.id, log: log, metrics: metrics, webhooks: webhooks, wakeWebhooks: { sender.poke() })
        made.settle = options.settle
        let work = made
        let control = self.control
        pool = WorkerPool(
            workers: options.workers, capacity: options.queueCapacity ?? options.workers * 4,
            wake: { control.wake() }, handler: { work.perform($0) })
        log.info(
            "started",
            [
                "root": layout.root, "workers": String(options.workers),
                "mode": options.poll.map { "poll \($0)s" } ?? "inotify", "once": options.once ? "true" : nil,
                "owner": owner.id,
            ])
        var now = Monotonic.now()
        for id in recovery.adoptOrphans(skip: []) { resumes[id] = now }
        for id in resolutions.adoptOrphans(owner: owner.id, skip: [], log: log) { resolutionResumes[id] = now }
        recovery.sweep()
        sweepResolutions()
        webhookSender.start()
        watches?.armInbox(log: log)
        fullScan(now: now)
        nextRescan = now + (options.poll ?? options.rescan)
        nextMetrics = now

        while true {
            now = Monotonic.now()
            if control.stopRequested && !stopping {
                stopping = true
                log.info("stopping", ["running": String(pool.running)])
            }
            if stopping { break }
            handleResults(now: now)
            if now >= nextRescan {
                fullScan(now: now)
                for id in recovery.adoptOrphans(skip: Set(resumes.keys).union(resumesRunning)) { resumes[id] = now }
                for id in resolutions.adoptOrphans(owner: owner.id, skip: Set(resolutionResumes.keys).union(resolutionsInFlight), log: log)
                {
                    resolutionResumes[id] = now
                }
                recovery.sweep()
                sweepResolutions()
                nextRescan = now + (options.poll ?? options.rescan)
            }
            for path in machine.due(now: now) { look(at: path, now: now, event: false) }
            feedResumes(now: now)
            feedResolutions(now: now)
            decide(now: now)
            if now >= nextMetrics { writeMetrics(); nextMetrics = now + options.metricsInterval }
            if options.once && isDone(now: now) { break }
            wait(until: nextWake(now: now), now: now)
        }
        let dropped = pool.shutdown()
        handleResults(now: Monotonic.now())
        webhookSender.stop()
        // --once: every delivery that is due gets its attempt before the run ends.
        if options.once { webhooks.deliverDue(tag: owner.id) }
        writeMetrics()
        log.info(
            "stopped",
            [
                "dropped": dropped.isEmpty ? nil : String(dropped.count),
                "successful": String(metrics.imports(.successful)), "needs_review": String(metrics.imports(.needsReview)),
                "failed": String(metrics.imports(.failed)),
            ])
    }

    // MARK: Looking at the inbox

    /// One look at a path: its signature into the machine. A look that may find it complete
    /// (not one for an event) also asks the kernel whether someone has it open for writing.
    func look(at path: InboxPath, now: Double, event: Bool, writers: Writers = .unknown) {
        guard !inFlight.contains(path) else { return }
        let full = scanner.path(path)
        let sig = FileSignature.of(full)
        var writers = writers
        if !event, let sig, sig.isImportable { writers = WriterProbe.probe(full) }
        machine.observe(path, sig, now: now, event: event, age: sig?.age ?? 0, writers: writers)
    }

    /// Scans the whole inbox: the directory is the truth, events are hints.
    func fullScan(now: Double) {
        if let watches, watches.inboxWD == nil, Paths.isDirectory(layout.inbox) { watches.armInbox(log: log) }
        let found = scanner.all().filter { !inFlight.contains($0.0) }
        let present = Set(found.map(\.0))
        for path in machine.paths where !present.contains(path) { machine.observe(path, nil, now: now) }
        for (path, sig) in found { machine.observe(path, sig, now: now, age: sig.age) }
        if let watches { for folder in scanner.schemaFolders() { watches.addFolder(folder) } }
        scanReview(now: now)
    }

    func readEvents(now: Double) {
        guard let watches else { return }
        let events: [InotifyEvent]
        do { events = try watches.inotify.read() } catch {
            log.error("inotify_read_failed", ["error": "\(error)"])
            return
        }
        var rescan = false
        for event in events {
            switch watches.classify(event) {
            case .overflow:
                log.warn("event_queue_overflow")
                machine.forgetWriters()
                rescan = true
            case .inboxCreated:
                watches.armInbox(log: log)
                log.info("inbox_rearmed", ["folder": layout.inbox])
                rescan = true
            case .inboxGone:
                watches.disarmInbox()
                log.warn("inbox_missing", ["folder": layout.inbox])
                for path in machine.paths { machine.observe(path, nil, now: now) }
            case .folderAppeared(let name):
                if !InboxRules.isIgnored(name) {
                    watches.addFolder(name)
                    for (path, sig) in scanner.files(in: name) where !inFlight.contains(path) {
                        machine.observe(path, sig, now: now, event: true, age: sig.age)
                    }
                }
            case .folderGone(let name):
                watches.removeFolder(name)
                for path in machine.paths where path.folder == name { machine.observe(path, nil, now: now) }
            case .file(let path, let removed, let writers):
                if InboxRules.isIgnored(path.name) { continue }
                if removed { machine.observe(path, nil, now: now) } else { look(at: path, now: now, event: true, writers: writers) }
            case .none:
                continue
            }
        }
        if rescan { fullScan(now: now) }
    }

    // MARK: Deciding and handing out work

    func decide(now: Double) {
        guard !stopping else { return }
        while true {
            var readAny = false
            for action in machine.tick(now: now, capacity: pool.room) {
                switch action {
                case .readSidecar(let path):
                    readAny = true
                    readSidecar(path)
                case .awaiting(let sidecar, let file):
                    awaiting.insert(sidecar)
                    log.info("awaiting_upload", ["file": file, "status": "AWAITING_UPLOAD", "sidecar": sidecar.relative])
                case .dropMarker(let path):
                    unlink(scanner.path(path))
                    log.info(
                        "done_file_after_import",
                        [
                            "file": path.relative,
                            "message": "its data file was imported before it came; removed",
                        ])
                case .claim(let plan):
                    for p in plan.take { awaiting.remove(p) }
                    inFlight.formUnion(plan.take)
                    pool.submit(.claim(plan))
                }
            }
            if !readAny { return }
        }
    }

    func readSidecar(_ path: InboxPath) {
        let full = scanner.path(path)
        guard let sig = FileSignature.of(full) else {
            machine.observe(path, nil, now: Monotonic.now())
            return
        }
        let content: PairingMachine.SidecarContent
        do {
            switch Sidecar.parse(try Paths.readFile(full), name: path.name) {
            case .failure(let f): content = .invalid(f)
            case .success(let s): content = s.dataFile.map { .names($0) } ?? .payload
            }
        } catch let refused as FileSource.Refused {
            content = .invalid(ImportFailure("UNREADABLE_FILE", "The sidecar \(path.name) \(refused.description)."))
        } catch {
            log.warn("sidecar_unreadable", ["file": path.relative, "error": "\(error)"])
            machine.observe(path, nil, now: Monotonic.now())
            return
        }
        machine.sidecarRead(path, signature: sig, content: content)
    }

    func feedResumes(now: Double) {
        guard !stopping else { return }
        for (id, due) in resumes.sorted(by: { $0.value < $1.value }) where due <= now && pool.room > 0 {
            resumes[id] = nil
            resumesRunning.insert(id)
            pool.submit(redos.remove(id) != nil ? .redo(id) : .resume(id))
        }
        for (id, due) in resolutionResumes.sorted(by: { $0.value < $1.value })
        where due <= now && pool.room > 0 && !resolutionsInFlight.contains(id) {
            resolutionResumes[id] = nil
            resolutionsInFlight.insert(id)
            pool.submit(.resumeResolution(id))
        }
    }

    func handleResults(now: Double) {
        for result in pool.takeResults() {
            if case .claim(let plan) = result.item { inFlight.subtract(plan.take) }
            if case .resume(let id) = result.item { resumesRunning.remove(id) }
            if case .redo(let id) = result.item { resumesRunning.remove(id) }
            var isResolution = false
            if case .resolve(let id) = result.item { resolutionsInFlight.remove(id); isResolution = true }
            if case .resumeResolution(let id) = result.item { resolutionsInFlight.remove(id); isResolution = true }
            switch result.outcome {
            case .imported(let id, _):
                backoff[id] = nil
            case .lost:
                break
            case .notClaimed:
                nextRescan = min(nextRescan, now + 5)
            case .changed(let id):
                // Done again once the file holds still: the claim is looked at after a settle time.
                resumes[id] = now + max(options.settle, 0.1)
                redos.insert(id)
            case .retry(let id):
                let wait = min(300, (backoff[id] ?? 2.5) * 2)
                backoff[id] = wait
                if isResolution { resolutionResumes[id] = now + wait } else { resumes[id] = now + wait }
            }
        }
    }

    // MARK: Time

    func nextWake(now: Double) -> Double {
        var next = min(nextMetrics, nextRescan)
        if let d = machine.nextDeadline(after: now) { next = min(next, d) }
        for due in resumes.values where due > now || pool.room > 0 { next = min(next, due) }
        for due in resolutionResumes.values where due > now || pool.room > 0 { next = min(next, due) }
        for seen in resolutionsSeen.values { next = min(next, max(now, seen.since + options.settle)) }
        return next
    }

    /// poll(2) on the descriptors until `deadline` or something happens.
    func wait(until deadline: Double, now: Double) {
        var fds: [pollfd] = [pollfd(fd: control.wakeFD, events: Int16(POLLIN), revents: 0)]
        if let watches { fds.append(pollfd(fd: watches.inotify.fd, events: Int16(POLLIN), revents: 0)) }
        if let reviewWatches { fds.append(pollfd(fd: reviewWatches.inotify.fd, events: Int16(POLLIN), revents: 0)) }
        let ms = Int32(max(0, min(60_000, ((deadline - now) * 1000).rounded(.up))))
        let n = poll(&fds, nfds_t(fds.count), ms)
        guard n > 0 else { return }
        let after = Monotonic.now()
        for f in fds where f.revents != 0 {
            if f.fd == control.wakeFD {
                control.drain()
            } else if f.fd == reviewWatches?.inotify.fd {
                readReviewEvents(now: after)
            } else {
                readEvents(now: after)
            }
        }
    }

    /// `--once`: everything that was complete is handled; what waits for an upload or a sidecar
    /// within its window stays for the next run.
    func isDone(now: Double) -> Bool {
        inFlight.isEmpty && resumesRunning.isEmpty && pool.isIdle && resumes.values.allSatisfy { $0 > now }
            && machine.isWaitingOnly(now: now) && resolutionsSeen.isEmpty && resolutionsInFlight.isEmpty
            && resolutionResumes.values.allSatisfy { $0 > now }
    }

    // MARK: Resolutions in review/

    /// Looks at every review folder's resolution.json (start, rescans, overflows).
    func scanReview(now: Double) {
        if let reviewWatches, !reviewWatches.isArmed, Paths.isDirectory(layout.review) { reviewWatches.arm() }
        let ids = Set(ReviewWatches.folderIDs(layout.review))
        for id in resolutionsSeen.keys where !ids.contains(id) { resolutionsSeen[id] = nil }
        for id in ids { lookAtResolution(id, now: now) }
    }

    /// A resolution is taken once it has held still (size, mtime) for the settle time, like a
    /// dropped file (contract §2c).
    func lookAtResolution(_ id: String, now: Double) {
        guard !resolutionsInFlight.contains(id) else { return }
        guard let sig = FileSignature.of("\(layout.review)/\(id)/\(ReviewWatches.fileName)"), sig.isImportable else {
            resolutionsSeen[id] = nil
            return
        }
        if let seen = resolutionsSeen[id], seen.signature == sig { return }
        resolutionsSeen[id] = (sig, now)
    }

    func readReviewEvents(now: Double) {
        guard let reviewWatches else { return }
        let meanings: [ReviewWatches.Meaning]
        do { meanings = try reviewWatches.read() } catch {
            log.error("inotify_read_failed", ["error": "\(error)"])
            return
        }
        for meaning in meanings {
            switch meaning {
            case .look(let id): lookAtResolution(id, now: now)
            case .rescan: scanReview(now: now)
            }
        }
    }

    /// Hands settled resolutions to the workers.
    func feedResolutions(now: Double) {
        guard !stopping else { return }
        for (id, seen) in resolutionsSeen.sorted(by: { $0.value.since < $1.value.since })
        where now - seen.since >= options.settle && pool.room > 0 {
            // Still the same file? Then it has held still for the settle time.
            let sig = FileSignature.of("\(layout.review)/\(id)/\(ReviewWatches.fileName)")
            guard sig == seen.signature else {
                resolutionsSeen[id] = sig.map { ($0, now) }
                continue
            }
            resolutionsSeen[id] = nil
            resolutionsInFlight.insert(id)
            pool.submit(.resolve(id))
        }
    }

    func sweepResolutions() {
        let layout = self.layout
        let me = owner.id
        resolutions.sweep { tag in
            if tag == me { return true }
            guard Paths.exists("\(layout.owners)/\(tag).lock") else { return false }
            guard let dead = OwnerLock.lockIfDead(tag, layout: layout) else { return true }
            _ = consume dead
            return false
        }
    }

    func writeMetrics() {
        awaiting = awaiting.filter { machine.contains($0) }
        metrics.gauges(queueDepth: pool.depth, running: pool.running, awaiting: awaiting.count, inboxFiles: machine.count)
        do { try metrics.write(to: layout, tag: owner.id) } catch {
            log.warn("metrics_not_written", ["error": "\(error)"])
        }
    }
}
