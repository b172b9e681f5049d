import Dispatch
import Engine
import Foundation
import Glibc
import Watcher

/// `IntakeBench daemon`: the daemon on a temporary root, on this machine's disk.
///  - latency: one small file dropped (written under a temporary name, renamed into
///    inbox/customers/), time until its folder is renamed into outbox/; one drop at a time.
///  - throughput: 2,000 small files dropped at once into a running daemon; time from the first
///    drop to the last publish.
enum DaemonBench {
    static let schema =
        #"{"name": "Customers", "fields": [{"key": "email", "type": "email", "validators": [{"validate": "required"}]}, {"key": "name"}, {"key": "n", "type": "number"}]}"#

    static func csv(_ i: Int) -> [UInt8] {
        Array(("email,name,n\n" + (0..<10).map { "p\($0)@f\(i).example.com,Person \($0),\($0 * i)\n" }.joined()).utf8)
    }

    final class Root {
        let path: String
        init() throws {
            var template = Array("/tmp/intake-bench-XXXXXX".utf8CString)
            _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
            path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            try RootLayout(root: path).create()
            try Paths.makeDirectories("\(path)/inbox/customers")
            try write("schemas/customers.json", Array(schema.utf8))
        }
        deinit { Paths.removeTree(path) }

        func write(_ relative: String, _ bytes: [UInt8]) throws {
            let fd = open("\(path)/\(relative)", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw Failure("open \(relative): errno \(errno)") }
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }

        /// Drops like an uploader that renames when done.
        func drop(_ name: String, _ bytes: [UInt8]) throws {
            try write("inbox/customers/.\(name).part", bytes)
            rename("\(path)/inbox/customers/.\(name).part", "\(path)/inbox/customers/\(name)")
        }
    }

    /// Starts a daemon on `root` on its own thread; returns the stop function.
    static func start(_ root: Root, settle: Double, workers: Int) -> () -> Void {
        var options = WatchOptions(root: root.path)
        options.settle = settle
        options.workers = workers
        options.handleSignals = false
        let control = DaemonControl()
        let done = DispatchSemaphore(value: 0)
        let opts = options
        let thread = Thread {
            try? Daemon.run(
                opts, log: EventLog(minimum: .warn) { line in FileHandle.standardError.write(Data(line.utf8)) }, control: control)
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        return {
            control.stop(); done.wait()
        }
    }

    /// Waits until `count` folders have been renamed into outbox/ (watched with inotify).
    static func waitForPublishes(_ inotify: borrowing Inotify, count: Int, timeout: Double) throws -> Int {
        var seen = 0
        let end = Monotonic.now() + timeout
        while seen < count && Monotonic.now() < end {
            var pfd = pollfd(fd: inotify.fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 100)
            seen += try inotify.read().filter { $0.has(Inotify.movedTo) }.count
        }
        return seen
    }

    static func latency(settle: Double, drops: Int) throws -> (median: Double, p99: Double) {
        let root = try Root()
        let stop = start(root, settle: settle, workers: ProcessInfo.processInfo.activeProcessorCount)
        defer { stop() }
        let inotify = try Inotify()
        _ = try inotify.addWatch("\(root.path)/outbox", mask: Inotify.movedTo)
        usleep(200_000)
        var samples: [Double] = []
        for i in 0..<(drops + 5) {
            let bytes = csv(i)
            let t0 = Monotonic.now()
            try root.drop("lat-\(i).csv", bytes)
            guard try waitForPublishes(inotify, count: 1, timeout: 30) == 1 else { throw Failure("drop \(i) not published in 30 s") }
            if i >= 5 { samples.append(Monotonic.now() - t0) }  // the first 5 are warm-up
        }
        samples.sort()
        return (samples[samples.count / 2], samples[min(samples.count - 1, Int((Double(samples.count) * 0.99).rounded(.up)) - 1)])
    }

    static func throughput(files: Int, workers: Int) throws -> (seconds: Double, perSecond: Double) {
        let root = try Root()
        let stop = start(root, settle: 0.2, workers: workers)
        defer { stop() }
        let inotify = try Inotify()
        _ = try inotify.addWatch("\(root.path)/outbox", mask: Inotify.movedTo)
        usleep(200_000)
        let payloads = (0..<files).map(csv)
        let t0 = Monotonic.now()
        for i in 0..<files { try root.drop("tp-\(i).csv", payloads[i]) }
        let published = try waitForPublishes(inotify, count: files, timeout: 600)
        let seconds = Monotonic.now() - t0
        guard published == files else { throw Failure("only \(published) of \(files) published") }
        let results = Paths.list("\(root.path)/outbox").filter { !$0.hasPrefix(".") }.count
        guard results == files else { throw Failure("\(results) result folders for \(files) files") }
        return (seconds, Double(files) / seconds)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func run() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for settle in [0.2, 0.02] {
            let l = try latency(settle: settle, drops: 200)
            print(
                String(
                    format: "daemon.latency settle=%.0fms drops=200: median %.1f ms, p99 %.1f ms", settle * 1000, l.median * 1000,
                    l.p99 * 1000))
        }
        let t = try throughput(files: 2000, workers: cores)
        print(String(format: "daemon.throughput files=2000 workers=%d settle=200ms: %.2f s, %.0f imports/s", cores, t.seconds, t.perSecond))
    }
}
