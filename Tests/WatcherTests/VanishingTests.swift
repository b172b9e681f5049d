import Engine
import Foundation
import Glibc
import Testing
@testable import Watcher

/// Files that go away under the daemon, and files it may not read.
@Suite(.timeLimit(.hangGuard))
struct VanishingTests {
    /// A claimed file removed from `.intake/work/<id>/` while it is imported (someone cleaning
    /// up by hand): the import ends in one result folder that says so, not in silence.
    @Test func aClaimedFileDeletedWhileItIsImportedEndsFailedWithASentence() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path, workers: 1)
        defer { daemon.stop() }
        root.write("inbox/big.csv.import.json", #"{"schema_id": "customers", "original_filename": "big.csv"}"#)
        root.write("inbox/big.csv", TestRoot.csv(rows: 200_000, tag: "gone"))
        #expect(TestRoot.waitFor { daemon.log.contains { $0.contains("event=claimed") } })
        let id = try #require(Paths.list(root.layout.work).first { !$0.hasPrefix(".") })
        let data = "\(root.layout.work)/\(id)/data"
        let moved = "\(root.layout.work)/\(id)/build/source/big.csv"
        #expect(unlink(data) == 0 || unlink(moved) == 0)
        #expect(TestRoot.waitFor { root.results().count == 1 }, "\(daemon.log.suffix(6))")
        let r = try #require(root.results().first)
        print("deleted while claimed: \(r.folder) \(r.record.importErrors ?? []) sources \(r.sources)")
        #expect(TestRoot.waitFor { Paths.list(root.layout.work).isEmpty }, "\(Paths.list(root.layout.work))")
        #expect(RecordStore(layout: root.layout).read(r.id)?.status == r.record.status)
    }

    #if INTAKE_FAULT_INJECTION
    /// The same between two tries (the import waits after a full disk): the claim holds nothing
    /// any more, so it is dropped, and so is its PENDING record, which would else stay in
    /// `intake status` for ever.
    @Test func aClaimedFileDeletedWhileItsImportWaitsLeavesNoPendingRecordBehind() throws {
        let root = try TestRoot()
        root.write("inbox/customers/w.csv", TestRoot.csv(rows: 3))
        let work = ImportWork(layout: root.layout, owner: "vanish01", log: EventLog { _ in }, metrics: Metrics())
        let token = FaultInjection.arm(prefix: root.layout.work + "/", calls: ["write"], after: 1)
        let first = work.perform(.claim(ClaimPlan(take: [InboxPath("w.csv", folder: "customers")], schemaFolder: "customers")))
        FaultInjection.disarm(token)
        guard case .retry(let id) = first else { Issue.record("expected a retry, got \(first)"); return }
        #expect(RecordStore(layout: root.layout).read(id)?.status == .pending)
        #expect(unlink("\(root.layout.work)/\(id)/data") == 0)
        #expect(work.perform(.resume(id)) == .lost)
        #expect(RecordStore(layout: root.layout).read(id) == nil, "no PENDING record left")
        #expect(Paths.list(root.layout.work).isEmpty)
    }
    #endif
}
