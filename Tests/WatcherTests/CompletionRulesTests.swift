import Engine
import Testing
@testable import Watcher

/// Contract §2c, "complete means no one is writing": the pairing machine with what the kernel
/// and the events say of writers, and with done files. Explicit times, no disk.
struct CompletionRulesTests {
    let csv = InboxPath("a.csv", folder: "customers")
    let done = InboxPath("a.csv.done", folder: "customers")
    let file = FileSignature(size: 10, mtime: 1, inode: 1)
    let marker = FileSignature(size: 0, mtime: 1, inode: 2)

    func claims(_ actions: [PairingMachine.Action]) -> [ClaimPlan] {
        actions.compactMap { if case .claim(let p) = $0 { p } else { nil } }
    }

    @Test func aFileOpenForWritingIsNeverCompleteHoweverLongItHoldsStill() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(csv, file, now: 0, event: true)
        // A sender stalled mid-file for a minute: same size and mtime, but the kernel says open.
        for t in stride(from: 0.2, through: 60, by: 0.2) {
            for p in m.due(now: t) { m.observe(p, file, now: t, writers: .open) }
            #expect(claims(m.tick(now: t, capacity: 10)) == [], "claimed at \(t) s while open for writing")
        }
        // Closed (IN_CLOSE_WRITE): one settle time more, then claimed.
        m.observe(csv, file, now: 60.1, event: true, writers: .none)
        #expect(m.due(now: 60.25) == [])
        #expect(m.due(now: 60.31) == [csv])
        m.observe(csv, file, now: 60.31, writers: .none)
        #expect(claims(m.tick(now: 60.31, capacity: 10)) == [ClaimPlan(take: [csv], schemaFolder: "customers")])
    }

    @Test func writesSeenAsEventsHoldTheFileUntilItsWriterClosesIt() {
        // The fallback where the daemon may not take a lease: IN_MODIFY, then IN_CLOSE_WRITE.
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(csv, file, now: 0, event: true, writers: .open)
        for t in [0.5, 1.0, 5.0] {
            for p in m.due(now: t) { m.observe(p, file, now: t) }  // the kernel would not say
            #expect(claims(m.tick(now: t, capacity: 10)) == [])
        }
        #expect(m.nextDeadline(after: 5.0) == 5.2, "looked at again after a settle time, not at every turn")
        m.observe(csv, file, now: 6, event: true, writers: .none)
        for p in m.due(now: 6.2) { m.observe(p, file, now: 6.2) }
        #expect(claims(m.tick(now: 6.2, capacity: 10)).count == 1)
    }

    @Test func lostEventsForgetWhatTheySaidOfWriters() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        m.observe(csv, file, now: 0, event: true, writers: .open)
        m.forgetWriters()  // the queue overflowed: the IN_CLOSE_WRITE may be lost
        for p in m.due(now: 0.2) { m.observe(p, file, now: 0.2) }
        #expect(claims(m.tick(now: 0.2, capacity: 10)).count == 1)
    }

    @Test func aDoneFileMakesItsDataCompleteWithoutTheSettleTimeAndGoesWithIt() {
        var m = PairingMachine(settle: 30, uploadWindow: 1000)
        m.observe(csv, file, now: 0, event: true)
        m.observe(done, marker, now: 0.1, event: true)
        #expect(Set(m.due(now: 0.1)) == [csv, done])
        for p in m.due(now: 0.1) { m.observe(p, p == csv ? file : marker, now: 0.1, writers: .none) }
        #expect(claims(m.tick(now: 0.1, capacity: 10)) == [ClaimPlan(take: [csv, done], schemaFolder: "customers")])
        #expect(m.count == 0)
    }

    @Test func aDoneFileDoesNotHurryAFileStillOpenForWriting() {
        var m = PairingMachine(settle: 30, uploadWindow: 1000)
        m.observe(csv, file, now: 0, event: true)
        m.observe(done, marker, now: 0.1, event: true)
        m.observe(csv, file, now: 0.1, writers: .open)
        m.observe(done, marker, now: 0.1, writers: .none)
        #expect(claims(m.tick(now: 0.1, capacity: 10)) == [])
        m.observe(csv, file, now: 0.5, writers: .none)
        #expect(claims(m.tick(now: 0.5, capacity: 10)).map(\.take) == [[csv, done]])
    }

    @Test func aFileWaitsForItsDoneFileToBeComplete() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 1000)
        m.observe(csv, file, now: 0, event: true)
        m.observe(done, marker, now: 0.3, event: true, writers: .open)
        m.observe(csv, file, now: 0.3)
        #expect(claims(m.tick(now: 0.3, capacity: 10)) == [], "claimed without the done file that is being written")
        m.observe(done, marker, now: 0.4, writers: .none)
        #expect(claims(m.tick(now: 0.4, capacity: 10)).map(\.take) == [[csv, done]])
    }

    @Test func aDoneFileThatComesAfterItsDataWasClaimedIsDropped() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 1000)
        m.observe(csv, file, now: 0, event: true)
        m.observe(csv, file, now: 0.2)
        #expect(claims(m.tick(now: 0.2, capacity: 10)).map(\.take) == [[csv]])
        m.observe(done, marker, now: 0.5, event: true)
        m.observe(done, marker, now: 0.5, writers: .none)
        #expect(m.tick(now: 0.5, capacity: 10) == [.dropMarker(done)])
        #expect(m.count == 0)
    }

    @Test func aDoneFileAloneEndsUploadExpiredAfterTheWindow() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 10)
        m.observe(done, marker, now: 0, event: true)
        m.observe(done, marker, now: 0.1)
        #expect(m.tick(now: 9, capacity: 10) == [])
        let plans = claims(m.tick(now: 10, capacity: 10))
        #expect(plans.map(\.take) == [[done]])
        #expect(plans.first?.failure?.code == "UPLOAD_EXPIRED")
        #expect(plans.first?.originalFilename == "a.csv")
    }

    @Test func aSidecarImportTakesTheDoneFileToo() {
        var m = PairingMachine(settle: 0.2, uploadWindow: 100)
        let data = InboxPath("b.csv"), sidecar = InboxPath("b.csv.import.json"), ready = InboxPath("b.csv.READY")
        for (p, s) in [(data, file), (sidecar, FileSignature(size: 40, inode: 3)), (ready, marker)] {
            m.observe(p, s, now: 0, event: true)
            m.observe(p, s, now: 0.2)
        }
        #expect(m.tick(now: 0.2, capacity: 10) == [.readSidecar(sidecar)])
        m.sidecarRead(sidecar, signature: FileSignature(size: 40, inode: 3), content: .names("b.csv"))
        #expect(claims(m.tick(now: 0.2, capacity: 10)).map(\.take) == [[sidecar, data, ready]])
    }

    @Test(arguments: [
        ("a.csv.done", "a.csv"), ("A.CSV.READY", "A.CSV"), ("a.csv.Ready", nil), (".done", nil), ("done", nil), ("a.csv", nil),
    ])
    func doneFilesAreNamedForTheirData(name: String, marks: String?) {
        #expect(InboxRules.markedName(name) == marks)
    }

    @Test(arguments: ["~$Book1.xlsx", "report.csv.download", ".in.report.csv.", ".pureftpd-upload.5f3a.csv", "x.filepart"])
    func uploadsInProgressAndLockFilesAreNotLookedAt(name: String) {
        #expect(InboxRules.isIgnored(name))
    }
}
