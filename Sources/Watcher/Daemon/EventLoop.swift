import Engine
import Foundation
import Dispatch
import Glibc
import Synchronization

/// The daemon's event loop: one thread (the caller's) that waits with poll(2) on inotify and the
/// wake pipe (written by workers and the signal handler) until the machine's next deadline, reports
/// what it saw to `DaemonMachine`, and carries out the actions it returns. Every decision is the
/// machine's; this class only touches the world.
final class EventLoop {
    let options: WatchOptions
    let layout: RootLayout
    let log: EventLog
    let control: DaemonControl
    let metrics: Metrics
    let owner: OwnerLock
    let scanner: InboxScanner
    let recovery: Recovery
    var machine: DaemonMachine
    var watches: InboxWatches?
    var reviewWatches: ReviewWatches?
    let webhooks: WebhookQueue
    let webhookSender: WebhookSender
    var signalSources: [any DispatchSourceSignal] = []
    var pool: WorkerPool!

    init(options: WatchOptions, log: EventLog, control: DaemonControl) throws {
        self.options = options
        self.layout = RootLayout(root: options.root)
        self.log = log
        self.control = control
        try layout.create()
        self.owner = try OwnerLock(layout: layout)
        self.metrics = Metrics(startTime: Date().timeIntervalSince1970)
        self.scanner = InboxScanner(inbox: layout.inbox)
        self.recovery = Recovery(layout: layout, owner: owner.id, log: log)
        let capacity = options.workers + (options.queueCapacity ?? options.workers * 4)
        self.machine = DaemonMachine(
            options: .init(
                settle: options.settle, rescan: options.poll ?? options.rescan,
                metricsInterval: options.metricsInterval, uploadWindow: options.uploadWindow,
                capacity: capacity, once: options.once))
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
            workers: options.workers, capacity: machine.options.capacity,
            wake: { control.wake() }, handler: { work.perform($0) })
        log.info(
            "started",
            [
                "root": layout.root, "workers": String(options.workers),
                "mode": options.poll.map { "poll \($0)s" } ?? "inotify", "once": options.once ? "true" : nil,
                "owner": owner.id,
            ])
        webhookSender.start()
        watches?.armInbox(log: log)
        var stopSaid = false
        running: while true {
            let now = Monotonic.now()
            if control.stopRequested && !stopSaid {
                stopSaid = true
                log.info("stopping", ["running": String(pool.running)])
                machine.handle(.stopAsked, now: now)
            }
            for result in pool.takeResults() { machine.handle(.finished(result), now: now) }
            var again = true
            while again {
                again = false
                for action in machine.next(now: now) {
                    if case .exit = action { break running }
                    perform(action, now: now)
                    again = again || action.reportsBack
                }
            }
            wait(until: machine.nextDeadline(now: now), now: now)
        }
        let dropped = pool.shutdown()
        for result in pool.takeResults() { machine.handle(.finished(result), now: Monotonic.now()) }
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

    /// Carries out one of the machine's actions.
    func perform(_ action: DaemonMachine.Action, now: Double) {
        switch action {
        case .rescan:
            let adopted = recovery.adoptOrphans(skip: machine.ownClaims)
            recovery.sweep()
            fullScan(now: now)
            machine.handle(.scanned(adopted: adopted), now: now)
        case .look(let path):
            look(at: path, now: now, event: false)
        case .readSidecar(let path):
            readSidecar(path)
        case .lookAtResolution(let id):
            machine.handle(.resolutionSeen(id, FileSignature.of(resolutionPath(id)), event: false), now: now)
        case .submit(let item):
            pool.submit(item)
        case .announceAwaiting(let sidecar, let file):
            log.info("awaiting_upload", ["file": file, "status": "AWAITING_UPLOAD", "sidecar": sidecar.relative])
        case .dropMarker(let path):
            Paths.removeFile(scanner.path(path))
            log.info("done_file_after_import", ["file": path.relative, "message": "its data file was imported before it came; removed"])
        case .writeMetrics:
            writeMetrics()
        case .exit:
            break
        }
    }

    // MARK: Looking at the inbox

    /// One look at a path: its signature into the machine. A look that may find it complete
    /// (not one for an event) also asks the kernel whether someone has it open for writing.
    func look(at path: InboxPath, now: Double, event: Bool, writers: Writers = .unknown) {
        guard !machine.claimedPaths.contains(path) else { return }
        let full = scanner.path(path)
        let sig = FileSignature.of(full)
        var writers = writers
        if !event, let sig, sig.isImportable { writers = WriterProbe.probe(full) }
        machine.handle(.seen(path, sig, event: event, age: sig?.age ?? 0, writers: writers), now: now)
    }

    func seen(_ path: InboxPath, _ sig: FileSignature?, now: Double, event: Bool = false) {
        machine.handle(.seen(path, sig, event: event, age: sig?.age ?? 0, writers: .unknown), now: now)
    }

    /// Scans the whole inbox and review/: the directory is the truth, events are hints.
    func fullScan(now: Double) {
        if let watches, watches.inboxWD == nil, Paths.isDirectory(layout.inbox) { watches.armInbox(log: log) }
        let found = scanner.all().filter { !machine.claimedPaths.contains($0.0) }
        let present = Set(found.map(\.0))
        for path in machine.pairing.paths where !present.contains(path) { seen(path, nil, now: now) }
        for (path, sig) in found { seen(path, sig, now: now) }
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
                machine.handle(.eventsLost, now: now)
                rescan = true
            case .inboxCreated:
                watches.armInbox(log: log)
                log.info("inbox_rearmed", ["folder": layout.inbox])
                rescan = true
            case .inboxGone:
                watches.disarmInbox()
                log.warn("inbox_missing", ["folder": layout.inbox])
                for path in machine.pairing.paths { seen(path, nil, now: now) }
            case .folderAppeared(let name):
                if !InboxRules.isIgnored(name) {
                    watches.addFolder(name)
                    for (path, sig) in scanner.files(in: name) where !machine.claimedPaths.contains(path) {
                        seen(path, sig, now: now, event: true)
                    }
                }
            case .folderGone(let name):
                watches.removeFolder(name)
                for path in machine.pairing.paths where path.folder == name { seen(path, nil, now: now) }
            case .file(let path, let removed, let writers):
                if InboxRules.isIgnored(path.name) { continue }
                if removed { seen(path, nil, now: now) } else { look(at: path, now: now, event: true, writers: writers) }
            case .none:
                continue
            }
        }
        if rescan { fullScan(now: now) }
    }

    func readSidecar(_ path: InboxPath) {
        let full = scanner.path(path)
        guard let sig = FileSignature.of(full) else {
            seen(path, nil, now: Monotonic.now())
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
            seen(path, nil, now: Monotonic.now())
            return
        }
        machine.handle(.sidecarRead(path, sig, content), now: Monotonic.now())
    }

    // MARK: Resolutions in review/

    func resolutionPath(_ id: String) -> String { "\(layout.review)/\(id)/\(ReviewWatches.fileName)" }

    /// Looks at every review folder's resolution.json (start, rescans, overflows).
    func scanReview(now: Double) {
        if let reviewWatches, !reviewWatches.isArmed, Paths.isDirectory(layout.review) { reviewWatches.arm() }
        let ids = Set(ReviewWatches.folderIDs(layout.review))
        for id in machine.resolutions.keys where !ids.contains(id) { machine.handle(.resolutionSeen(id, nil, event: false), now: now) }
        for id in ids { machine.handle(.resolutionSeen(id, FileSignature.of(resolutionPath(id)), event: false), now: now) }
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
            case .look(let id): machine.handle(.resolutionSeen(id, FileSignature.of(resolutionPath(id)), event: true), now: now)
            case .rescan: scanReview(now: now)
            }
        }
    }

    // MARK: Time

    /// poll(2) on the descriptors until `deadline` or something happens.
    func wait(until deadline: Double, now: Double) {
        var fds: [pollfd] = [pollfd(fd: control.wakeFD, events: Int16(POLLIN), revents: 0)]
        if let watches { fds.append(pollfd(fd: watches.inotify.fd, events: Int16(POLLIN), revents: 0)) }
        if let reviewWatches { fds.append(pollfd(fd: reviewWatches.inotify.fd, events: Int16(POLLIN), revents: 0)) }
        let ms = Int32(max(0, min(60_000, ((deadline - now) * 1000).rounded(.up))))
        // EINTR (a signal) is retried with the same timeout: the loop looks at the clock after.
        let n = (try? System.call("poll", "loop") { poll(&fds, nfds_t(fds.count), ms) }) ?? 0
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

    func writeMetrics() {
        metrics.gauges(queueDepth: pool.depth, running: pool.running, awaiting: machine.awaiting.count, inboxFiles: machine.pairing.count)
        do { try metrics.write(to: layout, tag: owner.id) } catch {
            log.warn("metrics_not_written", ["error": "\(error)"])
        }
    }
}
