import Dispatch
import Engine
import Foundation
import Glibc
import Synchronization
import Testing
@testable import Watcher

/// A real Intake root in a temporary folder, with the `customers` schema, removed at the end.
final class TestRoot {
    let path: String
    var layout: RootLayout { RootLayout(root: path) }

    static let schema = """
        {"name": "Customers", "fields": [
          {"label": "Email", "key": "email", "type": "email", "validators": [{"validate": "required"}]},
          {"label": "Name", "key": "name"}
        ]}
        """

    static func makeTemporaryFolder() -> String {
        var template = Array("/tmp/intake-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    init(at folder: String? = nil) throws {
        path = folder ?? TestRoot.makeTemporaryFolder()
        try layout.create()
        try Paths.makeDirectories("\(path)/inbox/customers")
        write("schemas/customers.json", TestRoot.schema)
    }

    deinit { Paths.removeTree(path) }

    /// Writes a file in one go (created, written, closed), relative to the root.
    func write(_ relative: String, _ text: String) {
        let fd = open("\(path)/\(relative)", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "open \(relative): \(errno)")
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func rename(_ from: String, _ to: String) {
        precondition(Glibc.rename("\(path)/\(from)", "\(path)/\(to)") == 0, "rename \(from): \(errno)")
    }

    static func csv(rows: Int, tag: String = "x") -> String {
        "email,name\n" + (0..<rows).map { "p\($0)@\(tag).example.com,Person \($0)\n" }.joined()
    }

    /// A published result folder.
    struct Result {
        var folder: String
        var id: String
        var record: ImportRecord
        var sources: [String]
    }

    func results() -> [Result] {
        var out: [Result] = []
        for folder in ["outbox", "review", "failed"] {
            for id in Paths.list("\(path)/\(folder)") where !id.hasPrefix(".") {
                let dir = "\(path)/\(folder)/\(id)"
                guard let bytes = try? Paths.readFile("\(dir)/import.json"), let json = try? JSONParser.parse(bytes),
                    let record = ImportRecord(json: json)
                else { continue }
                out.append(Result(folder: folder, id: id, record: record, sources: Paths.list("\(dir)/source")))
            }
        }
        return out
    }

    func inbox(_ folder: String? = nil) -> [String] {
        Paths.list(folder.map { "\(path)/inbox/\($0)" } ?? "\(path)/inbox").filter { $0 != "customers" }
    }

    /// How long a test waits for something that must happen: a guard against a hang, sized for a
    /// loaded 2-core machine. A wait returns as soon as its condition holds, so a long one costs
    /// nothing when all is well; a wait whose length is what the test checks says its own.
    static let patience: Double = 120

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
    @discardableResult
    static func waitFor(_ timeout: Double = TestRoot.patience, _ condition: () -> Bool) -> Bool {
        let end = Monotonic.now() + timeout
        while Monotonic.now() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

/// A daemon running in this process on its own thread, stopped with `stop()`.
final class RunningDaemon: Sendable {
    let control = DaemonControl()
    private let finished = DispatchSemaphore(value: 0)
    private let lines = Mutex<[String]>([])

    init(
        root: String, settle: Double = 0.05, rescan: Double = 1, uploadWindow: Double = 60, workers: Int = 2,
        poll: Double? = nil, once: Bool = false
    ) {
        var options = WatchOptions(root: root)
        options.settle = settle
        options.rescan = rescan
        options.uploadWindow = uploadWindow
        options.workers = workers
        options.poll = poll
        options.once = once
        options.handleSignals = false
        options.metricsInterval = 0.5
        let log = EventLog(minimum: .debug) { [self] line in self.lines.withLock { $0.append(line) } }
        let thread = Thread { [control, finished, options] in
            do { try Daemon.run(options, log: log, control: control) } catch {
                log.error("daemon_failed", ["error": "\(error)"])
            }
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    var log: [String] { lines.withLock { $0 } }

    /// Stops and waits (at most `TestRoot.patience`) for the daemon to return.
    @discardableResult
    func stop() -> Bool {
        control.stop()
        return finished.wait(timeout: .now() + TestRoot.patience) == .success
    }

    /// Waits for a daemon started with `once` to return by itself.
    func waitForExit(_ seconds: Double = TestRoot.patience) -> Bool { finished.wait(timeout: .now() + seconds) == .success }
}

extension TimeLimitTrait.Duration {
    /// The time limit of every test that has one: a guard against a hang, not a speed check.
    /// A test's clock runs while it waits for a thread, and on a 2-core machine the tests that
    /// block one (waitpid, usleep, a semaphore) hold back the rest: a test may wait for most of
    /// the suite before it starts. The suite took 100 s under a light load and 23 minutes under a
    /// load of 24, where 10-minute limits failed tests that had not begun.
    static var hangGuard: Self { .minutes(60) }
}
