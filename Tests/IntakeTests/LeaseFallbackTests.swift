import Engine
import Foundation
import Glibc
import Testing
import Watcher

/// Contract §2c where the daemon may not take a lease: it runs as `nobody` (setpriv), the file
/// belongs to root, so the kernel answers EACCES and only the events (IN_MODIFY until
/// IN_CLOSE_WRITE) tell that a sender still has the file open. A sender stalled mid-file for
/// a hundred settle times is still waited for.
@Suite(
    .timeLimit(.hangGuard),
    .enabled(if: getuid() == 0 && Paths.exists("/usr/bin/setpriv"), "needs root and setpriv to run the daemon as nobody"))
struct LeaseFallbackTests {
    @Test func aStalledSenderIsWaitedForWhenTheDaemonMayNotTakeALease() throws {
        let root = try ChaosRun()
        try Paths.makeDirectories("\(root.root)/inbox/customers")
        #expect(SmallDiskShell.run(["/bin/chown", "-R", "65534:65534", root.root]))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", Intake.binary.path, "watch", "--root", root.root, "--settle", "20",
        ]
        _ = FileManager.default.createFile(atPath: "\(root.root)/daemon.log", contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(root.root)/daemon.log"))
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        func log() -> String { (try? String(contentsOfFile: "\(root.root)/daemon.log", encoding: .utf8)) ?? "" }
        #expect(WatchProcessTests.waitFor(120) { log().contains("event=started") })

        let csv = Array(WatchProcessTests.csv(300, "lease").utf8)
        let cut = csv.count / 2
        // Written by root (the daemon is not its owner), mode 0644 so nobody may read it.
        let path = "\(root.root)/inbox/customers/stalled.csv"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        let inode = FileSignature.of(path)?.inode
        _ = csv.withUnsafeBytes { write(fd, $0.baseAddress, cut) }
        #expect(WriterProbe.probe(path) == .open, "root may ask; the daemon may not")
        usleep(2_000_000)  // a hundred settle times with nothing written
        #expect(
            Paths.list("\(root.root)/outbox").isEmpty && Paths.list("\(root.root)/failed").isEmpty,
            "claimed while its sender still had it open: \(log().suffix(800))")
        _ = csv.withUnsafeBytes { write(fd, $0.baseAddress! + cut, csv.count - cut) }
        close(fd)
        #expect(WatchProcessTests.waitFor(120) { Paths.list("\(root.root)/outbox").count == 1 }, "\(log().suffix(800))")
        let id = try #require(Paths.list("\(root.root)/outbox").first)
        let record = try JSONParser.parse(Paths.readFile("\(root.root)/outbox/\(id)/import.json"))
        #expect(record["result_metadata"]?["num_rows"]?.intValue == 300)
        #expect(try Paths.readFile("\(root.root)/outbox/\(id)/source/stalled.csv") == csv)
        // The kernel could not vouch that no one writes it: source/ is a copy (made while the
        // claimed inode still existed, so its number differs), not the inode a sender holds.
        #expect(FileSignature.of("\(root.root)/outbox/\(id)/source/stalled.csv")?.inode != inode)
    }
}
