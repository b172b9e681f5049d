import Engine
import Foundation
import Glibc
import Synchronization
import Testing
@testable import Watcher

#if INTAKE_FAULT_INJECTION

/// Contract §12: "A full disk, an unreadable file or a failed write pauses or fails that import
/// with a clear log line; it never crashes the daemon and never loses the source file."
@Suite(.timeLimit(.hangGuard))
struct FaultTests {
    static let csv = TestRoot.csv(rows: 40, tag: "fault")
    static let sidecar = #"{"schema_id": "customers", "original_filename": "p.csv"}"#

    /// results.json of a reference import of the same file, in memory.
    static let reference: [UInt8] = {
        let schema = SchemaLoader.load(bytes: Array(TestRoot.schema.utf8)).schema!
        let workspace = MemoryWorkspace()
        _ = try! Importer.run(ImportRequest(id: "x", schema: schema, filename: "p.csv"), source: MemorySource(csv), workspace: workspace)
        return workspace.files["results.json"]!
    }()

    /// Every place a dropped file can be, with these exact bytes: it must be in exactly one.
    /// The data file is copied into source/ (a writer of the claimed inode must not change a
    /// published folder): once its result is published, the claim's own copy is only left to
    /// be removed with the claim, and is not counted.
    static func copies(of name: String, _ bytes: [UInt8], in root: TestRoot, inbox: String = "inbox") -> [String] {
        var places = ["\(root.path)/\(inbox)/\(name)"]
        for id in Paths.list(root.layout.work) {
            let published = ["outbox", "review", "failed"].contains { Paths.exists("\(root.path)/\($0)/\(id)") }
            places += (published ? ["sidecar"] : ["data", "sidecar"]).map { "\(root.layout.work)/\(id)/\($0)" }
            places.append("\(root.layout.work)/\(id)/build/source/\(name)")
        }
        for folder in ["outbox", "review", "failed"] {
            places += Paths.list("\(root.path)/\(folder)").map { "\(root.path)/\(folder)/\($0)/source/\(name)" }
        }
        return places.filter { (try? Paths.readFile($0)) == bytes }
    }

    /// Every published folder is whole.
    static func wholeFolders(_ root: TestRoot) -> Bool {
        root.results().allSatisfy { r in
            r.folder != "outbox"
                || ["import.json", "results.json", "metadata.json"].allSatisfy { Paths.exists("\(root.path)/outbox/\(r.id)/\($0)") }
        }
    }

    /// Each write, fsync, rename, open, mkdir and close that an import of a sidecar pair makes
    /// (claim, build, publish, record) fails in turn, and every one after it, as on a disk that
    /// is full until someone frees space. While it is full the sidecar and the data file are
    /// each in exactly one place; once space is back, the daemon's own next step (a new claim
    /// or a resume) publishes exactly one whole result, equal to a reference import.
    @Test(arguments: ["write", "fsync", "rename", "open", "mkdir", "close"])
    func aFullDiskAtEachCallKeepsTheSourcesAndTheImportFinishesWhenSpaceReturns(_ call: String) throws {
        var point = 0
        while point < 200 {
            let root = try TestRoot()
            root.write("inbox/p.csv", FaultTests.csv)
            root.write("inbox/p.csv.import.json", FaultTests.sidecar)
            let lines = Mutex<[String]>([])
            let log = EventLog(minimum: .debug) { line in lines.withLock { $0.append(line) } }
            let work = ImportWork(layout: root.layout, owner: "fault0001", log: log, metrics: Metrics())
            let plan = ClaimPlan(take: [InboxPath("p.csv.import.json"), InboxPath("p.csv")])

            let token = FaultInjection.arm(prefix: root.path + "/", calls: [call], after: point)
            var outcome = work.perform(.claim(plan))
            // The test's own reads below open files too: the disk is "full" only for the import.
            let fired = FaultInjection.disarm(token)
            let sourcesKept =
                FaultTests.copies(of: "p.csv", Array(FaultTests.csv.utf8), in: root).count == 1
                && FaultTests.copies(of: "p.csv.import.json", Array(FaultTests.sidecar.utf8), in: root).count == 1
            let whole = FaultTests.wholeFolders(root)
            if fired == 0 {
                #expect(outcome == .imported(id: root.results().first?.id ?? "", status: "SUCCESSFUL"))
                break
            }
            #expect(sourcesKept, "\(call) #\(point): a source is lost or doubled while the disk is full")
            #expect(whole, "\(call) #\(point): half a folder published")
            let said = lines.withLock { $0 }.contains {
                $0.contains("event=claim_failed") || $0.contains("event=retry_later") || $0.contains("event=record_not_written")
            }
            // A fault with no consequence needs no line: the claim removed after the publish
            // (its rename failing, the folder is removed in place).
            let imported = if case .imported = outcome { true } else { false }
            #expect(said || outcome == .notClaimed || imported, "\(call) #\(point): no log line says what happened")

            // Space is back: the step the daemon takes next.
            switch outcome {
            case .notClaimed: outcome = work.perform(.claim(plan))
            case .retry(let id), .changed(let id): outcome = work.perform(.resume(id))
            case .imported, .lost: break
            }
            let results = root.results()
            #expect(results.count == 1, "\(call) #\(point): \(results.count) result folders, outcome \(outcome)")
            if let r = results.first {
                #expect(r.folder == "outbox" && r.record.status == .successful, "\(call) #\(point): \(r.folder)")
                #expect(r.sources == ["p.csv", "p.csv.import.json"])
                #expect(try Paths.readFile("\(root.path)/outbox/\(r.id)/results.json") == FaultTests.reference)
                #expect(try Paths.readFile("\(root.path)/outbox/\(r.id)/source/p.csv") == Array(FaultTests.csv.utf8))
            }
            #expect(root.inbox().isEmpty, "\(call) #\(point): inbox \(root.inbox())")
            #expect(Paths.list(root.layout.work).isEmpty, "\(call) #\(point): left in .intake/work: \(Paths.list(root.layout.work))")
            point += 1
        }
        print("faults: \(call) failed at \(point) points in turn, each recovered")
        #expect(point > 0)
    }
}

/// A real full disk: a 2 MB tmpfs (needs root and mount(2); skipped, and said so, where the
/// machine does not allow it — FaultTests covers every call by injection anyway).
@Suite(.timeLimit(.hangGuard), .enabled(if: SmallDisk.canMount, "mount -t tmpfs is not allowed here"))
struct FullDiskTests {
    @Test(arguments: [0, 48 << 10])
    func aDaemonOnAFullDiskWaitsKeepsTheSourceAndResumesByItselfWhenSpaceReturns(_ leave: Int) throws {
        let disk = try SmallDisk()
        defer { disk.unmount() }
        let root = try TestRoot(at: disk.path + "/root")
        let csv = TestRoot.csv(rows: 3000, tag: "disk")
        root.write("staging.csv", csv)
        let reserve = "\(disk.path)/reserve"
        if leave > 0 { root.write("../reserve", String(repeating: "r", count: leave)) }
        disk.fill()
        unlink(reserve)
        let daemon = RunningDaemon(root: root.path, rescan: 1)
        defer { daemon.stop() }
        root.rename("staging.csv", "inbox/customers/big.csv")
        #expect(
            TestRoot.waitFor { daemon.log.contains { $0.contains("event=claim_failed") || $0.contains("event=retry_later") } },
            "the full disk is said in the log")
        usleep(500_000)
        #expect(root.results().isEmpty, "nothing published on a full disk")
        #expect(
            FaultTests.copies(of: "big.csv", Array(csv.utf8), in: root, inbox: "inbox/customers").count == 1, "the source is kept, once")
        disk.free()
        #expect(TestRoot.waitFor { root.results().count == 1 }, "resumed by itself once space was back")
        let r = try #require(root.results().first)
        #expect(r.folder == "outbox")
        #expect(r.record.resultMetadata["num_rows"]?.intValue == 3000)
        #expect(try Paths.readFile("\(root.path)/outbox/\(r.id)/source/big.csv") == Array(csv.utf8))
        #expect(TestRoot.waitFor { Paths.list(root.layout.work).isEmpty })
        print(
            "full disk (\(leave >> 10) KiB left): \(daemon.log.filter { $0.contains("claim_failed") || $0.contains("retry_later") }.count) waits logged, then published"
        )
    }
}

final class SmallDisk {
    let path: String
    private var mounted = false

    static let canMount: Bool = {
        guard let disk = try? SmallDisk() else { return false }
        disk.unmount()
        return true
    }()

    init() throws {
        path = TestRoot.makeTemporaryFolder()
        guard SmallDisk.run(["/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", path]) else {
            rmdir(path)
            throw POSIXError(.EPERM)
        }
        mounted = true
    }

    /// Fills the disk to the last block.
    func fill() {
        let fd = open("\(path)/filler", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        let block = [UInt8](repeating: 0x66, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
    }

    func free() { unlink("\(path)/filler") }

    func unmount() {
        guard mounted else { return }
        mounted = false
        _ = SmallDisk.run(["/bin/umount", "-l", path])
        rmdir(path)
    }

    static func run(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
#endif
