import Engine

/// The daemon's states and decisions, and nothing else (STYLE.md: a state machine, events in,
/// actions out; the shape of NIO's `*StateMachine` and of Postfix's pickup, which answers each
/// file with what to do). It never touches the disk or the clock: the event loop (`EventLoop`)
/// reports what it saw and what the workers finished, asks `next(now:)` what to do, carries the
/// actions out, and sleeps until `nextDeadline(now:)`. Tests drive it with explicit times.
///
/// | state | on | to | actions |
/// |---|---|---|---|
/// | recovering | start | recovering | rescan (adopt dead owners' claims, sweep, scan) |
/// | recovering | scanned | running | submit the adopted claims |
/// | running | tick | running | look at settled files, read sidecars, submit claims, retries, resolutions, rescan, metrics |
/// | running | stopAsked | draining | — |
/// | running | tick, `once` and nothing left but waiting | stopped | exit |
/// | draining | tick | stopped | exit (the loop shuts the pool down: running imports finish) |
struct DaemonMachine {
    enum State: String, CaseIterable, Sendable {
        /// Started: the first rescan adopts what dead daemons left and sweeps.
        case recovering
        case running
        /// Stop asked (SIGTERM, `--once` done): nothing new is handed out.
        case draining
        case stopped
    }

    struct Options: Sendable {
        var settle = 0.2
        /// Seconds between full scans (the directory is the truth; events are hints).
        var rescan = 30.0
        var metricsInterval = 5.0
        var uploadWindow = 1800.0
        /// Work items handed out and not finished, at most (the workers plus their queue).
        var capacity = 8
        var once = false
    }

    enum Event: Sendable {
        /// The rescan asked for is done; `adopted` are dead owners' claims now this daemon's.
        case scanned(adopted: [WorkItem])
        /// A look at an inbox path (nil: gone). `event`: an inotify event named it.
        case seen(InboxPath, FileSignature?, event: Bool, age: Double, writers: Writers)
        case sidecarRead(InboxPath, FileSignature, PairingMachine.SidecarContent)
        /// Events were lost: what they said of writers is forgotten.
        case eventsLost
        /// A look at `review/<id>/resolution.json` (nil: not there); `event`: an inotify event named it.
        case resolutionSeen(String, FileSignature?, event: Bool)
        case finished(WorkResult)
        case stopAsked
    }

    enum Action: Equatable, Sendable {
        var reportsBack: Bool {
            switch self {
            case .rescan, .look, .readSidecar, .lookAtResolution: true
            default: false
            }
        }

        /// Scan the inbox and review/, adopt dead owners' claims, sweep; report `scanned`.
        case rescan
        /// Stat (and ask the kernel about writers of) an inbox path; report `seen`.
        case look(InboxPath)
        /// Read a complete sidecar; report `sidecarRead`.
        case readSidecar(InboxPath)
        /// Stat a resolution.json that has held still for the settle time; report `resolutionSeen`.
        case lookAtResolution(String)
        case submit(WorkItem)
        /// Log once that a sidecar waits for its data file (AWAITING_UPLOAD).
        case announceAwaiting(sidecar: InboxPath, file: String)
        /// Remove a done file whose data was imported before it came.
        case dropMarker(InboxPath)
        case writeMetrics
        /// Leave the loop: shut the pool down (running work finishes) and report what it finished.
        case exit
    }

    let options: Options
    private(set) var state = State.recovering
    private(set) var pairing: PairingMachine
    /// Work handed to the pool and not finished, by what it holds.
    private(set) var inFlight: [WorkKey: WorkItem] = [:]
    /// Inbox paths claimed by work in flight: looks and scans leave them alone.
    private(set) var claimedPaths: Set<InboxPath> = []
    /// Work to hand out again at a time: retries (with back-off) and redos.
    private(set) var scheduled: [WorkKey: (item: WorkItem, due: Double)] = [:]
    private var backoff: [WorkKey: Double] = [:]
    /// resolution.json files settling, by import id.
    private(set) var resolutions: [String: Settling] = [:]
    /// Sidecars announced as waiting (a gauge).
    private(set) var awaiting: Set<InboxPath> = []
    private var rescanAsked = false
    private var nextRescan = 0.0
    private var nextMetrics = 0.0
    private var looksAskedAt = -Double.infinity

    init(options: Options) {
        self.options = options
        self.pairing = PairingMachine(settle: options.settle, uploadWindow: options.uploadWindow)
    }

    /// What a work item holds: at most one item in flight or scheduled per key.
    enum WorkKey: Hashable, Sendable {
        case inbox(InboxPath)
        case importClaim(String)
        case resolution(String)
    }

    static func key(_ item: WorkItem) -> WorkKey {
        switch item {
        case .claim(let plan): .inbox(plan.take[0])
        case .resume(let id), .redo(let id): .importClaim(id)
        case .resolve(let id), .resumeResolution(let id): .resolution(id)
        }
    }

    var room: Int { options.capacity - inFlight.count }

    /// Claim ids this daemon has (in flight or scheduled): recovery must not adopt them.
    var ownClaims: Set<String> {
        var ids: Set<String> = []
        for key in Array(inFlight.keys) + Array(scheduled.keys) {
            switch key {
            case .importClaim(let id), .resolution(let id): ids.insert(id)
            case .inbox: break
            }
        }
        return ids
    }

    // MARK: Events

    mutating func handle(_ event: Event, now: Double) {
        switch event {
        case .scanned(let adopted):
            rescanAsked = false
            nextRescan = now + options.rescan
            if state == .recovering { state = .running }
            for item in adopted where inFlight[Self.key(item)] == nil { scheduled[Self.key(item)] = (item, now) }
        case .seen(let path, let signature, let event, let age, let writers):
            guard !claimedPaths.contains(path) else { return }
            pairing.observe(path, signature, now: now, event: event, age: age, writers: writers)
            if signature == nil { awaiting.remove(path) }
        case .sidecarRead(let path, let signature, let content):
            pairing.sidecarRead(path, signature: signature, content: content)
        case .eventsLost:
            pairing.forgetWriters()
        case .resolutionSeen(let id, let signature, let event):
            guard inFlight[.resolution(id)] == nil else { return }
            guard let signature, signature.isImportable else {
                resolutions[id] = nil
                return
            }
            if resolutions[id]?.observe(signature, now: now, event: event, settle: options.settle) == nil {
                resolutions[id] = Settling(signature: signature, now: now)
            }
        case .finished(let result):
            finished(result, now: now)
        case .stopAsked:
            if state != .stopped { state = .draining }
        }
    }

    private mutating func finished(_ result: WorkResult, now: Double) {
        let key = Self.key(result.item)
        inFlight[key] = nil
        if case .claim(let plan) = result.item { claimedPaths.subtract(plan.take) }
        switch result.outcome {
        case .imported(let id, _):
            backoff[key] = nil
            backoff[.importClaim(id)] = nil
        case .lost:
            break
        case .notClaimed:
            // The files are still in the inbox: a scan soon sees them again.
            nextRescan = min(nextRescan, now + 5)
        case .changed(let id):
            // Done again once the file holds still: the claim is looked at after a settle time.
            scheduled[.importClaim(id)] = (.redo(id), now + max(options.settle, 0.1))
        case .retry(let id):
            let retry: WorkItem = key == .resolution(id) ? .resumeResolution(id) : .resume(id)
            let retryKey = Self.key(retry)
            let wait = Self.backoff(after: backoff[retryKey])
            backoff[retryKey] = wait
            scheduled[retryKey] = (retry, now + wait)
        }
    }

    /// The wait before the next retry: 5 s, doubling up to 5 minutes.
    static func backoff(after previous: Double?) -> Double { min(300, (previous ?? 2.5) * 2) }

    // MARK: Decisions

    /// What to do now. After carrying out actions that report something back (`rescan`, `look`,
    /// `readSidecar`, `lookAtResolution`: `reportsBack`), call again with the same time: what
    /// they report may allow more.
    mutating func next(now: Double) -> [Action] {
        switch state {
        case .stopped:
            return []
        case .draining:
            state = .stopped
            return [.exit]
        case .recovering:
            if rescanAsked { return [] }
            rescanAsked = true
            return [.rescan]
        case .running:
            break
        }
        var actions: [Action] = []
        if now >= nextRescan && !rescanAsked {
            rescanAsked = true
            actions.append(.rescan)
        }
        if now > looksAskedAt {
            // Once per moment: a file still written with no settle time (a done file came) is
            // due again at once after its look; it is looked at again at the next wake.
            looksAskedAt = now
            for path in pairing.due(now: now) where !claimedPaths.contains(path) { actions.append(.look(path)) }
            for (id, settling) in resolutions.sorted(by: { $0.key < $1.key }) where settling.isDue(now: now, settle: options.settle) {
                actions.append(.lookAtResolution(id))
            }
        }
        for (key, entry) in scheduled.sorted(by: { $0.value.due < $1.value.due }) where entry.due <= now && room > 0 {
            guard inFlight[key] == nil else { continue }
            scheduled[key] = nil
            actions.append(submit(entry.item))
        }
        for (id, settling) in resolutions.sorted(by: { $0.key < $1.key }) where settling.complete && room > 0 {
            resolutions[id] = nil
            actions.append(submit(.resolve(id)))
        }
        for action in pairing.tick(now: now, capacity: room) {
            switch action {
            case .readSidecar(let path):
                actions.append(.readSidecar(path))
            case .awaiting(let sidecar, let file):
                awaiting.insert(sidecar)
                actions.append(.announceAwaiting(sidecar: sidecar, file: file))
            case .dropMarker(let path):
                actions.append(.dropMarker(path))
            case .claim(let plan):
                for p in plan.take { awaiting.remove(p) }
                claimedPaths.formUnion(plan.take)
                actions.append(submit(.claim(plan)))
            }
        }
        if now >= nextMetrics {
            nextMetrics = now + options.metricsInterval
            actions.append(.writeMetrics)
        }
        if actions.isEmpty && options.once && isDone(now: now) {
            state = .stopped
            return [.exit]
        }
        return actions
    }

    private mutating func submit(_ item: WorkItem) -> Action {
        inFlight[Self.key(item)] = item
        return .submit(item)
    }

    /// `--once`: everything that was complete is handled; what waits for an upload or a sidecar
    /// within its window, or for a retry's time, stays for the next run.
    func isDone(now: Double) -> Bool {
        inFlight.isEmpty && !rescanAsked && scheduled.values.allSatisfy { $0.due > now } && resolutions.isEmpty
            && pairing.isWaitingOnly(now: now)
    }

    /// When something may be decided without an event: a settle time ending, an upload window
    /// closing, a retry falling due, the next rescan or metrics.
    func nextDeadline(now: Double) -> Double {
        var next = min(nextMetrics, nextRescan)
        if let d = pairing.nextDeadline(after: now) { next = min(next, d) }
        for entry in scheduled.values where entry.due > now || room > 0 { next = min(next, entry.due) }
        for settling in resolutions.values {
            // A complete one waits only for room: a worker that finishes wakes the loop.
            if let due = settling.deadline(settle: options.settle) { next = min(next, max(now, due)) }
        }
        return next
    }
}
