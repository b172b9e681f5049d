import Foundation
import Testing

/// Runs the built `intake` binary as a person or a script would, and checks exit codes,
/// stdout and the folders it leaves.
enum Intake {
    /// How long a test waits for something that must happen (a daemon's import, a webhook, the
    /// browser): a guard against a hang, sized for a loaded 2-core machine. Waits return as soon
    /// as their condition holds.
    static let patience: Double = 120

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("intake")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return packageRoot.appendingPathComponent(".build/debug/intake")
    }

    struct Result {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            code: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A fresh root with the repository's example schema.
    static func makeRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("schemas"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: packageRoot.appendingPathComponent("schemas/customers.json"),
            to: root.appendingPathComponent("schemas/customers.json"))
        return root
    }

    static func example(_ name: String) -> String { packageRoot.appendingPathComponent("examples/\(name)").path }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

@Suite(.serialized)
struct CommandTests {
    @Test func theBinaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Intake.binary.path), "build the package first: swift build")
    }

    @Test func importOfACleanFileIsSuccessfulAndPublishesOneOutboxFolder() throws {
        let root = try Intake.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try Intake.run(["import", Intake.example("customers-clean.csv"), "--schema", "customers", "--root", root.path])
        #expect(r.code == 0, "\(r.stderr)")
        let record = try Intake.json(r.stdout)
        #expect(record["status"] as? String == "SUCCESSFUL")
        let id = try #require(record["id"] as? String)
        #expect(id.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil)
        let folder = root.appendingPathComponent("outbox/\(id)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["import.json", "metadata.json", "results.json", "source"])
        let source = try Data(contentsOf: folder.appendingPathComponent("source/customers-clean.csv"))
        #expect(source == (try Data(contentsOf: URL(fileURLWithPath: Intake.example("customers-clean.csv")))))
        let results = try #require(
            JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json"))) as? [[String: Any]])
        #expect(results.count == 4)
        #expect(results[1]["country"] as? String == "GB")
        // Nothing half-built is left in .intake/work.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(".intake/work").path).isEmpty)
    }

    @Test func exitCodesSayWhatBecameOfTheImport() throws {
        let root = try Intake.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let review = root.appendingPathComponent("no-email.csv")
        try "Customer ID,First Name,Country\n1,Ada,GB\n".write(to: review, atomically: true, encoding: .utf8)
        let r3 = try Intake.run(["import", review.path, "--schema", "customers", "--root", root.path])
        #expect(r3.code == 3)
        let record = try Intake.json(r3.stdout)
        #expect(record["status"] as? String == "NEEDS_REVIEW")
        let id = try #require(record["id"] as? String)
        #expect(record["review_url"] as? String == "file://\(root.path)/review/\(id)/review.html")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("review/\(id)/report.json").path))

        let empty = root.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        let r4 = try Intake.run(["import", empty.path, "--schema", "customers", "--root", root.path])
        #expect(r4.code == 4)
        let failed = try Intake.json(r4.stdout)
        let errors = try #require(failed["import_errors"] as? [[String: String]])
        #expect(errors.first?["code"] == "EMPTY_DATA")
        let failedID = try #require(failed["id"] as? String)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("failed/\(failedID)").path).sorted() == [
                "import.json", "source",
            ])

        let missing = try Intake.run(["import", empty.path, "--schema", "nope", "--root", root.path])
        #expect(missing.code == 4)
        #expect(missing.stdout.contains("SCHEMA_NOT_FOUND"))

        try #"{"fields": [{"key": "a", "validators": [{"validate": "regex_match", "regex": "(unclosed"}]}]}"#
            .write(to: root.appendingPathComponent("schemas/broken.json"), atomically: true, encoding: .utf8)
        let broken = try Intake.run(["import", Intake.example("customers-clean.csv"), "--schema", "broken", "--root", root.path])
        #expect(broken.code == 4)
        let brokenRecord = try Intake.json(broken.stdout)
        let brokenErrors = try #require(brokenRecord["import_errors"] as? [[String: String]])
        #expect(brokenErrors.first?["code"] == "INVALID_SCHEMA")
        #expect(brokenErrors.first?["message"]?.contains("fields[0].validators[0].regex: not a valid regular expression") == true)
    }

    @Test(arguments: [
        ["import"], ["import", "a.csv"], ["import", "a.csv", "--schema", "x", "--schema-file", "y"], ["frobnicate"],
        ["import", "a.csv", "--schema"], ["inspect"], ["inspect", "a.csv", "--json", "--csv"], ["schema"], ["schema", "check"],
        ["inspect", "a.csv", "--bogus"],
    ])
    func badArgumentsExitWithTwoAndOneLine(_ arguments: [String]) throws {
        let r = try Intake.run(arguments)
        #expect(r.code == 2)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test(arguments: [["--help"], ["import", "--help"], ["inspect", "--help"], ["schema", "--help"], ["schema", "check", "--help"]])
    func everyCommandHasHelp(_ arguments: [String]) throws {
        let r = try Intake.run(arguments)
        #expect(r.code == 0)
        #expect(r.stdout.contains("intake"))
    }

    @Test func outWritesTheFolderItselfAndRefusesANonEmptyOne() throws {
        let root = try Intake.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("result")
        let r = try Intake.run([
            "import", Intake.example("customers-invalid.csv"), "--schema", "customers", "--root", root.path, "--out", out.path,
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["import.json", "metadata.json", "rejected.csv", "results.json", "source"])
        let rejected = try String(contentsOf: out.appendingPathComponent("rejected.csv"), encoding: .utf8)
        #expect(rejected.hasPrefix("\"_sourceRow\",\"_errors\",\"Customer ID\""))
        #expect(rejected.contains("\"'=1+2\""))
        let again = try Intake.run([
            "import", Intake.example("customers-invalid.csv"), "--schema", "customers", "--root", root.path, "--out", out.path,
        ])
        #expect(again.code == 2)
    }

    @Test func inspectShowsTheDecisions() throws {
        let json = try Intake.run(["inspect", Intake.example("customers-messy.csv"), "--json"])
        #expect(json.code == 0, "\(json.stderr)")
        let d = try Intake.json(json.stdout)
        #expect(d["encoding"] as? String == "windows-1252")
        #expect(d["delimiter"] as? String == ";")
        #expect(d["headerRow"] as? Int == 3)
        let columns = try #require(d["columns"] as? [[String: Any]])
        #expect(columns.count == 11)
        #expect(columns[3]["header"] as? String == "E-mail Address")
        #expect(columns[3]["type"] as? String == "email")

        let csv = try Intake.run(["inspect", Intake.example("customers-messy.csv"), "--csv"])
        #expect(csv.code == 0)
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines[0].hasPrefix("\"Cust No\",\"Frist Name\""))
        #expect(lines[1].hasPrefix("\"2001\",\"Renée\""))

        let text = try Intake.run(["inspect", Intake.example("customers-clean.csv")])
        #expect(text.stdout.contains("delimiter:  ,"))
    }

    @Test func inspectListsEveryWorkbookSheetAndReadsTheChosenOne() throws {
        let workbook = Intake.packageRoot.appendingPathComponent("Tests/Fixtures/xlsx-title-rows-hidden-sheets/input.xlsx").path
        let json = try Intake.run(["inspect", workbook, "--json"])
        #expect(json.code == 0, "\(json.stderr)")
        let d = try Intake.json(json.stdout)
        #expect(d["format"] as? String == "xlsx")
        #expect(d["sheet"] as? String == "Export")
        let sheets = try #require(d["sheets"] as? [[String: Any]])
        #expect(sheets.map { $0["name"] as? String } == ["Export", "Old", "Chart"])
        #expect(sheets.map { $0["visibility"] as? String } == ["visible", "hidden", "visible"])
        #expect(sheets.map { $0["kind"] as? String } == ["worksheet", "worksheet", "chartsheet"])
        #expect(d["headerRow"] as? Int == 3)

        let hidden = try Intake.run(["inspect", workbook, "--csv", "--sheet", "Old"])
        #expect(hidden.code == 0, "\(hidden.stderr)")
        #expect(hidden.stdout.hasPrefix("\"ID\",\"Name\",\"Zip\",\"Joined\""))
        #expect(hidden.stdout.contains("\"1\",\"Ada Lovelace\",\"02139\",\"2024-02-09\",\"1234.5\",\"TRUE\""))

        let missing = try Intake.run(["inspect", workbook, "--sheet", "Nope"])
        #expect(missing.code == 1)
        #expect(missing.stderr.contains("SHEET_NOT_CHOSEN"))

        let text = try Intake.run(["inspect", workbook])
        #expect(text.stdout.contains("* Export  [worksheet, visible]"))
    }

    @Test func schemaCheckNamesEachProblemWithItsPath() throws {
        let root = try Intake.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let bad = root.appendingPathComponent("bad.json")
        try #"{"fields": [{"key": "a", "type": "nubmer"}], "settings": {"styleOverrides": {}}}"#.write(
            to: bad, atomically: true, encoding: .utf8)
        let r = try Intake.run(["schema", "check", root.appendingPathComponent("schemas/customers.json").path, bad.path])
        #expect(r.code == 1)
        #expect(r.stdout.contains("customers.json: valid (13 fields)"))
        #expect(r.stdout.contains("fields[0].type: 'nubmer' is not a field type (did you mean 'number'?)"))
        #expect(r.stdout.contains("ignored: settings.styleOverrides"))
    }

    /// A Dromo key that can change what an import does (a JavaScript beforeFinishCallback could
    /// cancel it) is a warning with its reason; a browser-only key is a quiet line.
    @Test func schemaCheckWarnsAboutDromoKeysThatChangeAnImport() throws {
        let root = try Intake.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let schema = root.appendingPathComponent("dromo.json")
        try #"""
        {"fields": [{"key": "a", "label": "A"}], "settings": {"title": "Add", "webhookUrl": null},
         "hooks": {"beforeFinishCallback": "(data) => ({cancel: true, message: 'no'})"}}
        """#.write(to: schema, atomically: true, encoding: .utf8)
        let r = try Intake.run(["schema", "check", schema.path])
        #expect(r.code == 0)
        #expect(r.stdout.contains("dromo.json: valid (1 fields)"))
        #expect(
            r.stdout.contains("  warning: ignored: hooks.beforeFinishCallback: a JavaScript beforeFinish callback may cancel the import"))
        #expect(r.stdout.contains("  ignored: settings.title (only shapes Dromo's browser UI or its cloud)"))
        #expect(!r.stdout.contains("warning: ignored: settings.title"))
    }
}

extension TimeLimitTrait.Duration {
    /// The time limit of every test that has one: a guard against a hang, not a speed check.
    /// A test's clock runs while it waits for a thread, and on a 2-core machine the tests that
    /// block one (waitpid, usleep, a semaphore) hold back the rest: a test may wait for most of
    /// the suite before it starts. The suite took 100 s under a light load and 23 minutes under a
    /// load of 24, where 10-minute limits failed tests that had not begun.
    static var hangGuard: Self { .minutes(60) }
}
