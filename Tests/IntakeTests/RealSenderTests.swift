import Engine
import Foundation
import Glibc
import Testing
import Watcher

/// Contract §2c against real senders (issue 14): a file uploaded by a real server into a schema
/// folder is imported once, whole, after the upload has ended, however slowly it arrives, and a
/// file whose upload was cut off is never a SUCCESSFUL import of the rows that came. The daemon
/// runs with its defaults (no `--settle`), as a user starts it; the servers run on 127.0.0.1
/// (LoopbackServers.swift); uploads are throttled to last a few seconds, with pauses between
/// the writes longer than the settle time, which is how a slow link looks to the inbox.
@Suite(.timeLimit(.minutes(3)))
struct RealSenderTests {
    typealias Root = WatchProcessTests.Root

    /// One upload into inbox/customers/ of a fresh root with a running daemon, watched from
    /// the first byte: every result folder is read the moment it appears, to prove later that
    /// a published folder never changes.
    final class Drop {
        let root: Root
        let name: String
        let bytes: [UInt8]
        let local: String
        private let daemon: Process
        private(set) var firstSeen: [String: [String: [UInt8]]] = [:]
        let started = Date()

        init(_ name: String, rows: Int, tag: String) throws {
            self.name = name
            root = try Root()
            bytes = Array(WatchProcessTests.csv(rows, tag).utf8)
            try Paths.makeDirectories("\(root.path)/sent")
            local = "\(root.path)/sent/\(name)"
            _ = FileManager.default.createFile(atPath: local, contents: Data(bytes))
            daemon = try WatchProcessTests.start(root, [])
            let root = root
            guard WatchProcessTests.waitFor(20, { root.log.contains("event=started") }) else {
                throw Loopback.Failure(description: "intake watch did not start: \(root.log)")
            }
        }

        deinit {
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
            daemon.waitUntilExit()
        }

        var target: String { "\(root.path)/inbox/customers/\(name)" }

        /// Every result folder as "outbox/<id>".
        var folders: [String] { root.results().map { "\($0.folder)/\($0.id)" } }

        /// All files of a result folder, by relative path.
        func files(_ folder: String) -> [String: [UInt8]] {
            var out: [String: [UInt8]] = [:]
            func walk(_ relative: String) {
                let path = "\(root.path)/\(folder)\(relative.isEmpty ? "" : "/\(relative)")"
                if Paths.isDirectory(path) {
                    for entry in Paths.list(path) { walk(relative.isEmpty ? entry : "\(relative)/\(entry)") }
                } else {
                    out[relative] = (try? Paths.readFile(path)) ?? []
                }
            }
            walk("")
            return out
        }

        /// Reads each result folder the first time it is seen.
        func look() {
            for folder in folders where firstSeen[folder] == nil { firstSeen[folder] = files(folder) }
        }

        /// Looks every 20 ms while `condition` holds, for at most `seconds`.
        func watch(_ seconds: Double, while condition: () -> Bool) {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end && condition() { look(); usleep(20_000) }
            look()
        }

        /// After the sender has ended: waits for a result (bounded), then two more seconds, in
        /// which a late second import or a change to the published folder would show.
        func finish() {
            watch(60) { folders.isEmpty }
            watch(2) { true }
        }

        func stop() {
            kill(daemon.processIdentifier, SIGTERM)
            let daemon = daemon
            if !WatchProcessTests.waitFor(20, { !daemon.isRunning }) { kill(daemon.processIdentifier, SIGKILL) }
        }

        /// The daemon's `event=claimed` lines for this file.
        var claims: [Substring] {
            root.log.split(separator: "\n").filter { $0.contains("event=claimed") && $0.contains("customers/\(name)") }
        }

        /// Log lines worth showing when something is wrong.
        var story: String {
            root.log.split(separator: "\n").filter { !$0.contains("event=started") }.suffix(12).joined(separator: "\n")
        }

        func record(_ folder: String) throws -> JSONValue { try JSONParser.parse(files(folder)["import.json"] ?? []) }
    }

    /// Watches the result folders while the upload runs, then checks the result.
    func expectWholeOnceItEnds(_ drop: Drop, sender: Child, server: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        drop.watch(60) { sender.running }
        drop.finish()
        drop.stop()
        try expectWhole(drop, sender: sender, server: server, sourceLocation: sourceLocation)
    }

    /// What a user must see after a complete upload: one import, SUCCESSFUL, with every row
    /// sent and the file as sent in source/, published once and never changed afterwards.
    func expectWhole(_ drop: Drop, sender: Child, server: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let context =
            "sender \(sender.argv[0].split(separator: "/").last!) ended \(sender.outcome) after \(String(format: "%.1f", (sender.ended ?? Date()).timeIntervalSince(drop.started))) s\n\(sender.output)\ndaemon log:\n\(drop.story)\nserver log:\n\(server.suffix(800))"
        #expect(sender.succeeded, "the upload itself failed: \(context)", sourceLocation: sourceLocation)
        let sentRows = drop.bytes.count(where: { $0 == UInt8(ascii: "\n") }) - 1
        #expect(
            drop.folders.count == 1, "one file sent, \(drop.folders.count) result folders: \(drop.folders)\n\(context)",
            sourceLocation: sourceLocation)
        let folder = try #require(drop.folders.first, "no result folder: \(context)", sourceLocation: sourceLocation)
        let record = try drop.record(folder)
        #expect(
            folder.hasPrefix("outbox/"),
            "\(folder) is \(record["status"]?.stringValue ?? "?") \(record["import_errors"].map { "\($0)" } ?? ""): \(context)",
            sourceLocation: sourceLocation)
        let imported = record["result_metadata"]?["num_rows"]?.intValue
        #expect(
            imported == sentRows, "import.json num_rows \(imported.map(String.init) ?? "nil") of \(sentRows) rows sent: \(context)",
            sourceLocation: sourceLocation)
        let files = drop.files(folder)
        let results = (try? JSONParser.parse(files["results.json"] ?? []))?.arrayValue?.count
        #expect(
            results == sentRows, "results.json holds \(results.map(String.init) ?? "no array") of \(sentRows) rows sent",
            sourceLocation: sourceLocation)
        let source = files["source/\(drop.name)"] ?? []
        #expect(
            source == drop.bytes, "source/\(drop.name) has \(source.count) bytes, \(drop.bytes.count) were sent",
            sourceLocation: sourceLocation)
        // The folder as first seen, the moment it was published, is the folder now: nothing kept writing into it.
        if let first = drop.firstSeen[folder] {
            let changed = Set(first.keys).union(files.keys).filter { first[$0] != files[$0] }.sorted()
            #expect(
                changed.isEmpty,
                "the published folder changed after it appeared: \(changed.map { "\($0) \(first[$0]?.count ?? 0) -> \(files[$0]?.count ?? 0) bytes" })",
                sourceLocation: sourceLocation)
        }
        #expect(
            drop.claims.count == 1, "claimed \(drop.claims.count) times:\n\(drop.claims.joined(separator: "\n"))",
            sourceLocation: sourceLocation)
        #expect(
            !drop.root.log.contains("event=changed_during_import"), "claimed before the upload ended, then redone:\n\(drop.story)",
            sourceLocation: sourceLocation)
    }

    // MARK: complete uploads by the stock clients, throttled

    /// Issue 14 itself: `sftp -l` into an internal-sftp upload folder. OpenSSH 9's sftp reads
    /// and writes 255 KiB at a time (the server's limits@openssh.com), so a file must be a few
    /// of those to be throttled at all: 600 KB at 1600 Kbit/s stands still ~1.3 s between writes.
    @Test func sftpPutThrottledIsImportedWholeOnceItEnds() throws {
        try Loopback.need([Loopback.sshd, Loopback.sftp, Loopback.sshKeygen], root: true)
        let server = try SSHServer()
        let drop = try Drop("customers.csv", rows: 20_000, tag: "sftp")
        let sender = try server.sftpPut(drop.local, to: drop.target, kbits: 1_600, log: "\(drop.root.path)/sender.log")
        try expectWholeOnceItEnds(drop, sender: sender, server: server.log)
    }

    /// OpenSSH 9's scp speaks SFTP to the same server, in the same 255 KiB writes; `-l` throttles it alike.
    @Test func scpThrottledIsImportedWholeOnceItEnds() throws {
        try Loopback.need([Loopback.sshd, Loopback.scp, Loopback.sshKeygen], root: true)
        let server = try SSHServer()
        let drop = try Drop("customers.csv", rows: 20_000, tag: "scp")
        let sender = try server.scp(drop.local, to: drop.target, kbits: 1_600, log: "\(drop.root.path)/sender.log")
        try expectWholeOnceItEnds(drop, sender: sender, server: server.log)
    }

    /// FTP: vsftpd writes what arrives on the data connection; `curl --limit-rate` paces it.
    @Test func curlFTPUploadThrottledIsImportedWholeOnceItEnds() throws {
        try Loopback.need([Loopback.vsftpd, Loopback.curl])
        let drop = try Drop("customers.csv", rows: 4_000, tag: "ftp")
        let server = try FTPServer(root: try Self.openForFTP(drop.root))
        let sender = try server.curlUpload(drop.local, to: "customers/\(drop.name)", rate: 30_000, log: "\(drop.root.path)/sender.log")
        try expectWholeOnceItEnds(drop, sender: sender, server: server.log)
    }

    @Test func lftpPutThrottledIsImportedWholeOnceItEnds() throws {
        try Loopback.need([Loopback.vsftpd, Loopback.lftp])
        let drop = try Drop("customers.csv", rows: 4_000, tag: "lftp")
        let server = try FTPServer(root: try Self.openForFTP(drop.root))
        let sender = try server.lftpPut(drop.local, to: "customers/\(drop.name)", rate: 60_000, log: "\(drop.root.path)/sender.log")
        try expectWholeOnceItEnds(drop, sender: sender, server: server.log)
    }

    // MARK: a sender that stalls, a sender that dies

    enum Wire: String, CaseIterable, CustomTestStringConvertible {
        case ftp, sftp
        var testDescription: String { rawValue }
        var programs: [Loopback.Program] {
            self == .ftp ? [Loopback.vsftpd, Loopback.curl] : [Loopback.sshd, Loopback.sshKeygen, Loopback.curl]
        }
    }

    /// A server and a `curl -T -` into it whose stdin the test writes: what the sender has not
    /// yet read, the server cannot have; while curl waits for input it keeps the file open.
    final class Feed {
        let sender: Child
        /// The server's log; holding it keeps the server running as long as the feed.
        let serverLog: () -> String

        init(_ wire: Wire, _ drop: Drop) throws {
            let log = "\(drop.root.path)/sender.log"
            switch wire {
            case .ftp:
                let server = try FTPServer(root: try RealSenderTests.openForFTP(drop.root))
                sender = try server.curlUpload(nil, to: "customers/\(drop.name)", log: log)
                serverLog = { server.log }
            case .sftp:
                let server = try SSHServer()
                sender = try server.curlUpload(to: drop.target, log: log)
                serverLog = { server.log }
            }
        }
    }

    /// The sender sends the first half (cut in the middle of a row), has nothing to send for
    /// 2 s, and then sends the rest: the file was not complete during the pause.
    @Test(arguments: Wire.allCases)
    func senderThatStallsMidFileIsImportedWholeOnceItEnds(_ wire: Wire) throws {
        try Loopback.need(wire.programs, root: wire == .sftp)
        let drop = try Drop("customers.csv", rows: 4_000, tag: "stall")
        let feed = try Feed(wire, drop)
        let cut = Self.midRow(drop.bytes, near: drop.bytes.count / 2)
        try feed.sender.feed(drop.bytes[..<cut])
        drop.watch(2) { true }
        try feed.sender.feed(drop.bytes[cut...])
        feed.sender.closeInput()
        drop.watch(60) { feed.sender.running }
        drop.finish()
        drop.stop()
        try expectWhole(drop, sender: feed.sender, server: feed.serverLog())
    }

    /// The sender is killed with SIGKILL after 60% of the file, inside a row: the server closes
    /// the file it was writing. Those rows must not be published as a SUCCESSFUL import: the
    /// import ends FAILED with INCOMPLETE_FILE, keeping the bytes that came in source/.
    @Test(arguments: Wire.allCases)
    func senderKilledMidFileEndsFailedIncomplete(_ wire: Wire) throws {
        try Loopback.need(wire.programs, root: wire == .sftp)
        let drop = try Drop("customers.csv", rows: 4_000, tag: "killed")
        let feed = try Feed(wire, drop)
        let cut = Self.midRow(drop.bytes, near: drop.bytes.count * 6 / 10)
        try feed.sender.feed(drop.bytes[..<cut])
        // Kill once the server has written all it was sent (or the daemon took the file).
        let arrived = WatchProcessTests.waitFor(20) {
            var st = stat()
            return (stat(drop.target, &st) == 0 && st.st_size == cut) || !drop.claims.isEmpty
        }
        feed.sender.kill()
        drop.watch(1) { true }
        drop.finish()
        drop.stop()

        let context =
            "\(cut) of \(drop.bytes.count) bytes sent (arrived in the inbox: \(arrived)), sender \(feed.sender.outcome)\ndaemon log:\n\(drop.story)\nserver log:\n\(feed.serverLog().suffix(800))"
        #expect(drop.folders.count == 1, "one file, \(drop.folders.count) result folders: \(drop.folders)\n\(context)")
        let folder = try #require(drop.folders.first, "no result folder: \(context)")
        let record = try drop.record(folder)
        let rows = record["result_metadata"]?["num_rows"]?.intValue
        #expect(
            folder.hasPrefix("failed/"),
            "a file cut off mid-row ended in \(folder) as \(record["status"]?.stringValue ?? "?") with \(rows.map(String.init) ?? "no") rows: \(context)"
        )
        #expect(record["status"]?.stringValue == "FAILED")
        #expect(
            record["import_errors"]?.arrayValue?.first?["code"]?.stringValue == "INCOMPLETE_FILE",
            "import_errors: \(record["import_errors"].map { "\($0)" } ?? "nil")")
        let source = drop.files(folder)["source/\(drop.name)"] ?? []
        #expect(source == Array(drop.bytes[..<cut]), "source/\(drop.name) has \(source.count) bytes; the server received \(cut)")
        #expect(drop.claims.count == 1, "claimed \(drop.claims.count) times:\n\(drop.claims.joined(separator: "\n"))")
    }

    // MARK: helpers

    /// An offset a few bytes into the row that starts after `near`: inside its email, so the
    /// cut-off last record has one cell where the header has two.
    static func midRow(_ bytes: [UInt8], near: Int) -> Int {
        let lineEnd = bytes[near...].firstIndex(of: UInt8(ascii: "\n"))!
        return lineEnd + 1 + 5
    }

    /// vsftpd's anonymous user (`ftp`) must reach the inbox and write into inbox/customers.
    static func openForFTP(_ root: Root) throws -> String {
        for path in [root.path, "\(root.path)/inbox"] { chmod(path, 0o755) }
        chmod("\(root.path)/inbox/customers", 0o777)
        return "\(root.path)/inbox"
    }
}
