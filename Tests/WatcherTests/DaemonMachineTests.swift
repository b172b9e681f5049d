import Engine
import Testing
@testable import Watcher

/// The daemon's state machine driven with explicit times: no sleeping, no disk, no threads.
struct DaemonMachineTests {
    let file = FileSignature(size: 10, mtime: 1, inode: 1)
    let path = InboxPath("a.csv", folder: "customers")

    func machine(once: Bool = false, capacity: Int = 4) -> DaemonMachine {
        DaemonMachine(options: .init(settle: 0.2, rescan: 30, metricsInterval: 5, uploadWindow: 100, capacity: capacity, once: once))
    }

    /// Starts: the first action is the rescan that recovers; it adopts `adopted`.
    func started(_ m: inout DaemonMachine, adopted: [WorkItem] = [], at now: Double = 0) {
        #expect(m.state == .recovering)
        #expect(m.next(now: now) == [.rescan])
        #expect(m.next(now: now) == [], "one rescan at a time")
        m.handle(.scanned(adopted: adopted), now: now)
        #expect(m.state == .running)
    }

    func submitted(_ actions: [DaemonMachine.Action]) -> [WorkItem] {
        actions.compactMap { if case .submit(let item) = $0 { item } else { nil } }
    }

    /// Carries out the looks the machine asks for with `sig`, as the event loop's stat would.
    func looked(
        _ m: inout DaemonMachine, _ actions: [DaemonMachine.Action], _ sig: FileSignature?, at now: Double
    ) -> [DaemonMachine.Action] {
        for case .look(let p) in actions { m.handle(.seen(p, sig, event: false, age: 0, writers: .none), now: now) }
        return m.next(now: now)
    }

    @Test func startingRecoversFirstThenHandsOutTheAdoptedClaims() {
        var m = machine()
        started(&m, adopted: [.resume("x"), .resumeResolution("y")])
        let actions = m.next(now: 0)
        let items = submitted(actions)
        #expect(items.count == 2 && items.contains(.resume("x")) && items.contains(.resumeResolution("y")))
        #expect(actions.contains(.writeMetrics))
        #expect(m.ownClaims == ["x", "y"], "recovery must not adopt them again")
    }

    @Test func onceExitsWhenEverythingThatWasCompleteIsDone() {
        var m = machine(once: true)
        started(&m)
        m.handle(.seen(path, file, event: false, age: 5, writers: .none), now: 0)
        #expect(submitted(m.next(now: 0)).isEmpty, "not held still for the settle time yet")
        #expect(m.nextDeadline(now: 0) == 0.2)
        let actions = looked(&m, m.next(now: 0.2), file, at: 0.2)
        #expect(submitted(actions) == [.claim(ClaimPlan(take: [path], schemaFolder: "customers"))])
        #expect(m.next(now: 0.3) == [], "an import runs: --once does not exit")
        m.handle(
            .finished(
                WorkResult(
                    item: .claim(ClaimPlan(take: [path], schemaFolder: "customers")), outcome: .imported(id: "i", status: "SUCCESSFUL"))),
            now: 0.5)
        #expect(m.next(now: 0.5) == [.exit])
        #expect(m.state == .stopped)
    }

    @Test func onceLeavesASidecarWaitingForItsUploadForTheNextRun() {
        var m = machine(once: true)
        started(&m)
        let sidecar = InboxPath("b.csv.import.json")
        let sig = FileSignature(size: 40, mtime: 1, inode: 7)
        m.handle(.seen(sidecar, sig, event: false, age: 1, writers: .none), now: 0)
        var actions = looked(&m, m.next(now: 0.2), sig, at: 0.2)
        #expect(actions.contains(.readSidecar(sidecar)))
        m.handle(.sidecarRead(sidecar, sig, .names("b.csv")), now: 0.2)
        actions = m.next(now: 0.2)
        #expect(actions == [.announceAwaiting(sidecar: sidecar, file: "b.csv")])
        #expect(m.next(now: 0.3) == [.exit], "it waits within its upload window: nothing more to do now")
    }

    @Test func stopWhileImportsRunDrainsAndHandsOutNothingNew() {
        var m = machine()
        started(&m)
        m.handle(.seen(path, file, event: false, age: 5, writers: .none), now: 0)
        let first = submitted(looked(&m, m.next(now: 0.2), file, at: 0.2))
        #expect(first.count == 1)
        m.handle(.stopAsked, now: 0.3)
        #expect(m.state == .draining)
        let other = InboxPath("b.csv", folder: "customers")
        m.handle(.seen(other, file, event: false, age: 5, writers: .none), now: 0.3)
        #expect(m.next(now: 1) == [.exit], "the loop shuts the pool down; running imports finish")
        #expect(m.state == .stopped)
        #expect(m.next(now: 2) == [])
    }

    @Test func aRetryWaitsFiveSecondsThenDoublesUpToFiveMinutes() {
        var m = machine()
        started(&m)
        _ = m.next(now: 0)
        var now = 0.0
        var waits: [Double] = []
        var item = WorkItem.resume("r")
        m.handle(.scanned(adopted: [item]), now: now)
        #expect(submitted(m.next(now: now)) == [item])
        for _ in 0..<9 {
            m.handle(.finished(WorkResult(item: item, outcome: .retry(id: "r"))), now: now)
            let due = m.scheduled[.importClaim("r")]?.due ?? 0
            #expect(m.nextDeadline(now: now) <= due)
            #expect(submitted(m.next(now: due - 0.01)).isEmpty, "not before its time")
            waits.append((due - now).rounded())
            now = due
            let again = submitted(m.next(now: now))
            #expect(again == [.resume("r")])
            item = again.first ?? item
        }
        #expect(waits == [5, 10, 20, 40, 80, 160, 300, 300, 300])
        // A success forgets the back-off.
        m.handle(.finished(WorkResult(item: item, outcome: .imported(id: "r", status: "SUCCESSFUL"))), now: now)
        m.handle(.scanned(adopted: [.resume("r")]), now: now)
        _ = m.next(now: now)
        m.handle(.finished(WorkResult(item: .resume("r"), outcome: .retry(id: "r"))), now: now)
        #expect(m.scheduled[.importClaim("r")]?.due == now + 5)
    }

    @Test func aResolutionRetriedIsResumedAsAResolution() {
        var m = machine()
        started(&m)
        m.handle(.finished(WorkResult(item: .resolve("z"), outcome: .retry(id: "z"))), now: 0)
        #expect(submitted(m.next(now: 5)) == [.resumeResolution("z")])
    }

    @Test func aResolutionIsTakenOnlyAfterItHeldStillForTheSettleTimeAndALastLook() {
        var m = machine()
        started(&m)
        _ = m.next(now: 0)
        let sig = FileSignature(size: 30, mtime: 1, inode: 9)
        m.handle(.resolutionSeen("id1", sig, event: false), now: 0)
        #expect(m.next(now: 0.1) == [])
        #expect(m.nextDeadline(now: 0.1) == 0.2)
        // Written again meanwhile: the settle time starts again.
        let grown = FileSignature(size: 60, mtime: 2, inode: 9)
        m.handle(.resolutionSeen("id1", grown, event: false), now: 1)
        #expect(m.next(now: 1.1) == [])
        #expect(m.next(now: 1.25) == [.lookAtResolution("id1")])
        #expect(m.next(now: 1.25) == [], "one look at a time")
        // The last look finds it changed: it settles again.
        m.handle(.resolutionSeen("id1", sig, event: false), now: 1.25)
        #expect(m.next(now: 1.4) == [])
        #expect(m.next(now: 1.5) == [.lookAtResolution("id1")])
        m.handle(.resolutionSeen("id1", sig, event: false), now: 1.5)
        #expect(submitted(m.next(now: 1.5)) == [.resolve("id1")])
        // In flight, looks at it change nothing.
        m.handle(.resolutionSeen("id1", sig, event: false), now: 1.6)
        #expect(m.next(now: 2) == [])
        #expect(m.ownClaims == ["id1"])
    }

    @Test func aResolutionRemovedWhileSettlingIsForgotten() {
        var m = machine(once: true)
        started(&m)
        m.handle(.resolutionSeen("gone", file, event: false), now: 0)
        #expect(m.next(now: 0.1) == [.writeMetrics])
        m.handle(.resolutionSeen("gone", nil, event: false), now: 0.15)
        #expect(m.next(now: 0.3) == [.exit])
    }

    @Test func aFullPoolHandsOutNothingUntilWorkFinishes() {
        var m = machine(capacity: 1)
        started(&m)
        let b = InboxPath("b.csv", folder: "customers")
        m.handle(.seen(path, file, event: false, age: 5, writers: .none), now: 0)
        m.handle(.seen(b, FileSignature(size: 10, mtime: 1, inode: 2), event: false, age: 4, writers: .none), now: 0)
        for case .look(let p) in m.next(now: 0.2) {
            m.handle(
                .seen(p, p == path ? file : FileSignature(size: 10, mtime: 1, inode: 2), event: false, age: 0, writers: .none), now: 0.2)
        }
        let first = submitted(m.next(now: 0.2))
        #expect(first == [.claim(ClaimPlan(take: [path], schemaFolder: "customers"))], "the oldest, and only one")
        #expect(submitted(m.next(now: 0.3)).isEmpty)
        m.handle(.finished(WorkResult(item: first[0], outcome: .imported(id: "1", status: "SUCCESSFUL"))), now: 0.4)
        #expect(submitted(m.next(now: 0.4)) == [.claim(ClaimPlan(take: [b], schemaFolder: "customers"))])
    }

    @Test func aClaimThatChangedIsDoneAgainAfterTheSettleTime() {
        var m = machine()
        started(&m)
        m.handle(.finished(WorkResult(item: .resume("c"), outcome: .changed(id: "c"))), now: 1)
        #expect(submitted(m.next(now: 1.1)).isEmpty)
        #expect(submitted(m.next(now: 1.2)) == [.redo("c")])
    }

    @Test func aClaimThatCouldNotBeMadeBringsTheNextRescanNear() {
        var m = machine()
        started(&m)
        _ = m.next(now: 0)
        #expect(m.nextDeadline(now: 0) == 5, "metrics first")
        m.handle(.finished(WorkResult(item: .claim(ClaimPlan(take: [path])), outcome: .notClaimed)), now: 1)
        #expect(m.next(now: 6).contains(.rescan))
    }

    /// docs/ARCHITECTURE.md lists the states and the transitions: the table names every state.
    @Test func theArchitectureDocumentNamesEveryState() throws {
        let repository = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let doc = try String(contentsOfFile: "/" + repository + "/docs/ARCHITECTURE.md", encoding: .utf8)
        for state in DaemonMachine.State.allCases {
            #expect(doc.contains("| \(state.rawValue) |"), "docs/ARCHITECTURE.md has no row for the state \(state.rawValue)")
        }
    }
}
