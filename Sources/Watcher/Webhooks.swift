import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// When to try a webhook again (contract §10): after `firstRetry` seconds, then with the wait
/// doubling up to `maxWait`, until `expiry` seconds after the import ended. A POST fails when no
/// answer comes within `timeout` seconds or the status is not 2xx. The environment can shorten
/// them (for tests): INTAKE_WEBHOOK_RETRY_SECONDS, INTAKE_WEBHOOK_MAX_WAIT_SECONDS,
/// INTAKE_WEBHOOK_EXPIRY_SECONDS, INTAKE_WEBHOOK_TIMEOUT_SECONDS.
public struct WebhookPolicy: Sendable {
    public var firstRetry = 5.0
    public var maxWait = 3600.0
    public var expiry = 86_400.0
    public var timeout = 10.0

    public init() {}

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> WebhookPolicy {
        var p = WebhookPolicy()
        func read(_ name: String) -> Double? { env[name].flatMap(Double.init).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        if let v = read("INTAKE_WEBHOOK_RETRY_SECONDS") { p.firstRetry = v }
        if let v = read("INTAKE_WEBHOOK_MAX_WAIT_SECONDS") { p.maxWait = v }
        if let v = read("INTAKE_WEBHOOK_EXPIRY_SECONDS") { p.expiry = v }
        if let v = read("INTAKE_WEBHOOK_TIMEOUT_SECONDS") { p.timeout = v }
        return p
    }

    /// The wait after `attempts` failed attempts.
    public func wait(after attempts: Int) -> Double {
        min(maxWait, firstRetry * pow(2, Double(max(0, attempts - 1))))
    }
}

/// Pending webhook deliveries, one file each in `.intake/webhooks/` (written atomically and
/// synced before the import's claim is let go, removed once delivered), so a delivery survives
/// a crash or a restart: at least once. Deliveries are sent by `deliverDue`, on a thread of the
/// caller's (never the event loop: a POST may wait `timeout` seconds). Each attempt is logged
/// with the host only: no path, query string or payload, which may hold secrets.
public struct WebhookQueue: Sendable {
    public let layout: RootLayout
    public let policy: WebhookPolicy
    let log: EventLog

    public init(layout: RootLayout, policy: WebhookPolicy, log: EventLog) {
        self.layout = layout
        self.policy = policy
        self.log = log
    }

    /// The event for an import's status and the setting that names its URL.
    static func event(for status: ImportStatus, settings: Settings) -> (event: String, url: String?)? {
        switch status {
        case .successful: ("import_completed", settings.webhookUrl)
        case .failed: ("headless_import_failed", settings.webhookUrl)
        case .needsReview: ("headless_import_needs_review", settings.needsReviewWebhookUrl)
        default: nil
        }
    }

    /// The documented body (contract §10).
    public static func body(event: String, record: ImportRecord) -> JSONValue {
        let rows = record.resultMetadata["num_rows"]?.intValue ?? 0
        let kept = rows - (record.resultMetadata["num_removed_rows"]?.intValue ?? 0)
        return [
            "event": .string(event),
            "data": [
                "id": .string(record.id), "filename": .string(record.originalFilename), "created_date": .string(record.createdDate),
                "import_type": "HEADLESS", "status": .string(record.status.rawValue), "num_data_rows": .number(rows),
                "has_data": .bool(record.status == .successful && kept > 0), "import_metadata": record.importMetadata,
                "headless": record.json,
            ],
        ]
    }

    /// Queues the webhook an ended import calls for, if its schema names a URL. The file name
    /// is the same for the same record, so finishing an import's bookkeeping twice queues once.
    /// Returns whether something was queued.
    @discardableResult
    public func enqueue(_ record: ImportRecord, settings: Settings, tag: String) throws -> Bool {
        guard let (event, url) = Self.event(for: record.status, settings: settings), let url, !url.isEmpty else { return false }
        let stamp = record.modifiedDate.filter(\.isNumber)
        let name = "\(record.id)-\(stamp)-\(event).json"
        let delivery: JSONValue = [
            "import_id": .string(record.id), "event": .string(event), "url": .string(url),
            "queued": .number(Date().timeIntervalSince1970), "attempts": 0, "next_attempt": .number(0),
            "body": Self.body(event: event, record: record),
        ]
        try Paths.makeDirectories(layout.webhooks)
        try RootLayout.writeAtomically("\(layout.webhooks)/\(name)", JSONWriter.document(delivery), sync: true, tag: tag)
        return true
    }

    /// Pending deliveries' files.
    func pending() -> [String] {
        Paths.list(layout.webhooks).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
    }

    /// The earliest time (Unix seconds) a pending delivery is due, if any.
    public func nextDue() -> Double? {
        pending().compactMap { name -> Double? in
            guard let bytes = try? Paths.readFile("\(layout.webhooks)/\(name)"), let json = try? JSONParser.parse(bytes) else { return nil }
            return json["next_attempt"]?.doubleValue ?? 0
        }.min()
    }

    /// Attempts every delivery that is due. Blocks for each POST (up to `timeout`). `tag` names
    /// the writer in temporary files.
    public func deliverDue(tag: String, stop: () -> Bool = { false }) {
        for name in pending() {
            if stop() { return }
            attempt(name, tag: tag)
        }
    }

    /// One attempt at one delivery, holding an flock on its file so that two daemons on one
    /// root do not send it at once.
    func attempt(_ name: String, tag: String) {
        let path = "\(layout.webhooks)/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }
        // Still the file at that name (not one already delivered and removed, or rewritten)?
        var a = stat(), b = stat()
        guard fstat(fd, &a) == 0, lstat(path, &b) == 0, a.st_ino == b.st_ino else { return }
        guard let bytes = try? Paths.readFile(path), let json = try? JSONParser.parse(bytes), var o = json.objectValue,
            let urlText = o["url"]?.stringValue, let body = o["body"]
        else {
            log.warn("webhook_unreadable", ["file": name])
            unlink(path)
            return
        }
        let now = Date().timeIntervalSince1970
        guard (o["next_attempt"]?.doubleValue ?? 0) <= now else { return }
        let attempts = (o["attempts"]?.intValue ?? 0) + 1
        let queued = o["queued"]?.doubleValue ?? now
        let id = o["import_id"]?.stringValue
        let event = o["event"]?.stringValue
        let host = Self.host(urlText)
        let started = Date()
        let result = post(urlText, body: JSONWriter.document(body))
        let ms = String(Int(Date().timeIntervalSince(started) * 1000))
        switch result {
        case .success(let status):
            unlink(path)
            log.info(
                "webhook_delivered",
                ["id": id, "ms": ms, "webhook": event, "host": host, "http_status": String(status), "attempt": String(attempts)])
        case .failure(let reason):
            if now - queued >= policy.expiry {
                unlink(path)
                log.error(
                    "webhook_expired", ["id": id, "ms": ms, "webhook": event, "host": host, "attempt": String(attempts), "error": reason])
                return
            }
            let wait = policy.wait(after: attempts)
            o["attempts"] = .number(attempts)
            o["next_attempt"] = .number(now + wait)
            o["last_error"] = .string(reason)
            do { try RootLayout.writeAtomically(path, JSONWriter.document(.object(o)), sync: true, tag: tag) } catch {
                log.warn("webhook_not_rescheduled", ["id": id, "error": "\(error)"])
            }
            log.warn(
                "webhook_failed",
                [
                    "id": id, "ms": ms, "webhook": event, "host": host, "attempt": String(attempts), "error": reason,
                    "retry_in": JSONValue.format((wait * 1000).rounded() / 1000),
                ])
        }
    }

    enum PostResult { case success(Int), failure(String) }

    /// POSTs `body` as JSON. Only the status line and a short reason come back: never the URL.
    func post(_ urlText: String, body: [UInt8]) -> PostResult {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
        else {
            return .failure("not an http(s) URL")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: policy.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("intake", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = policy.timeout
        configuration.timeoutIntervalForResource = policy.timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let outcome = Mutex<PostResult?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { _, response, error in
            let result: PostResult
            if let error = error as? URLError {
                result = .failure(Self.describe(error))
            } else if error != nil {
                result = .failure("the request failed")
            } else if let http = response as? HTTPURLResponse {
                result = (200..<300).contains(http.statusCode) ? .success(http.statusCode) : .failure("HTTP \(http.statusCode)")
            } else {
                result = .failure("no HTTP response")
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + policy.timeout + 2) == .timedOut {
            task.cancel()
            return .failure("no answer within \(JSONValue.format(policy.timeout)) s")
        }
        return outcome.withLock { $0 } ?? .failure("no answer")
    }

    static func describe(_ error: URLError) -> String {
        switch error.code {
        case .timedOut: "no answer in time"
        case .cannotConnectToHost: "connection refused"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .networkConnectionLost: "connection lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateHasUnknownRoot:
            "TLS failed"
        default: "network error \(error.code.rawValue)"
        }
    }

    /// `scheme://host[:port]`: what a log may say about a URL (paths and queries may hold tokens).
    static func host(_ urlText: String) -> String {
        guard let url = URL(string: urlText), let host = url.host else { return "invalid-url" }
        return "\(url.scheme ?? "http")://\(host)\(url.port.map { ":\($0)" } ?? "")"
    }
}

/// A thread that sends due webhook deliveries: woken when one is queued, or when the next one
/// falls due. Stops when asked (a POST under way finishes first, at most `timeout` seconds).
final class WebhookSender: Sendable {
    let queue: WebhookQueue
    let tag: String
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    init(queue: WebhookQueue, tag: String) {
        self.queue = queue
        self.tag = tag
    }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .sequentiallyConsistent) {
                queue.deliverDue(tag: tag) { self.stopped.load(ordering: .sequentiallyConsistent) }
                let now = Date().timeIntervalSince1970
                // Look again at least every 30 s: another process (intake import) may queue too.
                let wait = min(30, max(0.05, (queue.nextDue() ?? now + 30) - now))
                _ = wake.wait(timeout: .now() + wait)
            }
            exited.signal()
        }
        thread.name = "intake-webhooks"
        thread.start()
    }

    func poke() { wake.signal() }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
        _ = exited.wait(timeout: .now() + queue.policy.timeout + 5)
    }
}
