import Engine
import Foundation
import Glibc
import Testing
@testable import Watcher

/// What a daemon finds after another died: claims in every state a kill -9 can leave them.
@Suite(.timeLimit(.hangGuard))
struct RecoveryTests {
    /// A claim of a dead owner (no lock held), with the given files already in their slots.
    func deadClaim(_ root: TestRoot, plan: ClaimPlan, moved: Int) throws -> Claim {
        let claim = Claim(id: ImportJob.newID(), owner: "dead0001", createdDate: Clock.now(), plan: plan)
        let store = ClaimStore(layout: root.layout)
        try Paths.makeDirectories(store.folder(claim.id))
        root.write(".intake/work/\(claim.id)/claim.json", String(decoding: JSONWriter.document(claim.json), as: UTF8.self))
        for taken in claim.taken.prefix(moved) {
            #expect(rename(root.layout.inboxPath(taken.from), store.slot(claim.id, taken)) == 0)
        }
        root.write(".intake/owners/dead0001.lock", "")
        return claim
    }

    @Test func aClaimCutBetweenItsTwoRenamesIsFinishedAndImported() throws {
        let root = try TestRoot()
        root.write("inbox/a.import.json", #"{"schema_id": "customers", "original_filename": "a.csv"}"#)
        root.write("inbox/a.csv", TestRoot.csv(rows: 2))
        let claim = try deadClaim(root, plan: ClaimPlan(take: [InboxPath("a.import.json"), InboxPath("a.csv")]), moved: 1)
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        let results = root.results()
        #expect(results.map(\.id) == [claim.id])
        #expect(results.first?.sources == ["a.csv", "a.import.json"])
        #expect(root.inbox().isEmpty)
        #expect(Paths.list(root.layout.work).isEmpty)
        #expect(!Paths.exists("\(root.path)/.intake/owners/dead0001.lock"))
        #expect(daemon.log.contains { $0.contains("event=recovered") && $0.contains(claim.id) })
    }

    @Test func aClaimThatNeverTookItsFirstFileIsDroppedAndTheFileImportedAnew() throws {
        let root = try TestRoot()
        root.write("inbox/customers/b.csv", TestRoot.csv(rows: 1))
        let claim = try deadClaim(
            root, plan: ClaimPlan(take: [InboxPath("b.csv", folder: "customers")], schemaFolder: "customers"), moved: 0)
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        let results = root.results()
        #expect(results.count == 1)
        #expect(results.first?.id != claim.id)
        #expect(results.first?.sources == ["b.csv"])
    }

    @Test func anImportCutInTheMiddleOfItsBuildIsRedoneIntoOneFolder() throws {
        let root = try TestRoot()
        root.write("inbox/customers/c.csv", TestRoot.csv(rows: 3))
        let claim = try deadClaim(
            root, plan: ClaimPlan(take: [InboxPath("c.csv", folder: "customers")], schemaFolder: "customers"), moved: 1)
        // Half a build, the source already moved into it, as a kill just before the publish leaves it.
        let build = ClaimStore(layout: root.layout).build(claim.id)
        try Paths.makeDirectories(build + "/source")
        try Paths.makeDirectories(build + ".scratch")
        root.write(".intake/work/\(claim.id)/build/results.json", "[")
        #expect(rename(ClaimStore(layout: root.layout).slot(claim.id, claim.taken[0]), build + "/source/c.csv") == 0)
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        let results = root.results()
        #expect(results.map(\.id) == [claim.id])
        #expect(results.first?.record.resultMetadata["num_rows"]?.intValue == 3)
        #expect(Paths.list(root.layout.work).isEmpty)
    }

    @Test func aClaimAlreadyPublishedOnlyGetsItsBookkeeping() throws {
        let root = try TestRoot()
        root.write("inbox/customers/d.csv", TestRoot.csv(rows: 1))
        let claim = try deadClaim(
            root, plan: ClaimPlan(take: [InboxPath("d.csv", folder: "customers")], schemaFolder: "customers"), moved: 1)
        // The import ran and was published; the kill came before the record and the clean-up.
        let store = ClaimStore(layout: root.layout)
        let job = ImportWork(layout: root.layout, owner: "x", log: EventLog { _ in }, metrics: Metrics()).makeJob(claim)
        _ = try ImportRunner.run(job, buildPath: store.build(claim.id)) { root.layout.result(claim.id, $0) }
        let published = try #require(root.layout.published(claim.id))
        let before = try Paths.readFile(published + "/import.json")
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        #expect(root.results().map(\.id) == [claim.id])
        #expect(try Paths.readFile(published + "/import.json") == before, "a published folder is never redone")
        #expect(RecordStore(layout: root.layout).read(claim.id)?.status == .successful)
        #expect(Paths.list(root.layout.work).isEmpty)
    }

    @Test func aLiveDaemonsClaimIsLeftAlone() throws {
        let root = try TestRoot()
        let owner = try OwnerLock(layout: root.layout)
        root.write("inbox/customers/e.csv", TestRoot.csv(rows: 1))
        var claim = try deadClaim(
            root, plan: ClaimPlan(take: [InboxPath("e.csv", folder: "customers")], schemaFolder: "customers"), moved: 1)
        claim = try ClaimStore(layout: root.layout).setOwner(claim, to: owner.id)
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        #expect(root.results().isEmpty)
        #expect(ClaimStore(layout: root.layout).load(claim.id)?.owner == owner.id)
        withExtendedLifetime(owner) {}
    }

    @Test func staleTemporariesOfDeadOwnersAreSwept() throws {
        let root = try TestRoot()
        try Paths.makeDirectories("\(root.path)/.intake/work/.1234.dead0002.tmp")
        root.write(".intake/work/.1234.dead0002.tmp/claim.json", "{}")
        root.write(".intake/records/.abcd.json.dead0002.tmp", "{")
        root.write(".intake/owners/dead0002.lock", "")
        // A daemon killed between creating its lock and renaming it (found by the soak), and
        // one starting now (young): only the old one goes.
        root.write(".intake/owners/.dead0003.tmp", "")
        root.write(".intake/owners/.young0004.tmp", "")
        var old = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        _ = old.withUnsafeMutableBufferPointer { utimensat(AT_FDCWD, "\(root.path)/.intake/owners/.dead0003.tmp", $0.baseAddress, 0) }
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        #expect(Paths.list(root.layout.work).isEmpty)
        #expect(Paths.list(root.layout.records).isEmpty)
        #expect(!Paths.exists("\(root.path)/.intake/owners/dead0002.lock"))
        #expect(!Paths.exists("\(root.path)/.intake/owners/.dead0003.tmp"))
        #expect(Paths.exists("\(root.path)/.intake/owners/.young0004.tmp"))
    }

    /// Found by scripts/shared-folder-soak on GlusterFS: once the first adopter of a dead
    /// daemon's claim had removed its lock file, a second adopter found no lock to hold and
    /// adopted the same claim (three daemons ran one import in one build folder). The takeover
    /// is now a hard link to a fixed name: one daemon wins it, and only a dead winner's token can
    /// be taken from it.
    @Test func aDeadDaemonsClaimIsAdoptedByOneDaemonOnly() throws {
        let root = try TestRoot()
        root.write("inbox/customers/a.csv", TestRoot.csv(rows: 2))
        let claim = try deadClaim(
            root, plan: ClaimPlan(take: [InboxPath("a.csv", folder: "customers")], schemaFolder: "customers"), moved: 1)
        unlink("\(root.path)/.intake/owners/dead0001.lock")  // the first adopter removed it already
        let folder = ClaimStore(layout: root.layout).folder(claim.id)
        var first: OwnerLock? = try OwnerLock(layout: root.layout)
        let second = try OwnerLock(layout: root.layout)
        #expect(OwnerLock.takeOver(folder, from: "dead0001", by: first!.id, layout: root.layout))
        #expect(!OwnerLock.takeOver(folder, from: "dead0001", by: second.id, layout: root.layout), "adopted twice")
        #expect(OwnerLock.takeOver(folder, from: "dead0001", by: first!.id, layout: root.layout), "the winner asks again")
        // The winner dies before it rewrote claim.json: its token is taken from it.
        first = nil
        #expect(OwnerLock.takeOver(folder, from: "dead0001", by: second.id, layout: root.layout))
        // Two daemons' recoveries: one adopts, the other finds nothing to adopt.
        let log = EventLog { _ in }
        let other = ClaimStore(layout: root.layout)
        let ids = [
            Recovery(layout: root.layout, owner: second.id, log: log).adoptOrphans(skip: []),
            Recovery(layout: root.layout, owner: "third001", log: log).adoptOrphans(skip: []),
        ]
        #expect(ids.flatMap { $0 } == [claim.id])
        #expect(other.load(claim.id)?.owner == second.id)
    }
}
