import Engine
import Foundation
import Glibc
import Testing
import Watcher

/// `intake watch` and `intake status` as a user runs them: the built binary, as a process.
@Suite(.timeLimit(.hangGuard))
struct WatchProcessTests {
    /// The `intake` built next to the tests (`swift build` makes it).
    static let binary: String = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        for config in ["debug", "release"] where Paths.exists("\(repo)/.build/\(config)/intake") {
            return "\(repo)/.build/\(config)/intake"
        }
        return "\(repo)/.build/debug/intake"
    }()

    final class Root {
        let path: String
        init() throws {
            var template = Array("/tmp/intake-proc-XXXXXX".utf8CString)
            _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            for dir in ["inbox/customers", "schemas", "outbox", "review", "failed"] { try Paths.makeDirectories("\(path)/\(dir)") }
            write(
                "schemas/customers.json",
                #"{"name": "Customers", "fields": [{"key": "email", "type": "email", "validators": [{"validate": "required"}]}, {"key": "name"}]}"#
            )
        }
        deinit { Paths.removeTree(path) }

        func write(_ relative: String, _ text: String) {
            let tmp = "\(path)/\(relative).tmp"
            _ = FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8))
            rename(tmp, "\(path)/\(relative)")
        }

        /// Every published result folder: (folder, id, source names).
        func results() -> [(folder: String, id: String, sources: [String])] {
            ["outbox", "review", "failed"].flatMap { folder in
                Paths.list("\(path)/\(folder)").map { (folder, $0, Paths.list("\(path)/\(folder)/\($0)/source")) }
            }
        }

        var log: String { (try? String(contentsOfFile: "\(path)/daemon.log", encoding: .utf8)) ?? "" }
    }

    static func start(_ root: Root, _ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["watch", "--root", root.path] + args
        if !Paths.exists("\(root.path)/daemon.log") { _ = FileManager.default.createFile(atPath: "\(root.path)/daemon.log", contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(root.path)/daemon.log"))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    static func run(_ args: [String]) throws -> (code: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func waitFor(_ seconds: Double = Intake.patience, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end { if condition() { return true }; usleep(20_000) }
        return condition()
    }

    static func csv(_ rows: Int, _ tag: String) -> String {
        "email,name\n" + (0..<rows).map { "p\($0)@\(tag).example.com,P \($0)\n" }.joined()
    }

    @Test func theBinaryIsBuilt() {
        #expect(Paths.exists(WatchProcessTests.binary), "run `swift build` first: \(WatchProcessTests.binary)")
    }

    @Test func sigtermLetsTheRunningImportFinishAndExitsZero() throws {
        let root = try Root()
        let daemon = try WatchProcessTests.start(root, ["--settle", "20", "--workers", "1"])
        usleep(300_000)
        root.write("inbox/customers/big.csv", WatchProcessTests.csv(60_000, "big"))
        #expect(WatchProcessTests.waitFor { root.log.contains("event=claimed") })
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationReason == .exit && daemon.terminationStatus == 0)
        #expect(root.results().map(\.sources) == [["big.csv"]], "the running import finished before the exit")
        #expect(root.log.contains("event=signal signal=SIGTERM"))
        #expect(root.log.contains("event=stopped"))
    }

    @Test func onceImportsAndStatusReportsIt() throws {
        let root = try Root()
        for i in 0..<5 { root.write("inbox/customers/f\(i).csv", WatchProcessTests.csv(2, "\(i)")) }
        root.write("inbox/w.import.json", #"{"schema_id": "customers", "original_filename": "w.csv"}"#)
        let daemon = try WatchProcessTests.start(root, ["--once", "--settle", "20"])
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
        #expect(root.results().count == 5)

        let (code, out) = try WatchProcessTests.run(["status", "--root", root.path, "--json"])
        #expect(code == 0)
        let json = try JSONParser.parse(out)
        #expect(json["counts"]?["SUCCESSFUL"]?.intValue == 5)
        #expect(json["counts"]?["AWAITING_UPLOAD"]?.intValue == 1)
        #expect(json["awaiting_upload"]?.arrayValue?.first?["original_filename"] == "w.csv")
        let id = try #require(root.results().first?.id)
        let one = try WatchProcessTests.run(["status", id, "--root", root.path, "--json"])
        #expect(one.code == 0)
        #expect(try JSONParser.parse(one.out)["id"]?.stringValue == id)
        let text = try WatchProcessTests.run(["status", id, "--root", root.path])
        #expect(text.out.contains("status:   SUCCESSFUL"))
        #expect(try WatchProcessTests.run(["status", "no-such-id", "--root", root.path]).code == 1)
        #expect(Paths.exists("\(root.path)/.intake/metrics.prom"))
    }

    @Test(arguments: [["--workers", "0"], ["--settle", "soon"], ["--poll", "-1"], ["extra"], ["--bogus"]])
    func badArgumentsExitTwo(_ args: [String]) throws {
        let root = try Root()
        #expect(try WatchProcessTests.run(["watch", "--root", root.path] + args).code == 2)
    }

    // The crash test of the contract (§3) is ChaosTests: mixed files, one to three daemons.
}
