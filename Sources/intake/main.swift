import Engine
import Foundation
import Glibc
import Watcher

/// The command line: parse arguments, wire things up, exit codes (contract §13). Thin.
enum Exit {
    static let ok: Int32 = 0
    static let problem: Int32 = 1
    static let usage: Int32 = 2
    static let needsReview: Int32 = 3
    static let failed: Int32 = 4
}

struct UsageError: Error { let message: String }

/// Options of one command: `--name value` and `--flag`, plus positional arguments.
struct Arguments {
    var positional: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ args: ArraySlice<String>, valued: Set<String>, flags allowedFlags: Set<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            if a.hasPrefix("--") {
                var name = String(a.dropFirst(2))
                var inline: String?
                if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
                if valued.contains(name) {
                    if let inline {
                        values[name] = inline
                    } else {
                        guard i + 1 < args.endIndex else { throw UsageError(message: "--\(name) needs a value") }
                        i += 1
                        values[name] = args[i]
                    }
                } else if allowedFlags.contains(name) || name == "help" {
                    flags.insert(name)
                } else {
                    throw UsageError(message: "unknown option --\(name)")
                }
            } else {
                positional.append(a)
            }
            i += 1
        }
    }
}

let usage = """
    intake — a headless spreadsheet importer that lives in folders

    usage:
      intake watch   [--root DIR] [--once] [--poll SECONDS] [--settle MS] [--rescan SECONDS]
                     [--upload-window SECONDS] [--workers N]
      intake status  [ID] [--root DIR] [--json]
      intake import  FILE (--schema ID | --schema-file PATH) [--root DIR] [--out DIR]
      intake inspect FILE [--json | --csv] [--sheet NAME]
      intake resolve ID --resolution FILE [--root DIR]
      intake schema check PATH...

    Run `intake COMMAND --help` for a command's options. Exit codes: 0 done (SUCCESSFUL),
    2 bad arguments, 3 NEEDS_REVIEW, 4 FAILED, 1 other problems.
    """

let helps: [String: String] = [
    "import": """
    intake import FILE (--schema ID | --schema-file PATH) [--root DIR] [--out DIR]

    Runs one import in the foreground and writes the result folder the daemon would:
    ROOT/outbox|review|failed/<id>/, or DIR itself with --out (created; refused if it
    exists and is not empty). --schema ID reads ROOT/schemas/ID.json. Prints import.json.
    Exit: 0 SUCCESSFUL, 3 NEEDS_REVIEW, 4 FAILED, 2 bad arguments.
      --root DIR   the Intake root (default: the current directory)
    """,
    "inspect": """
    intake inspect FILE [--json | --csv] [--sheet NAME]

    Shows what Intake reads in FILE, without a schema: format, encoding, delimiter, quote,
    the header row, each column and the type its values look like, and a preview.
      --json   one JSON object (format, encoding, delimiter, quote, escape, sheets, sheet,
               headerRow, columns, rows, evidence, preview)
      --csv    the table as Intake reads it: header then data rows, every field quoted
      --sheet  the sheet of a workbook to read (default: the only one with data, else the first)
    """,
    "schema": """
    intake schema check PATH...

    Checks Dromo saved schemas: prints each problem with its JSON path, and the Dromo keys
    that are accepted but ignored, each with the reason; a key that can change what an import
    does in Dromo (a JavaScript hook, initialData, …) is a "warning: ignored:" line.
    Exit: 0 when every schema is valid, 1 when one is not, 2 bad arguments.
    """,
]

func printError(_ text: String) {
    FileHandleOut.stderr(text + "\n")
}

enum FileHandleOut {
    static func stdout(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + offset, bytes.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; exit(Exit.problem) }
            offset += n
        }
    }
    static func stdout(_ text: String) { stdout(Array(text.utf8)) }
    static func stderr(_ text: String) { let b = Array(text.utf8); _ = b.withUnsafeBytes { write(2, $0.baseAddress, b.count) } }
}

func runImport(_ args: ArraySlice<String>) throws -> Int32 {
    let a = try Arguments(args, valued: ["schema", "schema-file", "root", "out"], flags: [])
    if a.flags.contains("help") { print(helps["import"]!); return Exit.ok }
    guard a.positional.count == 1 else { throw UsageError(message: "import takes one FILE") }
    let file = a.positional[0]
    let root = a.values["root"] ?? "."
    let schemaID = a.values["schema"]
    guard (schemaID == nil) != (a.values["schema-file"] == nil) else {
        throw UsageError(message: "give one of --schema ID or --schema-file PATH")
    }
    guard Paths.exists(file) else { throw UsageError(message: "no such file: \(file)") }
    let schema = schemaID.map { SchemaSource(root: root).saved($0) } ?? SchemaSource.file(a.values["schema-file"]!)
    let name = file.split(separator: "/").last.map(String.init) ?? file
    var job = ImportJob(schemaID: schemaID, schema: schema, sourcePath: file, originalFilename: name)
    job.memory = MappingMemory(layout: RootLayout(root: root))
    // Hooks are found in schemas/, or beside a schema given by its path.
    job.hooksDirectory = a.values["schema-file"].map { Paths.parent($0) } ?? "\(root)/schemas"
    let terminal = isatty(2) != 0
    if terminal { job.progress = { rows in FileHandleOut.stderr("\r\(name): \(rows) rows read…") } }
    let started = Date.now
    let record: ImportRecord
    if let out = a.values["out"] {
        if Paths.exists(out) {
            guard Paths.isDirectory(out), Paths.list(out).isEmpty else {
                throw UsageError(message: "--out \(out) exists and is not an empty folder")
            }
            rmdir(out)
        }
        let build = TempName.beside(out, owner: job.id)
        record = try ImportRunner.run(job, buildPath: build) { _ in out }
    } else {
        try Paths.makeDirectories("\(root)/.intake/work")
        record = try ImportRunner.run(job, buildPath: "\(root)/.intake/work/\(job.id)") { status in
            let folder = status == .successful ? "outbox" : status == .needsReview ? "review" : "failed"
            return "\(root)/\(folder)/\(job.id)"
        }
    }
    if terminal {
        FileHandleOut.stderr("\r")
        let rows = record.resultMetadata["num_rows"]?.intValue.map { " rows=\($0)" } ?? ""
        printError("\(record.status.rawValue) \(name)\(rows) in \(Int(Date.now.timeIntervalSince(started) * 1000)) ms")
    }
    FileHandleOut.stdout(JSONWriter.document(record.json))
    // The webhook (contract §10): one attempt now; a failed one waits in ROOT/.intake/webhooks/
    // for `intake watch` on that root to try again.
    let webhooks = WebhookQueue(
        layout: RootLayout(root: root), policy: WebhookPolicy.fromEnvironment(), log: EventLog(fd: 2, minimum: .warn))
    if (try? webhooks.enqueue(record, to: job.webhooks, tag: job.id)) == true { webhooks.deliverDue(tag: job.id) }
    switch record.status {
    case .successful: return Exit.ok
    case .needsReview: return Exit.needsReview
    default: return Exit.failed
    }
}

func runInspect(_ args: ArraySlice<String>) throws -> Int32 {
    let a = try Arguments(args, valued: ["sheet"], flags: ["json", "csv"])
    if a.flags.contains("help") { print(helps["inspect"]!); return Exit.ok }
    guard a.positional.count == 1 else { throw UsageError(message: "inspect takes one FILE") }
    guard !(a.flags.contains("json") && a.flags.contains("csv")) else { throw UsageError(message: "give --json or --csv, not both") }
    let source: FileSource
    do { source = try FileSource(path: a.positional[0]) } catch {
        throw UsageError(message: "\(a.positional[0]): \(error)")
    }
    do {
        if a.flags.contains("csv") {
            try Inspector.writeCSV(source, sheet: a.values["sheet"]) { FileHandleOut.stdout($0) }
            return Exit.ok
        }
        let description = try Inspector.describe(source, sheet: a.values["sheet"])
        if a.flags.contains("json") {
            FileHandleOut.stdout(JSONWriter.document(description))
        } else {
            FileHandleOut.stdout(InspectText.render(description))
        }
        return Exit.ok
    } catch let failure as ImportFailure {
        printError("\(a.positional[0]): \(failure.code): \(failure.message)")
        return Exit.problem
    } catch let e as ReadError {
        printError("\(a.positional[0]): UNREADABLE_FILE: \(e.message)")
        return Exit.problem
    }
}

func runSchema(_ args: ArraySlice<String>) throws -> Int32 {
    guard let verb = args.first, verb == "check" || verb == "--help" else {
        throw UsageError(message: "usage: intake schema check PATH...")
    }
    let a = try Arguments(args.dropFirst(), valued: [], flags: [])
    if verb == "--help" || a.flags.contains("help") { print(helps["schema"]!); return Exit.ok }
    guard !a.positional.isEmpty else { throw UsageError(message: "schema check takes one or more PATHs") }
    var allValid = true
    for path in a.positional {
        let bytes: [UInt8]
        do { bytes = try Paths.readFile(path) } catch {
            print("\(path): cannot be read: \(error)")
            allValid = false
            continue
        }
        let report = SchemaLoader.load(bytes: bytes)
        if let schema = report.schema {
            print("\(path): valid (\(schema.fields.count) fields)")
        } else {
            allValid = false
            print("\(path): \(report.problems.count) problem(s)")
            for p in report.problems { print("  \(p)") }
        }
        for key in report.ignoredKeys {
            // A key that changes what an import does in Dromo is a warning: the import here differs.
            print(key.changesImport ? "  warning: ignored: \(key.path): \(key.reason)" : "  ignored: \(key.path) (\(key.reason))")
        }
    }
    return allValid ? Exit.ok : Exit.problem
}

let argv = CommandLine.arguments
let code: Int32
do {
    guard argv.count >= 2 else { throw UsageError(message: "a command is needed") }
    switch argv[1] {
    case "watch": code = try runWatch(argv.dropFirst(2))
    case "status": code = try runStatus(argv.dropFirst(2))
    case "import": code = try runImport(argv.dropFirst(2))
    case "inspect": code = try runInspect(argv.dropFirst(2))
    case "schema": code = try runSchema(argv.dropFirst(2))
    case "resolve": code = try runResolve(argv.dropFirst(2))
    case "--help", "-h", "help": print(usage); code = Exit.ok
    default: throw UsageError(message: "unknown command '\(argv[1])'")
    }
} catch let e as UsageError {
    printError("intake: \(e.message) (see intake --help)")
    code = Exit.usage
} catch {
    printError("intake: \(error)")
    code = Exit.problem
}
exit(code)
