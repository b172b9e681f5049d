import Foundation
import Glibc
import Testing

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// the browser reads commands on fd 3 and writes answers on fd 4, each a JSON text ended by a
/// NUL). No port, no WebSocket, nothing but the browser Debian ships (`apt-get install chromium`).
final class Chromium {
    let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private var buffer: [UInt8] = []
    private var nextID = 0
    private var session: String?
    let profile: URL

    /// The browser's path, or nil when it is not installed.
    static var executable: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + [
            "/usr/bin", "/usr/lib/chromium",
        ] {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// Whether the browser tests run: when Chromium is installed, or always when
    /// `INTAKE_REQUIRE_BROWSER=1` (.ci/run sets it), so that a missing browser fails them there
    /// instead of skipping them.
    static var testsRun: Bool {
        executable != nil || ProcessInfo.processInfo.environment["INTAKE_REQUIRE_BROWSER"] == "1"
    }

    static let skipReason: Comment =
        "Chromium is not installed (apt-get install -y chromium); INTAKE_REQUIRE_BROWSER=1 makes that a failure"

    struct Failure: Error, CustomStringConvertible { var description: String }

    init() throws {
        guard let exe = Chromium.executable else {
            throw Failure(
                description: "Chromium is not installed and INTAKE_REQUIRE_BROWSER=1: `apt-get install -y chromium` (.ci/run does it)")
        }
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("intake-chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe: \(errno)") }
        // Move every end above 100 so the dup2 to 3 and 4 below cannot collide with them.
        func high(_ fd: Int32) -> Int32 { let n = fcntl(fd, F_DUPFD_CLOEXEC, 100); close(fd); return n }
        let childRead = high(toBrowser[0]), parentWrite = high(toBrowser[1])
        let parentRead = high(fromBrowser[0]), childWrite = high(fromBrowser[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childRead, 3)
        posix_spawn_file_actions_adddup2(&actions, childWrite, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=1280,1000", "about:blank",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, exe, &actions, nil, &argv, environ)
        close(childRead)
        close(childWrite)
        guard rc == 0 else { throw Failure(description: "posix_spawn \(exe): \(rc)") }
        pid = child
        commands = parentWrite
        answers = parentRead
    }

    deinit { quit() }

    private var quitted = false
    func quit() {
        guard !quitted else { return }
        quitted = true
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(commands)
        close(answers)
        try? FileManager.default.removeItem(at: profile)
    }

    /// Sends a command and waits for its answer's `result`.
    @discardableResult
    func send(
        _ method: String, _ params: [String: Any] = [:], browserLevel: Bool = false, timeout: Double = Intake.patience
    ) throws -> [String: Any] {
        nextID += 1
        let id = nextID
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if !browserLevel, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(commands, $0.baseAddress! + offset, bytes.count - offset) }
            guard n > 0 else { throw Failure(description: "the browser closed its pipe") }
            offset += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let text = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let answer = try JSONSerialization.jsonObject(with: Data(text)) as? [String: Any], answer["id"] as? Int == id else {
                    continue
                }
                if let error = answer["error"] as? [String: Any] { throw Failure(description: "\(method): \(error)") }
                return answer["result"] as? [String: Any] ?? [:]
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "\(method): no answer within \(timeout) s") }
            var fds = [pollfd(fd: answers, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, Int32(left * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the browser exited") }
            buffer += chunk[0..<n]
        }
    }

    /// Opens `url` in a new tab and attaches to it; downloads go to `downloads`.
    func open(_ url: URL, downloads: URL) throws {
        try send("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": downloads.path], browserLevel: true)
        let target = try send("Target.createTarget", ["url": url.absoluteString], browserLevel: true)
        guard let targetID = target["targetId"] as? String else { throw Failure(description: "no target: \(target)") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true], browserLevel: true)
        session = attached["sessionId"] as? String
        try send("Runtime.enable")
    }

    /// Evaluates `expression` in the page and returns its value (JSON-serializable).
    @discardableResult
    func evaluate(_ expression: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            let text = ((exception["exception"] as? [String: Any])?["description"] as? String) ?? "\(exception)"
            throw Failure(description: "the page threw: \(text)\n  in: \(expression)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `condition` (a JS expression) is true in the page.
    func wait(for condition: String, timeout: Double = Intake.patience) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? evaluate("Boolean(\(condition))")) as? Bool == true { return }
            usleep(50_000)
        }
        throw Failure(description: "the page never had \(condition)")
    }

    /// Types `text` into the element `selector` as a person would: focus, select all, insert
    /// the text (Input.insertText), and leave the field (which fires `change`).
    func type(_ text: String, into selector: String) throws {
        try evaluate(
            "(() => { const e = document.querySelector(\(Chromium.js(selector))); e.scrollIntoView(); e.focus(); e.select(); return true })()"
        )
        try send("Input.insertText", ["text": text])
        try evaluate("document.querySelector(\(Chromium.js(selector))).blur()")
    }

    /// Clicks the element `selector` with the mouse, at its centre (Input.dispatchMouseEvent).
    func click(_ selector: String) throws {
        guard
            let box = try evaluate(
                """
                (() => { const e = document.querySelector(\(Chromium.js(selector))); if (!e) return null; e.scrollIntoView({block: "center"});
                         const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()
                """) as? [Double], box.count == 2
        else { throw Failure(description: "nothing to click at \(selector)") }
        for type in ["mousePressed", "mouseReleased"] {
            try send("Input.dispatchMouseEvent", ["type": type, "x": box[0], "y": box[1], "button": "left", "clickCount": 1])
        }
    }

    /// Chooses `value` in the <select> `selector` (as the keyboard would, firing `change`).
    func choose(_ value: String, in selector: String) throws {
        try evaluate(
            """
            (() => { const s = document.querySelector(\(Chromium.js(selector))); s.focus(); s.value = \(Chromium.js(value));
                     s.dispatchEvent(new Event("input", {bubbles: true})); s.dispatchEvent(new Event("change", {bubbles: true})); return s.value; })()
            """)
    }

    static func js(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }
}
