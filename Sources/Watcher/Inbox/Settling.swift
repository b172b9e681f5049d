/// The one settle rule (contract §2c), for inbox files (inside `PairingMachine`) and for
/// `review/<id>/resolution.json` (inside `DaemonMachine`): a file is complete once it has held
/// still — the same size, mtime and inode, no event naming it, no one writing it — for the
/// settle time, and a last look after that time still finds it so. Times are explicit seconds.
struct Settling: Sendable, Equatable {
    private(set) var signature: FileSignature
    /// The last change seen: an event, a different signature, a writer.
    private(set) var changed: Double
    private(set) var complete = false

    init(signature: FileSignature, now: Double) {
        self.signature = signature
        self.changed = now
    }

    /// The settle time is over: look again, and the look may call it complete.
    func isDue(now: Double, settle: Double) -> Bool { !complete && now - changed >= settle }

    /// When it falls due; nil once complete.
    func deadline(settle: Double) -> Double? { complete ? nil : changed + settle }

    /// Something changed it (an event, a writer, a sidecar read at another signature): the settle
    /// time starts again.
    mutating func restart(now: Double) {
        changed = now
        complete = false
    }

    /// A look at it. `event`: an inotify event named it (the settle time starts again even when
    /// size and mtime are the same). `writing`: someone still writes it (it is looked at again
    /// after another settle time, never called complete). Returns whether the signature differs
    /// from the last look's (what was known of its content is stale).
    @discardableResult
    mutating func observe(_ signature: FileSignature, now: Double, event: Bool = false, settle: Double, writing: Bool = false) -> Bool {
        if signature != self.signature {
            self.signature = signature
            restart(now: now)
            return true
        }
        if event {
            restart(now: now)
        } else if isDue(now: now, settle: settle) {
            if writing { changed = now } else { complete = true }
        }
        return false
    }
}
