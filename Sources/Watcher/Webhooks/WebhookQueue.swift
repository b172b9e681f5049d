import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

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

    /// The body of a managed-webhook event (contract §10), as Dromo documents it: `user` from the
    /// import's metadata (null without one), `num_data_rows` the rows in the results (removed rows
    /// not counted), `development_mode` the schema's, and `headless` without `review_url`.
    public static func body(event: String, record: ImportRecord, developmentMode: Bool = false) -> JSONValue {
        let rows = record.resultMetadata["num_rows"]?.intValue ?? 0
        let kept = max(0, rows - (record.resultMetadata["num_removed_rows"]?.intValue ?? 0))
        var headless = record.json
        if case .object(var o) = headless {
            o["review_url"] = nil
            headless = .object(o)
        }
        let user = record.importMetadata["user"].flatMap { $0.objectValue != nil ? $0 : nil } ?? .null
        return [
            "event": .string(event),
            "data": [
                "id": .string(record.id), "filename": .string(record.originalFilename), "user": user,
                "created_date": .string(record.createdDate), "import_type": "HEADLESS", "status": .string(record.status.rawValue),
                "num_data_rows": .number(kept), "development_mode": .bool(developmentMode),
                "has_data": .bool(record.status == .successful && kept > 0), "import_metadata": record.importMetadata,
                "headless": headless,
            ],
        ]
    }

    /// The body of Dromo's basic webhook (`webhookUrl`): `uploadId=<id>`, form-encoded.
    public static func formBody(record: ImportRecord) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return "uploadId=" + (record.id.addingPercentEncoding(withAllowedCharacters: allowed) ?? record.id)
    }

    /// Queues the webhook an ended import calls for, if it has a URL for its status. The file
    /// name is the same for the same record, so finishing an import's bookkeeping twice queues
    /// once. Returns whether something was queued.
    @discardableResult
    public func enqueue(_ record: ImportRecord, to targets: WebhookTargets?, tag: String) throws -> Bool {
        guard let targets else { return false }
        let list = targets.targets(for: record.status)
        guard !list.isEmpty else { return false }
        let stamp = record.modifiedDate.filter(\.isNumber)
        try Paths.makeDirectories(layout.webhooks)
        for (k, target) in list.enumerated() {
            let name = "\(record.id)-\(stamp)-\(target.event)\(k == 0 ? "" : "-\(k)").json"
            let body: JSONValue =
                target.format == .form
                ? .string(Self.formBody(record: record))
                : Self.body(event: target.event, record: record, developmentMode: targets.developmentMode)
            let delivery: JSONValue = [
                "import_id": .string(record.id), "event": .string(target.event), "url": .string(target.url),
                "format": .string(target.format.rawValue), "queued": .number(Date().timeIntervalSince1970), "attempts": 0,
                "next_attempt": .number(0), "body": body,
            ]
            try RootLayout.writeAtomically("\(layout.webhooks)/\(name)", JSONWriter.document(delivery), sync: true, tag: tag)
        }
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
        guard let fd = try? System.call("open", path, { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }) else { return }
        defer { close(fd) }
        guard System.errno("flock", path, { flock(fd, LOCK_EX | LOCK_NB) }) == 0 else { return }
        // Still the file at that name (not one already delivered and removed, or rewritten)?
        var a = stat(), b = stat()
        guard System.errno("fstat", path, { fstat(fd, &a) }) == 0, System.errno("lstat", path, { lstat(path, &b) }) == 0,
            a.st_ino == b.st_ino
        else { return }
        guard let bytes = try? Paths.readFile(path), let json = try? JSONParser.parse(bytes), var o = json.objectValue,
            let urlText = o["url"]?.stringValue, let body = o["body"]
        else {
            log.warn("webhook_unreadable", ["file": name])
            Paths.removeFile(path)
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
        // A basic webhook's body is form text; the others are JSON.
        let form = o["format"]?.stringValue == WebhookTargets.Format.form.rawValue
        let result =
            form
            ? post(urlText, body: Array((body.stringValue ?? "").utf8), contentType: "application/x-www-form-urlencoded")
            : post(urlText, body: JSONWriter.document(body))
        let ms = String(Int(Date().timeIntervalSince(started) * 1000))
        switch result {
        case .success(let status):
            Paths.removeFile(path)
            log.info(
                "webhook_delivered",
                ["id": id, "ms": ms, "webhook": event, "host": host, "http_status": String(status), "attempt": String(attempts)])
        case .failure(let reason):
            if now - queued >= policy.expiry {
                Paths.removeFile(path)
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
    func post(_ urlText: String, body: [UInt8], contentType: String = "application/json") -> PostResult {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
        else {
            return .failure("not an http(s) URL")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: policy.timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
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
