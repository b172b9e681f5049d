import Engine
import Foundation
import Glibc
import Testing
import Watcher

/// Unreadable files (chmod 000). Root reads every file whatever its mode, so the daemon runs
/// as `nobody` (setpriv) on a root that nobody owns, with the files owned by root.
@Suite(
    .timeLimit(.hangGuard),
    .enabled(if: getuid() == 0 && Paths.exists("/usr/bin/setpriv"), "needs root and setpriv to run the daemon as nobody"))
struct UnreadableTests {
    @Test func anUnreadableFileFailsWithItsSourceKeptAndAnUnreadableSidecarWaitsUntilItCanBeRead() throws {
        let root = try ChaosRun()
        let inbox = "\(root.root)/inbox"
        try Paths.makeDirectories("\(inbox)/customers")
        try root.write("inbox/customers/locked.csv", Array("email,name\na@b.co,A\n".utf8))
        try root.write("inbox/x.csv", Array("email,name\nx@b.co,X\n".utf8))
        try root.write("inbox/x.csv.import.json", Array(#"{"schema_id": "customers", "original_filename": "x.csv"}"#.utf8))
        #expect(SmallDiskShell.run(["/bin/chown", "-R", "65534:65534", root.root]))
        for f in ["\(inbox)/customers/locked.csv", "\(inbox)/x.csv.import.json"] {
            #expect(chown(f, 0, 0) == 0 && chmod(f, 0) == 0)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = [
            "--reuid=65534", "--regid=65534", "--clear-groups", Intake.binary.path, "watch", "--root", root.root, "--settle", "20",
            "--rescan", "1",
        ]
        _ = FileManager.default.createFile(atPath: "\(root.root)/daemon.log", contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(root.root)/daemon.log"))
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        func log() -> String { (try? String(contentsOfFile: "\(root.root)/daemon.log", encoding: .utf8)) ?? "" }

        #expect(WatchProcessTests.waitFor { Paths.list("\(root.root)/failed").count == 1 && log().contains("event=sidecar_unreadable") })
        let failed = try #require(Paths.list("\(root.root)/failed").first)
        let record = try JSONParser.parse(Paths.readFile("\(root.root)/failed/\(failed)/import.json"))
        #expect(record["import_errors"]?.arrayValue?.first?["code"] == "UNREADABLE_FILE")
        #expect(FileSignature.of("\(root.root)/failed/\(failed)/source/locked.csv")?.size == 20, "the source is kept, unread")
        #expect(Paths.exists("\(inbox)/x.csv.import.json") && Paths.exists("\(inbox)/x.csv"), "the pair waits")

        // Someone fixes the mode: the next scan reads the sidecar and imports the pair.
        #expect(chmod("\(inbox)/x.csv.import.json", 0o644) == 0)
        #expect(WatchProcessTests.waitFor { Paths.list("\(root.root)/outbox").count == 1 }, "\(log().suffix(600))")
        #expect(
            Paths.list("\(root.root)/outbox/\(Paths.list("\(root.root)/outbox").first ?? "-")/source") == ["x.csv", "x.csv.import.json"])
    }
}

enum SmallDiskShell {
    static func run(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
