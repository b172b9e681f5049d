import Engine
import Foundation
import Glibc
import Watcher

// IntakeBench: Intake's own figures. Generates its data (deterministic), throws a warm-up run
// away, takes several samples with ContinuousClock and prints the median, with a checksum so
// nothing is optimized away. `IntakeBench [NAME-FILTER] [--rows N] [--samples K]`.
// Run it built for release: swift run -c release IntakeBench

#if DEBUG
print("WARNING: IntakeBench is built in DEBUG mode; figures are meaningless. Use: swift run -c release IntakeBench")
#endif

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, default value: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { return value }
    arguments.removeSubrange(i...(i + 1))
    return v
}
@MainActor func stringOption(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(i...(i + 1)) }
    return arguments[i + 1]
}
let xlsxOption = stringOption("--xlsx")
let xlsxRows = option("--xlsx-rows", default: 100_000)
let rows = option("--rows", default: 1_000_000)
let samples = option("--samples", default: 3)
let filter = arguments.first

/// The benchmark's customers file: the same ten columns and rules as bench/peers/gen.py (id,
/// first_name, last_name, email, phone, signup_date, country, plan, balance, notes), about 1%
/// invalid cells, quoted notes with commas, quotes and line breaks.
enum Generator {
    /// The names the rows draw from, and what their e-mail addresses are made of.
    struct Names {
        var first: [String]
        var last: [String]
        /// The ASCII spelling of each first and last name, in the same order (empty: the name's own ASCII letters).
        var firstASCII: [String] = []
        var lastASCII: [String] = []

        static let latin = Names(
            first: [
                "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Léa", "Zoë", "José", "Björn", "Chen", "Aarav", "Fatima", "Olga",
            ],
            last: ["Smith", "Johnson", "Williams", "Brown", "Müller", "O'Brien", "Nguyen", "Kowalski", "de la Cruz", "Van Dyke"])
        /// For the windows-1251 file: Russian names (as many as the Latin ones, so the rows are the same draws).
        static let cyrillic = Names(
            first: [
                "Иван", "Мария", "Алексей", "Ольга", "Дмитрий", "Анна", "Сергей", "Елена", "Николай", "Татьяна", "Михаил", "Наталья",
                "Андрей", "Юлия",
            ],
            last: ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров"],
            firstASCII: [
                "ivan", "maria", "aleksei", "olga", "dmitrii", "anna", "sergei", "elena", "nikolai", "tatiana", "mikhail", "natalia",
                "andrei", "iulia",
            ],
            lastASCII: ["ivanov", "smirnov", "kuznetsov", "popov", "vasilev", "petrov", "sokolov", "mikhailov", "novikov", "fedorov"])
        /// For the Shift_JIS file: Japanese names in kanji and kana.
        static let japanese = Names(
            first: ["太郎", "花子", "健一", "美咲", "翔太", "陽菜", "大輔", "さくら", "拓也", "ゆい", "蓮", "葵", "健太", "愛"],
            last: ["佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤"],
            firstASCII: [
                "taro", "hanako", "kenichi", "misaki", "shota", "hina", "daisuke", "sakura", "takuya", "yui", "ren", "aoi", "kenta", "ai",
            ],
            lastASCII: ["sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato"])
    }
    static let countries = [
        "US", "GB", "DE", "FR", "ES", "IT", "NL", "SE", "PL", "BR", "MX", "CA", "AU", "JP", "IN", "CN", "ZA", "NG", "AR", "CH",
    ]
    static let plans = ["free", "basic", "pro", "enterprise"]

    static func csv(rows: Int) -> [UInt8] {
        var out: [UInt8] = []
        write(rows: rows) { out.append(contentsOf: $0) }
        return out
    }

    /// The file in pieces of 100,000 rows (a 10M-row file never sits in memory whole).
    static func write(rows: Int, names: Names = .latin, _ emit: ([UInt8]) throws -> Void) rethrows {
        let (first, last) = (names.first, names.last)
        var state: UInt64 = 20_240_601
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var out = Array("id,first_name,last_name,email,phone,signup_date,country,plan,balance,notes\n".utf8)
        out.reserveCapacity(100_000 * 110)
        for i in 1...rows {
            let fi = next(first.count), li = next(last.count)
            let f = first[fi], l = last[li]
            let fa = names.firstASCII.isEmpty ? f.lowercased().filter(\.isASCII) : names.firstASCII[fi]
            let la = names.lastASCII.isEmpty ? l.lowercased().filter { $0.isLetter && $0.isASCII } : names.lastASCII[li]
            var email = "\(fa).\(la)\(i)@example.com"
            var firstName = f
            var date = String(format: "20%02d-%02d-%02d", 15 + next(10), 1 + next(12), 1 + next(28))
            var plan = plans[next(plans.count)]
            var balance = String(format: "%d.%02d", next(100_000), next(100))
            let bad = next(100)
            if bad == 0 { email = "broken-at-example.com" }
            if bad == 1 { date = "2023-02-30" }
            if bad == 2 { plan = "platinum" }
            if bad == 3 && next(2) == 0 { firstName = "" }
            if bad == 4 { balance = "n/a" }
            let phone = String(format: "+%d %03d-%03d-%04d", 1 + next(98), next(1000), next(1000), next(10_000))
            var notes = ""
            if next(20) == 0 { notes = "\"Called on \(date), said \"\"call back\"\",\nthen left\"" }
            let line = "\(i),\(firstName),\(l),\(email),\(phone),\(date),\(countries[next(countries.count)]),\(plan),\(balance),\(notes)\n"
            out.append(contentsOf: line.utf8)
            if i % 100_000 == 0 { try emit(out); out.removeAll(keepingCapacity: true) }
        }
        if !out.isEmpty { try emit(out) }
    }

    static let schema = """
        {"name": "Customers (benchmark)", "fields": [
          {"label": "id", "key": "id", "type": "number", "validators": [{"validate": "required"}, {"validate": "unique"}]},
          {"label": "first_name", "key": "first_name", "validators": [{"validate": "required"}]},
          {"label": "last_name", "key": "last_name"},
          {"label": "email", "key": "email", "type": "email", "validators": [{"validate": "required"}, {"validate": "unique"}]},
          {"label": "phone", "key": "phone", "validators": [{"validate": "regex_match", "regex": "^\\\\+\\\\d{1,3} \\\\d{3}-\\\\d{3}-\\\\d{4}$"}]},
          {"label": "signup_date", "key": "signup_date", "type": "date", "validators": [{"validate": "required"}]},
          {"label": "country", "key": "country", "type": "select", "validators": [{"validate": "required"}], "selectOptions": [
            {"label":"US","value":"US"},{"label":"GB","value":"GB"},{"label":"DE","value":"DE"},{"label":"FR","value":"FR"},
            {"label":"ES","value":"ES"},{"label":"IT","value":"IT"},{"label":"NL","value":"NL"},{"label":"SE","value":"SE"},
            {"label":"PL","value":"PL"},{"label":"BR","value":"BR"},{"label":"MX","value":"MX"},{"label":"CA","value":"CA"},
            {"label":"AU","value":"AU"},{"label":"JP","value":"JP"},{"label":"IN","value":"IN"},{"label":"CN","value":"CN"},
            {"label":"ZA","value":"ZA"},{"label":"NG","value":"NG"},{"label":"AR","value":"AR"},{"label":"CH","value":"CH"}]},
          {"label": "plan", "key": "plan", "type": "select", "validators": [{"validate": "required"}], "selectOptions": [
            {"label":"free","value":"free"},{"label":"basic","value":"basic"},{"label":"pro","value":"pro"},{"label":"enterprise","value":"enterprise"}]},
          {"label": "balance", "key": "balance", "type": "number"},
          {"label": "notes", "key": "notes"}],
         "settings": {"importIdentifier": "Customers", "invalidDataBehavior": "REMOVE_INVALID_ROWS"}}
        """
}

@MainActor func measure(_ name: String, bytes: Int, rows: Int, _ body: () throws -> Int) rethrows {
    if let filter, !name.contains(filter) { return }
    _ = try body()  // warm-up
    var times: [Double] = []
    var checksum = 0
    for _ in 0..<samples {
        let clock = ContinuousClock()
        var result = 0
        let elapsed = try clock.measure { result = try body() }
        checksum &+= result
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    let median = times.sorted()[times.count / 2]
    let mbps = Double(bytes) / 1_048_576 / median
    print(
        String(
            format: "%-28@ median %8.3f s  %12.0f rows/s  %8.1f MB/s  (checksum %d)", name as NSString, median, Double(rows) / median, mbps,
            checksum))
}

let temp = FileManager.default.temporaryDirectory.appendingPathComponent("intake-bench-\(getpid())")
try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: temp) }
/// Writes the customers file in pieces, never held whole (a child spawned from a large process
/// is charged the parent's memory until it execs, which made `intake import` look 130 MB
/// bigger). Returns its size.
func writeCustomers(rows: Int, to path: String) throws -> Int {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var size = 0
    try Generator.write(rows: rows) { piece in
        size += piece.count
        try handle.write(contentsOf: piece)
    }
    try handle.close()
    return size
}
let csvPath = temp.appendingPathComponent("customers.csv").path
let dataBytes = try writeCustomers(rows: rows, to: csvPath)
let schemaPath = temp.appendingPathComponent("customers.json").path
try Generator.schema.write(toFile: schemaPath, atomically: true, encoding: .utf8)
print("data: \(rows) rows, \(dataBytes / 1_048_576) MB; samples: \(samples)")
print("cpu: \(cpuDescription())")

// 1. CSV parse alone: decode + tokenize, every cell visited.
try measure("csv-parse", bytes: dataBytes, rows: rows) {
    let d = try SourceDecisions.read(FileSource(path: csvPath))
    var cells = 0
    try Inspector.forEachBatch(FileSource(path: csvPath), decisions: d) { batch in cells += batch.totalCells }
    return cells
}

// 2. The whole import in-process (read, detect, map, validate, spill, write results/metadata/rejected).
// On every core, as `intake import` runs it.
let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
/// One import of `path` into a result folder thrown away: its valid rows, as the checksum.
func importOnce(_ path: String) throws -> Int {
    let schema = try SchemaLoader.load(bytes: Array(Generator.schema.utf8)).schema.unwrap()
    let out = temp.appendingPathComponent("out-\(UUID().uuidString)").path
    let folder = try ResultFolder(path: out)
    let outcome = try Importer.run(
        ImportRequest(id: "bench", schema: schema, filename: "customers.csv", workers: cores), source: FileSource(path: path),
        workspace: folder)
    folder.discard()
    return outcome.resultMetadata["num_valid_rows"]?.intValue ?? 0
}
try measure("import-in-process", bytes: dataBytes, rows: rows) { try importOnce(csvPath) }

// 2b. The same rows in other encodings, detected from the bytes and read as written, against the
// UTF-8 figures above: Windows-1252 (the Latin names as they are) and windows-1251 (Russian
// names), single-byte pages decoded through a 256-entry table on every core; Shift_JIS
// (Japanese names), decoded by iconv block by block. csv-parse and the import, as above.
struct Legacy { var name: String; var encoding: String.Encoding; var names: Generator.Names; var detected: String }
for legacy in [
    Legacy(name: "windows-1252", encoding: .windowsCP1252, names: .latin, detected: "windows-1252"),
    Legacy(name: "windows-1251", encoding: .windowsCP1251, names: .cyrillic, detected: "windows-1251"),
    Legacy(name: "shift_jis", encoding: .shiftJIS, names: .japanese, detected: "shift_jis"),
] {
    guard filter == nil || legacy.name.contains(filter!) || filter!.contains(legacy.name) else { continue }
    let path = temp.appendingPathComponent("customers-\(legacy.name).csv").path
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var size = 0
    try Generator.write(rows: rows, names: legacy.names) { piece in
        // Every character of these names is in the encoding: nothing is lost.
        let bytes = try String(decoding: piece, as: UTF8.self).data(using: legacy.encoding, allowLossyConversion: false).unwrap()
        size += bytes.count
        try handle.write(contentsOf: bytes)
    }
    try handle.close()
    let decided = try SourceDecisions.read(FileSource(path: path))
    guard decided.encoding.rawValue == legacy.detected else {
        print("\(legacy.name): detected as \(decided.encoding.rawValue); not measured")
        exit(1)
    }
    try measure("csv-parse-\(legacy.name)", bytes: size, rows: rows) {
        let d = try SourceDecisions.read(FileSource(path: path))
        var cells = 0
        try Inspector.forEachBatch(FileSource(path: path), decisions: d) { batch in cells += batch.totalCells }
        return cells
    }
    try measure("import-in-process-\(legacy.name)", bytes: size, rows: rows) { try importOnce(path) }
}

// 3. `intake import` end to end as a process: wall time and peak RSS of the child.
let intake = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("intake").path
/// A process's peak resident set (VmHWM in /proc/PID/status), in KB; 0 once it is gone.
func highWaterKB(_ pid: pid_t) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

@MainActor func measureProcess(_ name: String, input: String, rows: Int) {
    guard filter == nil || name.contains(filter!) else { return }
    var times: [Double] = []
    var peak = 0
    for _ in 0...samples {
        let out = temp.appendingPathComponent("cli-\(UUID().uuidString)").path
        let clock = ContinuousClock()
        var status: Int32 = 0
        var usage = rusage()
        var childPeak = 0
        let elapsed = clock.measure {
            var pid: pid_t = 0
            let argv = [intake, "import", input, "--schema-file", schemaPath, "--out", out]
            var cargs = argv.map { strdup($0) } + [nil]
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn(&pid, intake, &actions, nil, &cargs, environ)
            posix_spawn_file_actions_destroy(&actions)
            // Peak RSS from the child's own VmHWM, read until it exits: wait4's ru_maxrss
            // charges a spawned child with the parent's memory from before its exec.
            while wait4(pid, &status, WNOHANG, &usage) == 0 {
                childPeak = max(childPeak, highWaterKB(pid))
                usleep(5_000)
            }
            cargs.forEach { free($0) }
        }
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        peak = max(peak, childPeak)
        try? FileManager.default.removeItem(atPath: out)
    }
    times.removeFirst()  // warm-up
    let median = times.sorted()[times.count / 2]
    let bytes = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
    print(
        String(
            format: "%-28@ median %8.3f s  %12.0f rows/s  %8.1f MB/s  peak RSS %d MB", name as NSString, median,
            Double(rows) / median, Double(bytes) / 1_048_576 / median, peak / 1024))
}
measureProcess("intake-import (process)", input: csvPath, rows: rows)

// 3b. Memory as the file grows: the same import on 10x the rows (only when asked: `memory`).
if filter == "memory" {
    let bigRows = rows * 10
    let bigPath = temp.appendingPathComponent("customers-\(bigRows).csv").path
    _ = try writeCustomers(rows: bigRows, to: bigPath)
    measureProcess("memory: intake-import \(bigRows / 1_000_000)M rows", input: bigPath, rows: bigRows)
    measureProcess("memory: intake-import \(rows / 1_000_000)M rows", input: csvPath, rows: rows)
}

// 4. Workbooks: a 100,000-row XLSX of the same customers (bench/peers/gen.py xlsx, which
//    needs xlsxwriter or openpyxl), or --xlsx PATH. Read alone, the import in-process, and as a process.
if filter == nil || "xlsx".contains(filter!) || filter!.hasPrefix("xlsx") {
    var xlsxPath = xlsxOption
    if xlsxPath == nil {
        let generated = temp.appendingPathComponent("customers.xlsx").path
        let gen = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("bench/peers/gen.py").path
        if !FileManager.default.fileExists(atPath: gen) {
            FileHandle.standardError.write(Data("xlsx: skipped: \(gen) is missing; pass --xlsx PATH\n".utf8))
            if filter != nil { exit(1) }
        } else {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", gen, "xlsx", String(xlsxRows), generated]
            try? process.run()
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                xlsxPath = generated
            } else {
                print("xlsx: skipped (python3 \(gen) xlsx failed: pip install xlsxwriter, or pass --xlsx PATH)")
            }
        }
    }
    if let xlsxPath {
        let size = (try FileManager.default.attributesOfItem(atPath: xlsxPath)[.size] as? Int) ?? 0
        print("xlsx: \(xlsxPath), \(xlsxRows) rows, \(size / 1024) KB")
        try measure("xlsx-read", bytes: size, rows: xlsxRows) {
            let d = try SourceDecisions.read(FileSource(path: xlsxPath))
            var cells = 0
            try Inspector.forEachBatch(FileSource(path: xlsxPath), decisions: d) { batch in cells += batch.totalCells }
            return cells
        }
        try measure("xlsx-import-in-process", bytes: size, rows: xlsxRows) {
            let schema = try SchemaLoader.load(bytes: Array(Generator.schema.utf8)).schema.unwrap()
            let out = temp.appendingPathComponent("out-\(UUID().uuidString)").path
            let folder = try ResultFolder(path: out)
            let outcome = try Importer.run(
                ImportRequest(id: "bench", schema: schema, filename: "customers.xlsx"), source: FileSource(path: xlsxPath),
                workspace: folder)
            folder.discard()
            return outcome.resultMetadata["num_valid_rows"]?.intValue ?? 0
        }
        measureProcess("xlsx-import (process)", input: xlsxPath, rows: xlsxRows)
    }
}

extension Optional {
    func unwrap() throws -> Wrapped {
        guard let self else { throw CocoaError(.coderValueNotFound) }
        return self
    }
}

// 4. The daemon: drop-to-outbox latency and small-file throughput (DaemonBench.swift).
if filter == nil || "daemon".contains(filter!) {
    do { try DaemonBench.run() } catch {
        print("daemon benchmark failed: \(error)")
    }
}

// 5. The pairing machine alone with a large inbox: N complete files in a schema folder,
//    claimed two at a time (a busy daemon's pool), as the event loop would tick.
if filter == nil || "pairing".contains(filter!) {
    for files in [2_000, 20_000] {
        var machine = PairingMachine(settle: 0.2, uploadWindow: 1800)
        let signature = FileSignature(size: 400, mtime: 1, inode: 1)
        for i in 0..<files { machine.observe(InboxPath("f\(i).csv", folder: "customers"), signature, now: Double(i) * 1e-6) }
        for p in machine.due(now: 10) { machine.observe(p, signature, now: 10) }
        let start = DispatchTime.now().uptimeNanoseconds
        var claimed = 0, ticks = 0
        while machine.count > 0 {
            claimed += machine.tick(now: 10, capacity: 2).count
            ticks += 1
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(
            String(
                format: "pairing %6d files: %6d ticks claimed %6d in %.3f s (%.1f µs a tick)", files, ticks, claimed, seconds,
                seconds / Double(ticks) * 1e6))
    }
}

/// The CPU every figure was measured on (model, family/model, the vector extensions that matter):
/// the same commit differs by 2x between this machine kind's Intel and AMD CPUs.
func cpuDescription() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    func field(_ name: String) -> String {
        for line in info.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return "?"
    }
    let flags = Set(field("flags").split(separator: " ").map(String.init))
    let vector = ["sse4_2", "avx", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vl"].filter(flags.contains)
    return "\(field("model name")) (family \(field("cpu family")), model \(field("model"))); flags: \(vector.joined(separator: " "))"
}
