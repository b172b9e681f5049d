import Engine
import Foundation
import Glibc
import Watcher

/// The crash harness of docs/RELIABILITY.md, shared by the bounded tests (ChaosTests) and the
/// soak (`scripts/soak`, the same code for minutes or hours): a root whose schemas are the
/// fixtures' schemas, files dropped in waves while one to three `intake watch` processes are
/// killed with SIGKILL at random moments and started again, a last `--once` run, and then the
/// check: every dropped file is in exactly one result folder, byte for byte, with the result
/// the fixture says (the fixtures are reference imports, checked by FixtureTests), nothing
/// half-written anywhere, no temporary left.
final class ChaosRun {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let fixedID = "00000000-0000-4000-8000-000000000000"

    /// A fixture case: its schema, its input and the outcome a reference import gave.
    struct Case {
        var name: String
        var input: [UInt8]
        var ext: String
        var status: String
        var code: String?
        var results: [UInt8]?
        var report: [UInt8]?
    }

    /// What a drop must become.
    struct Expectation {
        var sources: [String: [UInt8]]
        var fixture: Case?
        /// For drops that are no fixture (bad sidecars, initial_data): status and code.
        var status: String
        var code: String?
    }

    struct Figures: CustomStringConvertible {
        var drops = 0, imports = 0, starts = 0, kills = 0, recovered = 0, bookkeeping = 0, givenBack = 0
        var lost = 0, duplicated = 0, wrong = 0, leftovers = 0
        var seconds = 0.0
        var description: String {
            "drops=\(drops) imports=\(imports) starts=\(starts) kills=\(kills) recovered=\(recovered) bookkeeping_only=\(bookkeeping) given_back=\(givenBack) lost=\(lost) duplicated=\(duplicated) wrong=\(wrong) leftovers=\(leftovers) seconds=\(Int(seconds))"
        }
        static func + (a: Figures, b: Figures) -> Figures {
            Figures(
                drops: a.drops + b.drops, imports: a.imports + b.imports, starts: a.starts + b.starts, kills: a.kills + b.kills,
                recovered: a.recovered + b.recovered, bookkeeping: a.bookkeeping + b.bookkeeping, givenBack: a.givenBack + b.givenBack,
                lost: a.lost + b.lost, duplicated: a.duplicated + b.duplicated, wrong: a.wrong + b.wrong,
                leftovers: a.leftovers + b.leftovers, seconds: a.seconds + b.seconds)
        }
    }

    static let cases: [Case] = {
        Paths.list(fixtures).compactMap { name -> Case? in
            let dir = "\(fixtures)/\(name)"
            guard Paths.exists("\(dir)/schema.json"), let input = Paths.list(dir).first(where: { $0.hasPrefix("input") }),
                let outcome = try? JSONParser.parse(Paths.readFile("\(dir)/outcome.json"))
            else { return nil }
            return Case(
                name: name, input: (try? Paths.readFile("\(dir)/\(input)")) ?? [], ext: String(input.dropFirst("input".count)),
                status: outcome["status"]?.stringValue ?? "", code: outcome["code"]?.stringValue,
                results: try? Paths.readFile("\(dir)/results.json"), report: try? Paths.readFile("\(dir)/report.json"))
        }
    }()

    let root: String
    var expected: [String: Expectation] = [:]
    var problems: [String] = []
    var figures = Figures()
    var rng: any RandomNumberGenerator
    private var next = 0

    init(seed: UInt64? = nil) throws {
        var template = Array("/tmp/intake-chaos-XXXXXX".utf8CString)
        _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        root = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        rng = seed.map { SplitMix(seed: $0) as any RandomNumberGenerator } ?? SystemRandomNumberGenerator()
        for dir in ["schemas", "outbox", "review", "failed"] { try Paths.makeDirectories("\(root)/\(dir)") }
        for c in ChaosRun.cases {
            try Paths.makeDirectories("\(root)/inbox/fx-\(c.name)")
            try write("schemas/fx-\(c.name).json", Paths.readFile("\(ChaosRun.fixtures)/\(c.name)/schema.json"))
        }
        try write(
            "schemas/customers.json",
            Array(
                #"{"name": "Customers", "fields": [{"key": "email", "type": "email", "validators": [{"validate": "required"}]}, {"key": "name"}]}"#
                    .utf8))
    }

    deinit { Paths.removeTree(root) }

    /// Writes under a temporary name and renames into place, as an uploader does.
    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let tmp = "\(root)/\(relative).part"
        _ = FileManager.default.createFile(atPath: tmp, contents: Data(bytes))
        guard rename(tmp, "\(root)/\(relative)") == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Drops `count` files: fixture inputs into their schema folders, fixture inputs with a
    /// sidecar in inbox/ (either order), sidecars with initial_data, sidecars that are refused.
    func drop(_ count: Int) throws {
        for _ in 0..<count {
            let i = next
            next += 1
            figures.drops += 1
            let c = ChaosRun.cases[i % ChaosRun.cases.count]
            switch i % 11 {
            case 3, 7:
                let data = "p\(i)\(c.ext)", sidecar = "p\(i)\(c.ext).import.json"
                let side = Array(
                    #"{"schema_id": "fx-\#(c.name)", "original_filename": "\#(data)", "import_metadata": {"drop": \#(i)}}"#.utf8)
                if Bool.random(using: &rng) {
                    try write("inbox/\(data)", c.input); try write("inbox/\(sidecar)", side)
                } else {
                    try write("inbox/\(sidecar)", side); try write("inbox/\(data)", c.input)
                }
                expected[data] = Expectation(sources: [data: c.input, sidecar: side], fixture: c, status: c.status, code: c.code)
            case 5:
                let sidecar = "d\(i).import.json"
                let side = Array(
                    #"{"schema_id": "customers", "initial_data": [{"email": "a\#(i)@example.com", "name": "A"}, {"email": "b\#(i)@example.com"}]}"#
                        .utf8)
                try write("inbox/\(sidecar)", side)
                expected[sidecar] = Expectation(sources: [sidecar: side, "initial_data.json": []], status: "SUCCESSFUL")
            case 9:
                let sidecar = "bad\(i).import.json"
                let side = Array(#"{"schema_id": "customers", "original_filename": "../../etc/passwd\#(i)"}"#.utf8)
                try write("inbox/\(sidecar)", side)
                expected[sidecar] = Expectation(sources: [sidecar: side], status: "FAILED", code: "INVALID_SIDECAR")
            default:
                let data = "f\(i)\(c.ext)"
                try write("inbox/fx-\(c.name)/\(data)", c.input)
                expected[data] = Expectation(sources: [data: c.input], fixture: c, status: c.status, code: c.code)
            }
        }
    }

    func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = Intake.binary
        p.arguments = ["watch", "--root", root] + args
        if !Paths.exists("\(root)/daemon.log") { _ = FileManager.default.createFile(atPath: "\(root)/daemon.log", contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(root)/daemon.log"))
        log.seekToEndOfFile()
        p.standardError = log
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        figures.starts += 1
        return p
    }

    /// `daemons` processes, each killed with SIGKILL after a random 50–700 ms and started again,
    /// for `seconds` and until `minimumKills` kills (a busy machine starts processes slowly);
    /// `files` dropped in `waves` during the first two thirds of the seconds. Then every daemon
    /// is killed and one `--once` run finishes what is left.
    func run(daemons: Int, files: Int, waves: Int, seconds: Double, minimumKills: Int = 0) throws {
        let t0 = Monotonic.now()
        var slots: [(process: Process?, deadline: Double)] = Array(repeating: (nil, 0), count: daemons)
        var wave = 0
        while Monotonic.now() - t0 < seconds || figures.kills < minimumKills {
            let now = Monotonic.now()
            if wave < waves && now - t0 >= Double(wave) * seconds * 0.66 / Double(waves) {
                try drop(files / waves + (wave < files % waves ? 1 : 0))
                wave += 1
            }
            for k in slots.indices {
                if slots[k].process == nil {
                    slots[k] = (
                        try start(["--settle", "10", "--rescan", "1", "--workers", "2"]), now + Double.random(in: 0.05...0.7, using: &rng)
                    )
                } else if now >= slots[k].deadline, let p = slots[k].process {
                    kill(p.processIdentifier, SIGKILL)
                    p.waitUntilExit()
                    figures.kills += 1
                    slots[k].process = nil
                    for r in results() where !Paths.exists("\(root)/\(r.folder)/\(r.id)/import.json") {
                        problems.append("half a folder visible: \(r.folder)/\(r.id)")
                    }
                }
            }
            usleep(5_000)
        }
        while wave < waves { try drop(files / waves + (wave < files % waves ? 1 : 0)); wave += 1 }
        for slot in slots { if let p = slot.process { kill(p.processIdentifier, SIGKILL); p.waitUntilExit(); figures.kills += 1 } }
        let last = try start(["--once", "--settle", "10"])
        last.waitUntilExit()
        if last.terminationStatus != 0 { problems.append("the last --once run exited \(last.terminationStatus)") }
        figures.seconds = Monotonic.now() - t0
    }

    func results() -> [(folder: String, id: String)] {
        ["outbox", "review", "failed"].flatMap { folder in Paths.list("\(root)/\(folder)").map { (folder, $0) } }
    }

    /// Checks the folders; fills `problems` and the figures.
    func verify() {
        let log = (try? String(contentsOfFile: "\(root)/daemon.log", encoding: .utf8)) ?? ""
        func count(_ s: String) -> Int { log.components(separatedBy: s).count - 1 }
        figures.recovered = count("event=recovered")
        figures.bookkeeping = count("event=bookkeeping_finished")
        figures.givenBack = count("event=claim_given_back")
        if count("event=internal_error") > 0 { problems.append("internal_error in the log") }

        var seen: [String: Int] = [:]
        let statusOf = ["outbox": "SUCCESSFUL", "review": "NEEDS_REVIEW", "failed": "FAILED"]
        for (folder, id) in results() {
            figures.imports += 1
            let dir = "\(root)/\(folder)/\(id)"
            guard let record = (try? Paths.readFile("\(dir)/import.json")).flatMap({ try? JSONParser.parse($0) }) else {
                problems.append("\(folder)/\(id): no readable import.json")
                figures.wrong += 1
                continue
            }
            let sources = Paths.list("\(dir)/source")
            let key = sources.first { expected[$0] != nil && !$0.hasSuffix(".import.json") } ?? sources.first { expected[$0] != nil }
            guard let key, let want = expected[key] else {
                problems.append("\(folder)/\(id): sources \(sources) were never dropped")
                figures.wrong += 1
                continue
            }
            seen[key, default: 0] += 1
            var bad: [String] = []
            if Set(sources) != Set(want.sources.keys) { bad.append("sources \(sources), wanted \(want.sources.keys.sorted())") }
            for (name, bytes) in want.sources where name != "initial_data.json" {
                if (try? Paths.readFile("\(dir)/source/\(name)", limit: 1 << 30)) != bytes {
                    bad.append("source/\(name) is not the dropped bytes")
                }
            }
            let status = record["status"]?.stringValue
            if status != want.status || statusOf[folder] != want.status {
                bad.append("\(folder), status \(status ?? "-"), wanted \(want.status)")
            }
            if let code = want.code, record["import_errors"]?.arrayValue?.first?["code"]?.stringValue != code {
                bad.append("code \(record["import_errors"]?.compactText ?? "-"), wanted \(code)")
            }
            if let fixture = want.fixture {
                if let results = fixture.results, (try? Paths.readFile("\(dir)/results.json", limit: 1 << 30)) != results {
                    bad.append("results.json differs from the reference import (\(fixture.name))")
                }
                if let report = fixture.report {
                    let wanted = String(decoding: report, as: UTF8.self).replacingOccurrences(of: ChaosRun.fixedID, with: id)
                        .replacingOccurrences(of: "input\(fixture.ext)", with: key)
                    if (try? Paths.readFile("\(dir)/report.json")).map({ String(decoding: $0, as: UTF8.self) }) != wanted {
                        bad.append("report.json differs from the reference import (\(fixture.name))")
                    }
                }
            }
            if folder == "failed" && Paths.list(dir).contains(where: { !["import.json", "source"].contains($0) }) {
                bad.append("a FAILED folder holds more than import.json and source/: \(Paths.list(dir))")
            }
            if Paths.list(dir).contains(where: { $0.hasSuffix(".scratch") || $0 == "build" }) { bad.append("scratch left in the result") }
            if !bad.isEmpty {
                figures.wrong += 1
                problems.append("\(folder)/\(id) (\(key)): " + bad.joined(separator: "; "))
            }
        }
        for (key, n) in seen where n > 1 {
            figures.duplicated += n - 1
            problems.append("\(key) is in \(n) result folders")
        }
        let missing = Set(expected.keys).subtracting(seen.keys)
        figures.lost = missing.count
        if !missing.isEmpty { problems.append("\(missing.count) dropped files in no result folder: \(missing.sorted().prefix(5))") }

        // Nothing left behind: the inbox, the claims, temporaries, records.
        var leftovers: [String] = []
        for entry in Paths.list("\(root)/inbox") {
            let path = "\(root)/inbox/\(entry)"
            if Paths.isDirectory(path) {
                leftovers += Paths.list(path).map { "inbox/\(entry)/\($0)" }
            } else {
                leftovers.append("inbox/\(entry)")
            }
        }
        leftovers += Paths.list("\(root)/.intake/work").map { ".intake/work/\($0)" }
        leftovers += Paths.list("\(root)/.intake/records").filter { $0.hasSuffix(".tmp") }.map { ".intake/records/\($0)" }
        leftovers += Paths.list("\(root)/.intake").filter { $0.hasSuffix(".tmp") }.map { ".intake/\($0)" }
        // A lock temporary of a daemon killed while starting is swept once 10 s old (Recovery.startingAge).
        leftovers += Paths.list("\(root)/.intake/owners").filter {
            $0.hasSuffix(".tmp") && (FileSignature.of("\(root)/.intake/owners/\($0)")?.age(byMTime: true) ?? 0) > 12
        }.map { ".intake/owners/\($0)" }
        for folder in ["outbox", "review", "failed"] {
            leftovers += Paths.list("\(root)/\(folder)").filter { $0.hasPrefix(".") }.map { "\(folder)/\($0)" }
        }
        figures.leftovers = leftovers.count
        if !leftovers.isEmpty { problems.append("left behind: \(leftovers.prefix(8))") }
        let records = RecordStore(layout: RootLayout(root: root)).all()
        if records.count != figures.imports { problems.append("\(records.count) records for \(figures.imports) result folders") }
        let published = Dictionary(uniqueKeysWithValues: results().map { ($1, statusOf[$0]!) })
        for r in records where published[r.id] != r.status.rawValue {
            problems.append("record \(r.id) says \(r.status.rawValue), folder says \(published[r.id] ?? "none")")
        }
    }
}

/// A seeded generator, so a failing run can be replayed (the seed is printed).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
