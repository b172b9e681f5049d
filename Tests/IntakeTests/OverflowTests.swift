import Engine
import Foundation
import Glibc
import Testing
import Watcher

/// The kernel's inotify queue overflowing (fs.inotify.max_queued_events, 16,384 here): the
/// daemon is stopped with SIGSTOP while files pile up, then continued. It must say
/// `event_queue_overflow`, rescan, and import every file once. In `swift test` the queue is
/// flooded by 12,000 ignored `.part` files (24,000 events) around 40 real ones, so the test is
/// about the overflow, not about import speed; `scripts/soak overflow 50000` creates 50,000 real
/// files while the daemon is stopped.
@Suite(.timeLimit(.hangGuard))
struct OverflowTests {
    static func flood(real: Int, junk: Int) throws -> (imports: Int, seconds: Double, overflow: Bool, problems: [String]) {
        let root = try ChaosRun()
        let daemon = try root.start(["--settle", "10", "--rescan", "3600", "--workers", "2"])
        defer { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        let log = "\(root.root)/daemon.log"
        #expect(WatchProcessTests.waitFor { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("event=started") })
        usleep(200_000)
        kill(daemon.processIdentifier, SIGSTOP)
        let folder = "\(root.root)/inbox/fx-csv-clean"
        let input = ChaosRun.cases.first { $0.name == "csv-clean" }!.input
        for i in 0..<max(real, junk) {
            if i < junk { close(open("\(folder)/junk-\(i).csv.part", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)) }
            if i < real {
                let fd = open("\(folder)/f\(i).csv", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
                _ = input.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
        }
        let t0 = Monotonic.now()
        kill(daemon.processIdentifier, SIGCONT)
        let done = WatchProcessTests.waitFor(max(Intake.patience, Double(real / 10))) { Paths.list("\(root.root)/outbox").count >= real }
        let seconds = Monotonic.now() - t0
        usleep(300_000)
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var problems: [String] = []
        if !done { problems.append("only \(Paths.list("\(root.root)/outbox").count) of \(real) imported") }
        let sources = Paths.list("\(root.root)/outbox").flatMap { Paths.list("\(root.root)/outbox/\($0)/source") }
        if Set(sources).count != sources.count { problems.append("a file imported twice") }
        if Set(sources) != Set((0..<real).map { "f\($0).csv" }) {
            problems.append("missing: \(Set((0..<real).map { "f\($0).csv" }).subtracting(sources).sorted().prefix(5))")
        }
        if Paths.list(folder).contains(where: { !$0.hasSuffix(".part") }) { problems.append("left in the inbox") }
        return (sources.count, seconds, text.contains("event=event_queue_overflow"), problems)
    }

    @Test func anOverflowingEventQueueIsRescannedAndEveryFileImportedOnce() throws {
        let r = try OverflowTests.flood(real: 40, junk: 12_000)
        print(
            "overflow: 40 files among 12,000 ignored ones while stopped: \(r.imports) imported in \(String(format: "%.1f", r.seconds)) s, overflow logged: \(r.overflow)"
        )
        #expect(r.overflow, "the queue did not overflow (fs.inotify.max_queued_events above 24,000?)")
        #expect(r.problems.isEmpty, "\(r.problems)")
    }

    @Test(.enabled(if: Overflow.files > 0))
    func fiftyThousandFilesWhileStopped() throws {
        let r = try OverflowTests.flood(real: Overflow.files, junk: 0)
        let line =
            "overflow files=\(Overflow.files) imported=\(r.imports) seconds=\(Int(r.seconds)) overflow_logged=\(r.overflow) problems=\(r.problems.count)"
        print(line)
        if let report = ProcessInfo.processInfo.environment["INTAKE_SOAK_REPORT"] {
            try (line + "\n" + r.problems.joined(separator: "\n")).write(toFile: report, atomically: true, encoding: .utf8)
        }
        #expect(r.overflow)
        #expect(r.problems.isEmpty, "\(r.problems)")
    }
}

enum Overflow {
    static let files = Int(ProcessInfo.processInfo.environment["INTAKE_OVERFLOW_FILES"] ?? "") ?? 0
}
