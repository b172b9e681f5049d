import Engine
import Testing
@testable import Watcher

/// The pairing machine driven with explicit times: no sleeping, no disk.
struct PairingMachineTests {
    let data = InboxPath("a.csv")
    let sidecar = InboxPath("a.csv.import.json")
    let file = FileSignature(size: 10, mtime: 1, inode: 1)
    let sidecarFile = FileSignature(size: 50, mtime: 1, inode: 2)

    func claims(_ actions: [PairingMachine.Action]) -> [ClaimPlan] {
        actions.compactMap { if case .claim(let p) = $0 { p } else { nil } }
    }

    /// Looks again at every due path with the same signatures, as the daemon's stat would.
    func settle(_ m: inout PairingMachine, at now: Double, _ sigs: [InboxPath: FileSignature]) {
        for p in m.due(now: now) { m.observe(p, sigs[p], now: now) }
    }

    @Test func aFileIsCompleteOnlyAfterItHeldStillForTheSettleTime() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        let p = InboxPath("a.csv", folder: "customers")
        m.observe(p, file, now: 0, event: true)
        #expect(m.due(now: 0.1) == [])
        #expect(claims(m.tick(now: 0.1, capacity: 10)) == [])
        #expect(m.nextDeadline(after: 0.1) == 0.2)
        // It grew meanwhile: the settle time starts again.
        m.observe(p, FileSignature(size: 20, mtime: 2, inode: 1), now: 0.2)
        #expect(claims(m.tick(now: 0.3, capacity: 10)) == [])
        #expect(m.due(now: 0.41) == [p])
        m.observe(p, FileSignature(size: 20, mtime: 2, inode: 1), now: 0.41)
        #expect(claims(m.tick(now: 0.41, capacity: 10)) == [ClaimPlan(take: [p], schemaFolder: "customers")])
        #expect(m.count == 0)
    }

    @Test func anEventRestartsTheSettleTimeEvenWithTheSameSize() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        let p = InboxPath("a.csv", folder: "c")
        m.observe(p, file, now: 0, event: true)
        m.observe(p, file, now: 0.15, event: true)
        m.observe(p, file, now: 0.25)
        #expect(claims(m.tick(now: 0.25, capacity: 10)) == [])
        m.observe(p, file, now: 0.36)
        #expect(claims(m.tick(now: 0.36, capacity: 10)).count == 1)
    }

    @Test func aSidecarThatArrivesFirstWaitsForItsFile() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(sidecar, sidecarFile, now: 0, event: true)
        settle(&m, at: 0.2, [sidecar: sidecarFile])
        #expect(m.tick(now: 0.2, capacity: 10) == [.readSidecar(sidecar)])
        m.sidecarRead(sidecar, signature: sidecarFile, content: .names("a.csv"))
        #expect(m.tick(now: 0.2, capacity: 10) == [.awaiting(sidecar: sidecar, file: "a.csv")])
        #expect(m.tick(now: 0.3, capacity: 10) == [], "AWAITING_UPLOAD is said once")
        m.observe(data, file, now: 5, event: true)
        #expect(claims(m.tick(now: 5.1, capacity: 10)) == [])
        settle(&m, at: 5.2, [data: file])
        #expect(claims(m.tick(now: 5.2, capacity: 10)) == [ClaimPlan(take: [sidecar, data])])
    }

    @Test func aSidecarThatArrivesLastIsPairedWithTheWaitingFile() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(data, file, now: 0, event: true)
        settle(&m, at: 0.2, [data: file])
        #expect(m.tick(now: 0.2, capacity: 10) == [], "a file in inbox/ waits for its sidecar")
        m.observe(sidecar, sidecarFile, now: 50, event: true)
        settle(&m, at: 50.2, [sidecar: sidecarFile])
        #expect(m.tick(now: 50.2, capacity: 10) == [.readSidecar(sidecar)])
        m.sidecarRead(sidecar, signature: sidecarFile, content: .names("a.csv"))
        #expect(claims(m.tick(now: 50.2, capacity: 10)) == [ClaimPlan(take: [sidecar, data])])
    }

    @Test func aFileWhoseSidecarNeverComesEndsMissingSidecar() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 10)
        m.observe(data, file, now: 0, event: true)
        settle(&m, at: 0.2, [data: file])
        #expect(m.nextDeadline(after: 0.2) == 10)
        #expect(m.tick(now: 9.9, capacity: 10) == [])
        let plans = claims(m.tick(now: 10, capacity: 10))
        #expect(plans.map(\.take) == [[data]])
        #expect(plans.first?.failure?.code == "MISSING_SIDECAR")
    }

    @Test func aFileFoundByAScanCountsItsAgeAgainstTheWindow() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 10)
        m.observe(data, file, now: 100, age: 9.9)
        settle(&m, at: 100.2, [data: file])
        #expect(claims(m.tick(now: 100.2, capacity: 10)).first?.failure?.code == "MISSING_SIDECAR")
    }

    @Test func aSidecarWhoseFileNeverComesEndsUploadExpired() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 10)
        m.observe(sidecar, sidecarFile, now: 0, event: true)
        settle(&m, at: 0.2, [sidecar: sidecarFile])
        _ = m.tick(now: 0.2, capacity: 10)
        m.sidecarRead(sidecar, signature: sidecarFile, content: .names("a.csv"))
        // The file is there but still being written at the end of the window.
        m.observe(data, file, now: 9.95, event: true)
        let plans = claims(m.tick(now: 10, capacity: 10))
        #expect(plans.map(\.take) == [[sidecar]])
        #expect(plans.first?.failure?.code == "UPLOAD_EXPIRED")
        #expect(plans.first?.originalFilename == "a.csv")
    }

    @Test func anInvalidSidecarIsClaimedAloneWithItsFailure() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(sidecar, sidecarFile, now: 0)
        settle(&m, at: 0.2, [sidecar: sidecarFile])
        _ = m.tick(now: 0.2, capacity: 10)
        let failure = ImportFailure("INVALID_SIDECAR", "bad")
        m.sidecarRead(sidecar, signature: sidecarFile, content: .invalid(failure))
        #expect(claims(m.tick(now: 0.2, capacity: 10)) == [ClaimPlan(take: [sidecar], failure: failure)])
    }

    @Test func aSidecarThatChangedWhileBeingReadIsReadAgain() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(sidecar, sidecarFile, now: 0)
        settle(&m, at: 0.2, [sidecar: sidecarFile])
        #expect(m.tick(now: 0.2, capacity: 10) == [.readSidecar(sidecar)])
        m.sidecarRead(sidecar, signature: FileSignature(size: 51, mtime: 2, inode: 2), content: .payload)
        #expect(m.tick(now: 0.2, capacity: 10) == [])
    }

    @Test func aFIFOOrALinkInTheInboxItselfIsRefusedAtOnce() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 1000)
        let fifo = InboxPath("pipe.csv"), link = InboxPath("link.csv")
        let sigs = [fifo: FileSignature(kind: .fifo, size: 0, inode: 5), link: FileSignature(kind: .symlink, size: 11, inode: 6)]
        for (p, s) in sigs { m.observe(p, s, now: 0) }
        settle(&m, at: 0.2, sigs)
        let plans = claims(m.tick(now: 0.2, capacity: 10))
        #expect(Set(plans.flatMap(\.take)) == [fifo, link])
        #expect(plans.allSatisfy { $0.failure?.code == "UNREADABLE_FILE" })
    }

    @Test func claimsAreHandedOutOldestFirstAndOnlyAsManyAsThereIsRoom() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        let paths = (0..<5).map { InboxPath("f\($0).csv", folder: "c") }
        for (i, p) in paths.enumerated() { m.observe(p, FileSignature(size: 1, inode: UInt64(i)), now: Double(4 - i) * 0.01) }
        for p in m.due(now: 1) { m.observe(p, FileSignature(size: 1, inode: UInt64(paths.firstIndex(of: p)!)), now: 1) }
        #expect(claims(m.tick(now: 1, capacity: 2)).map(\.take) == [[paths[4]], [paths[3]]])
        #expect(claims(m.tick(now: 1, capacity: 10)).map(\.take) == [[paths[2]], [paths[1]], [paths[0]]])
    }

    @Test func aFileThatGoesAwayIsForgotten() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(data, file, now: 0)
        m.observe(data, nil, now: 0.1)
        #expect(m.count == 0)
        #expect(m.nextDeadline(after: 0.1) == nil)
        #expect(m.isWaitingOnly(now: 0.1))
    }

    @Test func onceIsDoneWhenOnlyWaitsAreLeft() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(data, file, now: 0)
        #expect(!m.isWaitingOnly(now: 0))
        settle(&m, at: 0.2, [data: file])
        #expect(m.isWaitingOnly(now: 0.2), "a file waiting for its sidecar is left for the next run")
    }
}
