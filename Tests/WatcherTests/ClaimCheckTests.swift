import Dispatch
import Engine
import Foundation
import Glibc
import Synchronization
import Testing
@testable import Watcher

/// Contract §2c: a file is claimed only when no one is writing it, and what is published is
/// what was read. Real files, real descriptors held open by this process, a real daemon.
@Suite(.timeLimit(.minutes(3)))
struct ClaimCheckTests {
    /// Opens `path` for writing and writes `text`; the descriptor stays open (a sender mid-file).
    static func openWriter(_ path: String, _ text: String) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "open \(path): \(errno)")
        append(fd, text)
        return fd
    }

    static func append(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    @Test func theKernelSaysWhetherAFileIsOpenForWriting() throws {
        let root = try TestRoot()
        let path = "\(root.path)/inbox/customers/w.csv"
        let fd = ClaimCheckTests.openWriter(path, "email,name\n")
        #expect(WriterProbe.probe(path) == .open)
        close(fd)
        #expect(WriterProbe.probe(path) == .none)
        let reader = open(path, O_RDONLY)
        #expect(WriterProbe.probe(path) == .none, "readers do not count")
        close(reader)
    }

    /// A sender that stalls mid-file for longer than the settle time (a link that stops), then
    /// finishes: imported once, whole, after it closed the file.
    @Test func aSenderStalledMidFileIsNotImportedUntilItClosesTheFile() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path, settle: 0.05)
        defer { daemon.stop() }
        let csv = TestRoot.csv(rows: 400, tag: "stall")
        let cut = csv.utf8.count / 3
        let fd = ClaimCheckTests.openWriter("\(root.path)/inbox/customers/stall.csv", String(csv.prefix(cut)))
        // 40 settle times with nothing written.
        usleep(2_000_000)
        #expect(root.results().isEmpty, "claimed while the sender still had it open: \(daemon.log.suffix(5))")
        #expect(root.inbox("customers") == ["stall.csv"])
        ClaimCheckTests.append(fd, String(csv.dropFirst(cut)))
        close(fd)
        #expect(TestRoot.waitFor(60) { root.results().count == 1 })
        let result = try #require(root.results().first)
        #expect(result.folder == "outbox")
        #expect(result.record.resultMetadata["num_rows"]?.intValue == 400)
        #expect(try Paths.readFile("\(root.path)/outbox/\(result.id)/source/stall.csv") == Array(csv.utf8))
    }

    /// The fallback where no lease may be taken: the writes seen (IN_MODIFY) hold the file
    /// until its writer closes it (IN_CLOSE_WRITE), however long the writer stalls.
    @Test func writesSeenAsEventsHoldAFileWithoutTheKernelsWord() throws {
        let root = try TestRoot()
        var m = PairingMachine(settle: 0.05, uploadWindow: 60)
        let watches = try InboxWatches(layout: root.layout)
        watches.armInbox(log: EventLog { _ in })
        let fd = ClaimCheckTests.openWriter("\(root.path)/inbox/customers/e.csv", "email,name\na@b.co,A\n")
        let path = InboxPath("e.csv", folder: "customers")
        func feed(_ now: Double) throws {
            for event in try watches.inotify.read() {
                if case .file(let p, false, let writers) = watches.classify(event) {
                    m.observe(p, FileSignature.of("\(root.path)/inbox/\(p.relative)"), now: now, event: true, writers: writers)
                }
            }
            for p in m.due(now: now) { m.observe(p, FileSignature.of("\(root.path)/inbox/\(p.relative)"), now: now) }
        }
        try feed(0)
        try feed(10)
        #expect(m.tick(now: 10, capacity: 4).isEmpty, "complete while IN_CLOSE_WRITE has not come")
        close(fd)
        try feed(11)
        try feed(11.1)
        #expect(m.tick(now: 11.1, capacity: 4) == [.claim(ClaimPlan(take: [path], schemaFolder: "customers"))])
    }

    /// A file that changes after it was claimed (a writer on another host, which no lease and no
    /// event shows): nothing is published from what was read; the import is done again once the
    /// file is still, with every row, and the log says so.
    @Test func aFileChangedWhileItIsImportedIsNotPublishedAndIsImportedAgainWhole() throws {
        let root = try TestRoot()
        // A beforeFinish hook that takes 2 s: the window in which the file changes.
        try Paths.makeDirectories("\(root.path)/schemas/hooks")
        root.write("schemas/hooks/slow.sh", "#!/bin/sh\nread line\nsleep 2\necho '{}'\n")
        chmod("\(root.path)/schemas/hooks/slow.sh", 0o755)
        root.write(
            "schemas/slow.json",
            #"{"name": "S", "fields": [{"key": "email", "type": "email"}, {"key": "name"}], "hooks": {"beforeFinish": "hooks/slow.sh"}}"#)
        try Paths.makeDirectories("\(root.path)/inbox/slow")
        let csv = TestRoot.csv(rows: 50, tag: "changed")
        root.write("inbox/slow/c.csv", csv)
        let lines = Mutex<[String]>([])
        let work = ImportWork(
            layout: root.layout, owner: "check001", log: EventLog(minimum: .debug) { l in lines.withLock { $0.append(l) } },
            metrics: Metrics())
        let outcome = Mutex<WorkResult.Outcome?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            outcome.withLock { $0 = work.perform(.claim(ClaimPlan(take: [InboxPath("c.csv", folder: "slow")], schemaFolder: "slow"))) }
            done.signal()
        }.start()
        // The claim is made and the import is running: the sender appends a row to the inode.
        #expect(TestRoot.waitFor(30) { Paths.list(root.layout.work).contains { Paths.exists("\(root.layout.work)/\($0)/build") } })
        let id = try #require(Paths.list(root.layout.work).first { !$0.hasPrefix(".") })
        let fd = open("\(root.layout.work)/\(id)/data", O_WRONLY | O_APPEND | O_CLOEXEC)
        ClaimCheckTests.append(fd, "late@changed.example.com,Late\n")
        close(fd)
        #expect(done.wait(timeout: .now() + 60) == .success)
        #expect(outcome.withLock { $0 } == .changed(id: id))
        #expect(root.results().isEmpty, "published from bytes that are no longer the file")
        #expect(lines.withLock { $0 }.contains { $0.contains("event=changed_during_import") && $0.contains("id=\(id)") })
        // The daemon's next step: done again, whole.
        #expect(work.perform(.redo(id)) == .imported(id: id, status: "SUCCESSFUL"))
        let result = try #require(root.results().first)
        #expect(result.record.resultMetadata["num_rows"]?.intValue == 51)
        #expect(try Paths.readFile("\(root.path)/outbox/\(id)/source/c.csv") == Array((csv + "late@changed.example.com,Late\n").utf8))
    }

    /// A writer that still holds the claimed file is waited for; once it is gone (the kernel
    /// vouches for it), the file is published whole. (Where the kernel cannot vouch, source/ is
    /// a copy: LeaseFallbackTests.)
    @Test func aClaimedFileStillHeldForWritingIsWaitedFor() throws {
        let root = try TestRoot()
        let csv = TestRoot.csv(rows: 10, tag: "held")
        root.write("inbox/customers/a.csv", csv)
        let inode = FileSignature.of("\(root.path)/inbox/customers/a.csv")!.inode
        // A descriptor opened for writing before the claim, like a server's that has not closed.
        let fd = open("\(root.path)/inbox/customers/a.csv", O_WRONLY | O_APPEND | O_CLOEXEC)
        let work = ImportWork(layout: root.layout, owner: "check002", log: EventLog { _ in }, metrics: Metrics())
        let first = work.perform(.claim(ClaimPlan(take: [InboxPath("a.csv", folder: "customers")], schemaFolder: "customers")))
        guard case .changed(let id) = first else { Issue.record("expected to wait for the writer, got \(first)"); close(fd); return }
        #expect(work.perform(.redo(id)) == .changed(id: id), "still held")
        #expect(root.results().isEmpty)
        close(fd)
        usleep(300_000)  // a redo waits until the file has held still for the settle time (0.2 s)
        #expect(work.perform(.redo(id)) == .imported(id: id, status: "SUCCESSFUL"))
        _ = inode
        #expect(try Paths.readFile("\(root.path)/outbox/\(id)/source/a.csv") == Array(csv.utf8))
        #expect(Paths.list(root.layout.work).isEmpty, "the claimed inode is removed with the claim")
    }
}
