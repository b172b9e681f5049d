import Foundation
import Glibc
import Testing

/// A crash at every step of one import (issue 23; contract §3, §6, §10): the daemon is killed
/// with SIGKILL just before each rename and fsync it makes under the root, in turn, and then run
/// again; whatever step it died at, the import must end as the uninterrupted run ends it — one
/// result folder, every row, nothing left claimed or pending, and the webhook at the URL that was
/// decided when the import was made (at least once, §10).
///
/// The kills come from `Tests/Fixtures/crash-shim/crashat.c`, an `LD_PRELOAD` shim compiled here
/// with `cc` (the tests are skipped, and say so, where there is no C compiler). It counts the
/// calls to `rename`, `renameat`, `renameat2`, `fsync` and `fdatasync` on paths under
/// `INTAKE_CRASH_ROOT` (the `intake` binary and Foundation call libc's symbols: `nm -D` shows
/// `rename`, `fsync`, `fdatasync`), and before the `INTAKE_CRASH_AT`-th it says which on stderr
/// and sends itself SIGKILL. Each scenario: one clean run under the shim counts its N steps; then
/// for k in 1...N, a fresh root with the same drop, `intake watch --once` killed at step k, the
/// restart (`intake watch --once`, no shim), and the check. A step a run did not reach (a count
/// that varies with the threads' timing) is a run that was not killed, and is said to be one.
/// Each scenario prints its steps (`k call path`) and the k that failed.
///
/// One k by hand (the shim works on any command: `intake import`, `intake resolve`, a daemon):
///
///     cc -shared -fPIC -o /tmp/crashat.so Tests/Fixtures/crash-shim/crashat.c -ldl
///     R=$(mktemp -d); mkdir -p $R/inbox $R/schemas    # then the schema and the drop
///     INTAKE_CRASH_ROOT=$R INTAKE_CRASH_AT=17 INTAKE_CRASH_COUNT=/tmp/steps LD_PRELOAD=/tmp/crashat.so \
///         .build/debug/intake watch --root $R --once --settle 50    # exit 137: killed at step 17
///     .build/debug/intake watch --root $R --once --settle 50        # the restart
///
/// Without `INTAKE_CRASH_AT` the shim only counts (`/tmp/steps` holds the total). In this suite,
/// `INTAKE_CRASH_K=17 swift test --filter CrashEveryStepTests` runs only k=17 of each scenario
/// and prints both runs' logs; `INTAKE_CRASH_KEEP=1` keeps the roots of failing steps.
@Suite(.serialized, .timeLimit(.hangGuard))
struct CrashEveryStepTests {
    static let fm = FileManager.default
    static let env = ProcessInfo.processInfo.environment

    /// The C compiler on PATH, if any.
    static let compiler: String? = {
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") where access("\(dir)/cc", X_OK) == 0 { return "\(dir)/cc" }
        return nil
    }()

    /// The shim, compiled once for the run.
    static let shim: Result<String, Chromium.Failure> = {
        guard let compiler else { return .failure(Chromium.Failure(description: "no cc")) }
        let dir = fm.temporaryDirectory.appendingPathComponent("intake-crashat-\(UUID().uuidString)")
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = Intake.packageRoot.appendingPathComponent("Tests/Fixtures/crash-shim/crashat.c").path
        let out = dir.appendingPathComponent("crashat.so").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: compiler)
        p.arguments = ["-shared", "-fPIC", "-o", out, source, "-ldl"]
        let err = Pipe()
        p.standardError = err
        do { try p.run() } catch { return .failure(Chromium.Failure(description: "cc did not start: \(error)")) }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return .failure(Chromium.Failure(description: "cc failed on crashat.c: \(text)")) }
        return .success(out)
    }()

    static let rows: [[String: String]] = [
        ["name": "Ada", "email": "ada@example.com"], ["name": "Bob", "email": "bob@example.com"],
        ["name": "Cy", "email": "cy@example.com"],
    ]
    static let csv = "name,email\n" + rows.map { "\($0["name"]!),\($0["email"]!)\n" }.joined()
    /// The saved schema: no webhook of its own (a sidecar names it).
    static let peopleFields =
        #"[{"key": "name", "validators": [{"validate": "required"}]}, {"key": "email", "type": "email", "validators": [{"validate": "required"}]}]"#
    static func peopleSchema(_ settings: String = "{}") -> String {
        #"{"name": "People", "fields": \#(peopleFields), "settings": \#(settings)}"#
    }

    // MARK: The scenarios

    enum SidecarKind: String, CaseIterable { case savedSchemaWithSettings, inlineFields }

    /// 1. A data file and its sidecar, the webhook named only in the sidecar's `settings`
    /// (with a saved `schema_id`, or with inline `fields`, §2a).
    @Test(.enabled(if: compiler != nil, "no C compiler (cc) on PATH: the crash shim cannot be built"), arguments: SidecarKind.allCases)
    func aSidecarsWebhookIsSentWhereverTheDaemonDies(_ kind: SidecarKind) throws {
        let listener = HookListener(refuseFirst: 0)
        try listener.start()
        defer { listener.stop() }
        let url = "http://127.0.0.1:\(listener.port)/hooks/sidecar"
        let sidecar =
            switch kind {
            case .savedSchemaWithSettings:
                #"{"schema_id": "people", "original_filename": "people.csv", "settings": {"managedWebhookUrl": "\#(url)"}}"#
            case .inlineFields:
                #"{"fields": \#(Self.peopleFields), "original_filename": "people.csv", "settings": {"managedWebhookUrl": "\#(url)"}}"#
            }
        try crashAtEveryStep(
            "sidecar-\(kind.rawValue)", listener: listener,
            prepare: { root in
                try Self.write(Self.peopleSchema(), root, "schemas/people.json")
                try Self.write(Self.csv, root, "inbox/people.csv")
                try Self.write(sidecar, root, "inbox/people.csv.import.json")
            }, expect: { _ in Expected(folder: "outbox", hookPath: "/hooks/sidecar", event: "import_completed") })
    }

    /// 2. A saved schema edited between the kill and the restart. Once the result folder is
    /// published, the import's webhook goes where the schema said when that result was made
    /// (`/hooks/old`), as the uninterrupted run's would, whatever the schema says by the restart
    /// (contract §14, Webhooks). A kill before the publish leaves no result: the restart imports
    /// the file again with the schema as it is then, and its webhook follows that result
    /// (`/hooks/new`): the webhook always belongs to the result it announces.
    @Test(.enabled(if: compiler != nil, "no C compiler (cc) on PATH: the crash shim cannot be built"))
    func aSavedSchemaEditedAfterTheCrashDoesNotMoveTheWebhook() throws {
        let listener = HookListener(refuseFirst: 0)
        try listener.start()
        defer { listener.stop() }
        let base = "http://127.0.0.1:\(listener.port)/hooks/"
        try crashAtEveryStep(
            "edited-schema", listener: listener,
            prepare: { root in
                try Self.write(Self.peopleSchema(#"{"managedWebhookUrl": "\#(base)old"}"#), root, "schemas/people.json")
                try Self.write(Self.csv, root, "inbox/people/people.csv")
            },
            afterKill: { root in
                try Self.write(Self.peopleSchema(#"{"managedWebhookUrl": "\#(base)new"}"#), root, "schemas/people.json")
            },
            expect: { root in
                let published = !((try? Self.fm.contentsOfDirectory(atPath: root.appendingPathComponent("outbox").path)) ?? []).isEmpty
                return published
                    ? Expected(folder: "outbox", hookPath: "/hooks/old", event: "import_completed", note: "published before the kill")
                    : Expected(
                        folder: "outbox", hookPath: "/hooks/new", event: "import_completed",
                        note: "not published before the kill: imported again")
            })
    }

    /// 3. A resolution (§6): an import in review/ (no column for the required `name`: the file's
    /// is headed `who`; the sidecar names both webhooks) is resolved by `resolution.json`
    /// (`{"mapping": {"who": "name"}}`), and the daemon is killed at each step of applying it. It
    /// ends in outbox/ with every row, `import_completed` at the sidecar's `managedWebhookUrl`.
    @Test(.enabled(if: compiler != nil, "no C compiler (cc) on PATH: the crash shim cannot be built"))
    func aResolutionCutAtEveryStepEndsOnceWithItsWebhook() throws {
        let listener = HookListener(refuseFirst: 0)
        try listener.start()
        defer { listener.stop() }
        let base = "http://127.0.0.1:\(listener.port)/hooks/"
        // The review state, made once without the shim, copied for every k.
        let template = Self.fm.temporaryDirectory.appendingPathComponent("intake-crash-review-\(UUID().uuidString)")
        defer { try? Self.fm.removeItem(at: template) }
        try Self.write(Self.peopleSchema(), template, "schemas/people.json")
        try Self.write(Self.csv.replacingOccurrences(of: "name,email", with: "who,email"), template, "inbox/people.csv")
        try Self.write(
            #"{"schema_id": "people", "original_filename": "people.csv", "settings": {"managedWebhookUrl": "\#(base)done", "needsReviewWebhookUrl": "\#(base)review"}}"#,
            template, "inbox/people.csv.import.json")
        let first = try Self.watch(template, log: template.appendingPathComponent("review.log"))
        #expect(first.exit == 0, "the import into review/: \(first.log)")
        let ids = Self.list(template.appendingPathComponent("review"))
        try #require(
            ids.count == 1, "one import in review/: \(ids); outbox \(Self.list(template.appendingPathComponent("outbox"))); \(first.log)")
        let id = ids[0]
        #expect(
            listener.accepted.contains {
                $0.path == "/hooks/review" && Self.hook($0).event == "headless_import_needs_review" && Self.hook($0).id == id
            },
            "the needs-review webhook: \(listener.received.map(\.path))")
        try Self.write(#"{"mapping": {"who": "name"}}"#, template, "review/\(id)/resolution.json")
        try? Self.fm.removeItem(at: template.appendingPathComponent("review.log"))
        try crashAtEveryStep(
            "resolution", listener: listener,
            prepare: { root in
                try? Self.fm.removeItem(at: root)
                try Self.fm.copyItem(at: template, to: root)
            }, expect: { _ in Expected(folder: "outbox", hookPath: "/hooks/done", event: "import_completed", id: id) })
    }

    // MARK: The loop

    struct Expected {
        var folder: String
        var hookPath: String
        var event: String
        var id: String?
        var note: String?
    }

    /// One clean run to count the steps, then a kill at each and a restart, each on a fresh root.
    func crashAtEveryStep(
        _ name: String, listener: HookListener, prepare: (URL) throws -> Void,
        afterKill: (URL) throws -> Void = { _ in }, expect: (URL) -> Expected
    ) throws {
        let shim = try Self.shim.get()
        let work = Self.fm.temporaryDirectory.appendingPathComponent("intake-crash-\(name)-\(UUID().uuidString)")
        try Self.fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? Self.fm.removeItem(at: work) }
        let countFile = work.appendingPathComponent("steps")

        // The uninterrupted run, counted: it must pass the same check.
        let clean = work.appendingPathComponent("clean")
        try prepare(clean)
        var since = listener.received.count
        let counted = try Self.watch(clean, log: work.appendingPathComponent("clean.log"), shim: shim, crashAt: nil, countFile: countFile)
        #expect(counted.exit == 0 && !counted.killed, "\(name): the clean run under the shim: \(counted.log)")
        let steps = Self.count(countFile)
        try #require(steps > 0, "\(name): the shim counted no rename or fsync under the root: is it loaded? \(counted.log)")
        Self.check(name, "clean run", clean, expect(clean), Array(listener.received[since...]), log: counted.log)
        print("CrashEveryStepTests \(name): \(steps) steps (renames and fsyncs under the root)")

        let only = Self.env["INTAKE_CRASH_K"].flatMap(Int.init)
        var notReached: [Int] = []
        var failing: [Int] = []
        var names: [String] = []
        for k in 1...max(steps, only ?? 0) where only == nil || only == k {
            let root = work.appendingPathComponent("k\(k)")
            try prepare(root)
            since = listener.received.count
            let killed = try Self.watch(
                root, log: work.appendingPathComponent("k\(k)-killed.log"), shim: shim, crashAt: k, countFile: countFile)
            let reached = Self.count(countFile)
            let step =
                killed.log.split(separator: "\n").first { $0.hasPrefix("crashat: SIGKILL before ") }
                .map { $0.dropFirst("crashat: SIGKILL before ".count).replacingOccurrences(of: root.path + "/", with: "") }
                ?? "step \(k) not reached"
            names.append("\(k) \(step.replacingOccurrences(of: "#\(k) ", with: ""))")
            if killed.killed {
                #expect(reached == k - 1, "k=\(k) (\(step)): the shim counted \(reached) steps before the kill")
            } else {
                notReached.append(k)
                #expect(
                    killed.exit == 0 && reached < k,
                    "k=\(k): the run was not killed but counted \(reached) steps (exit \(killed.exit)): \(killed.log)")
            }
            let expected = expect(root)
            try afterKill(root)
            let restart = try Self.watch(root, log: work.appendingPathComponent("k\(k)-restart.log"))
            #expect(restart.exit == 0, "k=\(k) (\(step)): the restart exited \(restart.exit): \(restart.log)")
            let what = "k=\(k) (\(step))" + (expected.note.map { ", \($0)" } ?? "")
            let log = "killed run:\n\(Self.events(killed.log))\nrestart:\n\(Self.events(restart.log))"
            if only != nil { print("CrashEveryStepTests \(name) \(what)\n\(log)") }
            if !Self.check(name, what, root, expected, Array(listener.received[since...]), log: log) {
                failing.append(k)
                if Self.env["INTAKE_CRASH_KEEP"] != nil {
                    let kept = Self.fm.temporaryDirectory.appendingPathComponent("intake-crash-kept-\(name)-k\(k)-\(UUID().uuidString)")
                    try? Self.fm.createDirectory(at: kept, withIntermediateDirectories: true)
                    for item in ["k\(k)", "k\(k)-killed.log", "k\(k)-restart.log"] {
                        try? Self.fm.copyItem(at: work.appendingPathComponent(item), to: kept.appendingPathComponent(item))
                    }
                    print("CrashEveryStepTests \(name) k=\(k): kept in \(kept.path)")
                    continue
                }
            }
            try? Self.fm.removeItem(at: root)
        }
        print(
            "CrashEveryStepTests \(name): \(steps) steps; failing k: \(failing.isEmpty ? "none" : failing.map(String.init).joined(separator: ","))"
                + (notReached.isEmpty ? "" : "; not reached (ran to the end): \(notReached.map(String.init).joined(separator: ","))")
                + "\n  " + names.joined(separator: "\n  "))
    }

    /// The end state after the restart. Returns whether it was right (each fault is an issue).
    @discardableResult
    static func check(
        _ name: String, _ what: String, _ root: URL, _ expected: Expected, _ requests: [HookListener.Request], log: String
    ) -> Bool {
        var ok = true
        func expect(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
            if !condition {
                ok = false
                Issue.record("\(name) \(what): \(message())\n\(log)", sourceLocation: sourceLocation)
            }
        }
        // One result folder, in the right place, with every row.
        let folders = ["outbox", "review", "failed"].flatMap { place in list(root.appendingPathComponent(place)).map { "\(place)/\($0)" } }
        expect(
            folders.count == 1 && folders.first?.hasPrefix(expected.folder + "/") == true,
            "one result folder in \(expected.folder)/ expected, found \(folders)")
        let id = folders.first.map { String($0.split(separator: "/")[1]) }
        if let wanted = expected.id { expect(id == wanted, "the import's id is \(wanted), the folder is \(folders)") }
        if let folder = folders.first {
            let results = (try? Data(contentsOf: root.appendingPathComponent("\(folder)/results.json")))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [[String: Any]] }
            let values = results?.map { $0.compactMapValues { $0 as? String } }
            expect(values == rows, "\(folder)/results.json: \(values.map { "\($0)" } ?? "missing or not JSON"), expected \(rows)")
            let record = (try? Data(contentsOf: root.appendingPathComponent(".intake/records/\(id ?? "").json")))
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            expect(record?["status"] as? String == "SUCCESSFUL", ".intake/records/\(id ?? "").json says \(record?["status"] ?? "nothing")")
        }
        // Nothing claimed, nothing left in the inbox.
        for dir in [".intake/work", ".intake/resolving"] {
            let left = list(root.appendingPathComponent(dir))
            expect(left.isEmpty, "left in \(dir)/: \(left)")
        }
        let inboxFiles = files(under: root.appendingPathComponent("inbox"))
        expect(inboxFiles.isEmpty, "left in inbox/: \(inboxFiles)")
        // The webhook, at the right URL, and none pending.
        let hooks = requests.map { (path: $0.path, status: $0.status, hook: hook($0)) }
        let seen = hooks.map { "\($0.path) \($0.hook.event ?? "?") \($0.hook.id ?? "?") (\($0.status))" }
        let pending = list(root.appendingPathComponent(".intake/webhooks")).filter { !$0.hasPrefix(".") }
        let right = hooks.filter {
            $0.path == expected.hookPath && $0.status == 200 && $0.hook.event == expected.event && $0.hook.id == id && id != nil
        }
        expect(
            !right.isEmpty,
            "no \(expected.event) webhook at \(expected.hookPath) for \(id ?? "the import"); received: \(seen); pending: \(pending)")
        let wrong = hooks.filter { $0.path != expected.hookPath }
        expect(wrong.isEmpty, "webhooks at another URL than \(expected.hookPath): \(wrong.map { "\($0.path) \($0.hook.event ?? "?")" })")
        expect(pending.isEmpty, "deliveries pending in .intake/webhooks/: \(pending)")
        // No temporary of the dead daemon left for ever (its lock's, .intake/owners/.<owner>.tmp,
        // is swept once it is 10 s old: not checked).
        for dir in [".intake", ".intake/records", ".intake/webhooks"] {
            let temporaries = list(root.appendingPathComponent(dir)).filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }
            expect(temporaries.isEmpty, "temporaries left in \(dir)/: \(temporaries)")
        }
        return ok
    }

    // MARK: Running the binary

    struct Run {
        var exit: Int32
        var killed: Bool
        var log: String
    }

    /// `intake watch --root ROOT --once --settle 50`, under the shim when `shim` is given.
    static func watch(_ root: URL, log: URL, shim: String? = nil, crashAt: Int? = nil, countFile: URL? = nil) throws -> Run {
        let p = Process()
        p.executableURL = Intake.binary
        p.arguments = ["watch", "--root", root.path, "--once", "--settle", "50"]
        var environment = env
        for key in environment.keys where key.hasPrefix("INTAKE_CRASH_") || key == "LD_PRELOAD" { environment[key] = nil }
        environment["INTAKE_WEBHOOK_RETRY_SECONDS"] = "0.2"
        if let shim {
            environment["LD_PRELOAD"] = shim
            environment["INTAKE_CRASH_ROOT"] = root.path
            if let crashAt { environment["INTAKE_CRASH_AT"] = String(crashAt) }
            if let countFile { environment["INTAKE_CRASH_COUNT"] = countFile.path }
        }
        p.environment = environment
        _ = fm.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        p.standardError = handle
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Run(exit: p.terminationStatus, killed: p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL, log: text)
    }

    // MARK: Helpers

    static func write(_ text: String, _ root: URL, _ relative: String) throws {
        let url = root.appendingPathComponent(relative)
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    static func list(_ url: URL) -> [String] { ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }

    /// Every file (not folder) under `url`, relative to it.
    static func files(under url: URL) -> [String] {
        list(url).flatMap { name -> [String] in
            var isDirectory: ObjCBool = false
            let child = url.appendingPathComponent(name)
            guard fm.fileExists(atPath: child.path, isDirectory: &isDirectory) else { return [name] }
            return isDirectory.boolValue ? files(under: child).map { "\(name)/\($0)" } : [name]
        }
    }

    static func count(_ file: URL) -> Int {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    static func hook(_ request: HookListener.Request) -> (event: String?, id: String?) {
        let body = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
        return (body?["event"] as? String, (body?["data"] as? [String: Any])?["id"] as? String)
    }

    /// The log's lines that tell what happened (no debug lines, no timestamps).
    static func events(_ log: String) -> String {
        log.split(separator: "\n").filter { !$0.contains("level=debug") }
            .map { line in line.split(separator: " ").filter { !$0.hasPrefix("ts=") && !$0.hasPrefix("root=") }.joined(separator: " ") }
            .joined(separator: "\n")
    }
}
