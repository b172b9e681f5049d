import Foundation
import Glibc
import Testing

/// A real HTTP/1.1 listener on 127.0.0.1 that answers 503 to its first requests and 200 after,
/// and can be taken down and brought back on the same port.
final class HookListener: @unchecked Sendable {
    struct Request {
        var path: String
        var status: Int
        var body: Data
        /// The Content-Type header, lowercased.
        var contentType = ""
    }

    private let lock = NSLock()
    private var requests: [Request] = []
    private var refuse: Int
    private var fd: Int32 = -1
    private(set) var port: UInt16 = 0
    private var done = DispatchSemaphore(value: 0)

    init(refuseFirst: Int) { refuse = refuseFirst }

    var received: [Request] { lock.withLock { requests } }
    var accepted: [Request] { received.filter { $0.status == 200 } }

    func start(port: UInt16 = 0) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw Chromium.Failure(description: "cannot listen on 127.0.0.1:\(port): \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = UInt16(bigEndian: addr.sin_port)
        done = DispatchSemaphore(value: 0)
        let listening = fd
        let finished = done
        Thread { [self] in
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { if errno == EINTR { continue }; break }
                serve(client)
            }
            finished.signal()
        }.start()
    }

    /// Down: connections are refused until `start` again.
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        done.wait()
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Int?
        var length = 0
        var contentType = ""
        while true {
            if let end = headerEnd, data.count >= end + length { break }
            let n = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            data += buffer[0..<n]
            if headerEnd == nil, let range = data.firstRange(of: Array("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self).lowercased()
                for line in head.split(separator: "\r\n") {
                    if line.hasPrefix("content-length:") {
                        length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
                    } else if line.hasPrefix("content-type:") {
                        contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                    }
                }
            }
        }
        let requestLine = String(decoding: data.prefix { $0 != 0x0D }, as: UTF8.self)
        let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        let status = lock.withLock { () -> Int in
            let s = refuse > 0 ? 503 : 200
            refuse -= 1
            requests.append(Request(path: path, status: s, body: Data(data[headerEnd!...]), contentType: contentType))
            return s
        }
        let reply = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Service Unavailable")\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = reply.withCString { write(client, $0, strlen($0)) }
    }
}

/// Webhooks (contract §10) against a real listener that refuses the first attempts and is down
/// across a daemon restart: every event arrives, at least once, with the documented body, and
/// the log names no secret. `webhookUrl` is Dromo's basic webhook (`uploadId=<id>`, form-encoded,
/// SUCCESSFUL only); `managedWebhookUrl` gets the JSON events of Dromo's managed webhooks.
@Suite(.serialized)
struct WebhookTests {
    static func daemon(root: URL, log: URL) throws -> Process {
        let process = Process()
        process.executableURL = Intake.binary
        process.arguments = ["watch", "--root", root.path, "--settle", "50"]
        var env = ProcessInfo.processInfo.environment
        env["INTAKE_WEBHOOK_RETRY_SECONDS"] = "0.2"
        env["INTAKE_WEBHOOK_MAX_WAIT_SECONDS"] = "0.4"
        process.environment = env
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitFor(_ what: String, timeout: Double = Intake.patience, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw Chromium.Failure(description: "timed out waiting for \(what)")
    }

    @Test(.timeLimit(.hangGuard))
    func everyEventArrivesAtLeastOnceThroughRefusalsDowntimeAndARestart() throws {
        let listener = HookListener(refuseFirst: 3)
        try listener.start()
        let port = listener.port
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-hooks-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("schemas"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("inbox/people"), withIntermediateDirectories: true)
        try """
        {"name": "People", "fields": [{"key": "name", "validators": [{"validate": "required"}]},
                                      {"key": "email", "type": "email", "validators": [{"validate": "required"}]}],
         "settings": {"webhookUrl": "http://127.0.0.1:\(port)/hooks/basic?token=SECRET-TOKEN",
                      "managedWebhookUrl": "http://127.0.0.1:\(port)/hooks/done?token=SECRET-TOKEN",
                      "needsReviewWebhookUrl": "http://127.0.0.1:\(port)/hooks/review?token=SECRET-TOKEN"}}
        """.write(to: root.appendingPathComponent("schemas/people.json"), atomically: true, encoding: .utf8)
        let log = root.appendingPathComponent("daemon.log")
        var daemon = try Self.daemon(root: root, log: log)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() } }
        let inbox = root.appendingPathComponent("inbox/people")
        try "name,email\nAda,ada@example.com\n".write(to: inbox.appendingPathComponent("ok.csv"), atomically: true, encoding: .utf8)
        try "name,phone\nAda,555\n".write(to: inbox.appendingPathComponent("review.csv"), atomically: true, encoding: .utf8)
        try "".write(to: inbox.appendingPathComponent("empty.csv"), atomically: true, encoding: .utf8)
        func folders(_ name: String) -> [String] {
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(name).path)) ?? []
        }
        try Self.waitFor("three imports") { folders("outbox").count + folders("review").count + folders("failed").count == 3 }
        // The first three attempts are refused (503); whatever got through, take the listener down.
        try Self.waitFor("three refused attempts") { listener.received.count >= 3 }
        listener.stop()
        let pending = root.appendingPathComponent(".intake/webhooks")
        func pendingCount() -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: pending.path)) ?? []).filter {
                $0.hasSuffix(".json") && !$0.hasPrefix(".")
            }.count
        }
        // SUCCESSFUL: basic and managed; FAILED: managed; NEEDS_REVIEW: needsReviewWebhookUrl and managed.
        #expect(pendingCount() + listener.accepted.count == 5)
        #expect(pendingCount() > 0, "deliveries refused or unanswered wait in .intake/webhooks/")
        // Down across a restart: the daemon is killed, the deliveries wait on disk.
        usleep(500_000)
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let waiting = pendingCount()
        #expect(waiting > 0)
        try listener.start(port: port)
        daemon = try Self.daemon(root: root, log: log)
        try Self.waitFor("every delivery") {
            pendingCount() == 0 && Set(listener.accepted.map { "\($0.path.prefix(12)) \(Self.event($0) ?? "form")" }).count == 5
        }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        listener.stop()

        // Every event, with the documented body.
        var byEvent: [String: [String: Any]] = [:]
        var basic: [HookListener.Request] = []
        for request in listener.accepted {
            if request.path.hasPrefix("/hooks/basic") {
                basic.append(request)
                continue
            }
            #expect(request.contentType == "application/json")
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            byEvent[body["event"] as? String ?? ""] = body
            #expect(
                request.path.hasPrefix("/hooks/done")
                    || (body["event"] as? String == "headless_import_needs_review" && request.path.hasPrefix("/hooks/review")))
        }
        // The basic webhook: the successful import's id, form-encoded, nothing for the others.
        let completedID = try #require((byEvent["import_completed"]?["data"] as? [String: Any])?["id"] as? String)
        #expect(Set(basic.map { String(decoding: $0.body, as: UTF8.self) }) == ["uploadId=\(completedID)"])
        #expect(basic.allSatisfy { $0.contentType == "application/x-www-form-urlencoded" })
        #expect(Set(byEvent.keys) == ["import_completed", "headless_import_needs_review", "headless_import_failed"])
        for (event, body) in byEvent {
            let data = try #require(body["data"] as? [String: Any])
            #expect(
                Set(data.keys) == [
                    "id", "filename", "user", "created_date", "import_type", "status", "num_data_rows", "development_mode", "has_data",
                    "import_metadata", "headless",
                ])
            #expect(data["development_mode"] as? Bool == false)
            #expect(data["user"] is NSNull)
            #expect(data["import_type"] as? String == "HEADLESS")
            let headless = try #require(data["headless"] as? [String: Any])
            #expect(headless["id"] as? String == data["id"] as? String)
            #expect(headless["status"] as? String == data["status"] as? String)
            let status = data["status"] as? String
            switch event {
            case "import_completed":
                #expect(
                    status == "SUCCESSFUL" && data["num_data_rows"] as? Int == 1 && data["has_data"] as? Bool == true
                        && data["filename"] as? String == "ok.csv")
            case "headless_import_needs_review":
                // Dromo leaves review_url out of webhooks, for security.
                #expect(status == "NEEDS_REVIEW" && headless["review_url"] == nil && headless["status"] as? String == "NEEDS_REVIEW")
            default:
                #expect(status == "FAILED" && data["has_data"] as? Bool == false && data["filename"] as? String == "empty.csv")
            }
        }
        // A log line per attempt, and nothing secret in them.
        let lines = try String(contentsOf: log, encoding: .utf8)
        if ProcessInfo.processInfo.environment["INTAKE_SHOW_LOG"] != nil { print(lines) }
        #expect(!lines.contains("SECRET-TOKEN") && !lines.contains("/hooks/") && !lines.contains("ada@example.com"))
        let attempts = lines.split(separator: "\n").filter { $0.contains("event=webhook_delivered") || $0.contains("event=webhook_failed") }
        #expect(attempts.count >= listener.received.count, "\(lines)")
        #expect(
            lines.contains("event=webhook_failed") && lines.contains("error=\"HTTP 503\"")
                && lines.contains("host=http://127.0.0.1:\(port)"))
    }

    static func event(_ request: HookListener.Request) -> String? {
        (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["event"] as? String
    }
}
