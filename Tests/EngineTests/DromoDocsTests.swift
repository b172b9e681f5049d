import Foundation
import Testing

@testable import Engine

/// Every schema and field example from Dromo's docs (`Tests/Fixtures/dromo-docs/`, written out by
/// hand, each naming its page and section), run through the schema loader as `intake schema check`
/// does and, where the docs give input and output values, through a small import. Examples that hold
/// the docs' own placeholders are listed with `skip` and checked to hold one. `docs/DROMO.md` is
/// written from `DromoDocument` below, by the same mechanism as `docs/VOCABULARY.md`.
struct DromoDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = root.appendingPathComponent("Tests/Fixtures/dromo-docs")

    static let examples: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func fixture(_ name: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: folder.appendingPathComponent(name))))
    }

    static func text(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        JSONWriter.appendCompact(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Equal as JSON: numbers by value, objects whatever their key order.
    static func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (.number(let x)?, .number(let y)?): return Decimal(string: x) == Decimal(string: y)
        case (.array(let x)?, .array(let y)?): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x)?, .object(let y)?):
            return x.entries.count == y.entries.count && x.entries.allSatisfy { same($0.value, y[$0.key]) }
        default: return a == b
        }
    }

    static func csvCell(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The schema an example stands for: its `schema`, or its `field` with a row-number column beside
    /// it (so an empty cell still makes a row) and INCLUDE_INVALID_ROWS (so every row is kept).
    static func schemaJSON(_ example: JSONValue) throws -> JSONValue {
        if let schema = example["schema"] { return schema }
        let field = try #require(example["field"], "an example has a schema or a field")
        let settings = JSONObject([("invalidDataBehavior", .string("INCLUDE_INVALID_ROWS"))])
        let row = JSONValue.object(JSONObject([("label", .string("row")), ("key", .string("row"))]))
        return .object(JSONObject([("fields", .array([field, row])), ("settings", .object(settings))]))
    }

    /// A hook program in-process: records each request line and answers the documented outputs in turn.
    final class DocumentedHook: HookRunner, HookProcess, @unchecked Sendable {
        var answers: [JSONValue]
        var requests: [JSONValue] = []
        init(answers: [JSONValue]) { self.answers = answers }
        func start(_ command: String, timeoutSeconds: Double) throws -> any HookProcess { self }
        func exchange(_ line: [UInt8]) throws -> [UInt8] {
            requests.append(try JSONParser.parse(line))
            guard !answers.isEmpty else { throw HookError("more requests than the docs answer") }
            var out: [UInt8] = []
            JSONWriter.appendCompact(answers.removeFirst(), to: &out)
            return out
        }
        func finish() throws {}
        func cancel() {}
        var stderrTail: String { "" }
    }

    static func run(
        _ schema: Schema, csv: String, hook: DocumentedHook? = nil
    ) throws -> (rows: [JSONValue], problems: [(row: Int, field: String)]) {
        let workspace = MemoryWorkspace()
        var request = ImportRequest(id: "dromo-docs", schema: schema, filename: "d.csv")
        request.hookRunner = hook
        let outcome = try Importer.run(request, source: MemorySource(csv), workspace: workspace)
        try #require(outcome.status == .successful, "\(outcome)")
        let results = try JSONParser.parse(try #require(workspace.files["results.json"]))
        let metadata = try JSONParser.parse(try #require(workspace.files["metadata.json"]))
        // Problems that make a row invalid: info and warning messages are listed too, and do not.
        let problems = (metadata["errors"]?.arrayValue ?? []).filter { ($0["level"]?.stringValue ?? "error") == "error" }.map {
            ($0["rowIndex"]?.intValue ?? -1, $0["fieldKey"]?.stringValue ?? "")
        }
        return (results.arrayValue ?? [], problems)
    }

    @Test func everyExampleIsHere() {
        // The folder is read at run time: an empty or missing folder must not pass as "all examples pass".
        #expect(Self.examples.count >= 40)
    }

    @Test(arguments: examples)
    func docExample(_ name: String) throws {
        let example = try Self.fixture(name)
        #expect(example["source"]?.stringValue?.isEmpty == false, "every example names its page and section")
        let schemaJSON = try Self.schemaJSON(example)
        if let reason = example["skip"]?.stringValue {
            // Skipped only for the docs' own placeholders, and only when the example holds one.
            #expect(reason.contains("placeholder"))
            #expect(Self.text(schemaJSON).contains("\"<"), "\(name) is skipped for a placeholder it does not hold")
            return
        }
        let report = SchemaLoader.load(schemaJSON)
        if let path = example["refused"]?.stringValue {
            #expect(report.schema == nil)
            #expect(report.problems.contains { $0.path == path }, "\(report.problems)")
            return
        }
        let schema = try #require(report.schema, "\(name): \(report.problems.map(\.description))")
        for path in example["ignored"]?.arrayValue ?? [] {
            #expect(report.ignored.contains(path.stringValue ?? ""), "\(report.ignored)")
        }
        if let cells = example["cells"]?.arrayValue {
            let field = try #require(example["field"])
            let key = try #require(field["key"]?.stringValue)
            let header = field["label"]?.stringValue ?? key
            let csv =
                ([Self.csvCell(header) + ",row"] + cells.enumerated().map { Self.csvCell($0.element.stringValue ?? "") + ",\($0.offset)" })
                .joined(separator: "\n") + "\n"
            let (rows, problems) = try Self.run(schema, csv: csv)
            let values = try #require(example["values"]?.arrayValue)
            try #require(values.count == cells.count && rows.count == cells.count, "\(rows.count) rows")
            for (i, expected) in values.enumerated() {
                let invalid = problems.contains { $0.row == i && $0.field == key }
                if expected["invalid"]?.boolValue == true {
                    #expect(invalid, "\(name): \(Self.text(cells[i])) should be an invalid cell")
                } else {
                    #expect(!invalid, "\(name): \(Self.text(cells[i])) is an invalid cell")
                    #expect(
                        Self.same(rows[i][key], expected),
                        "\(name): \(Self.text(cells[i])) → \(rows[i][key].map(Self.text) ?? "nothing"), documented \(Self.text(expected))")
                }
            }
        }
        if let csv = example["csv"]?.stringValue {
            let hook = example["hookAnswers"]?.arrayValue.map { DocumentedHook(answers: $0) }
            let (rows, problems) = try Self.run(schema, csv: csv, hook: hook)
            if let hook, let documented = example["hookRequests"] {
                // What the hook is sent is the docs' input, and it answered every documented output.
                #expect(Self.same(.array(hook.requests), documented), "\(name): the hook was sent \(Self.text(.array(hook.requests)))")
                #expect(hook.answers.isEmpty, "\(name): \(hook.answers.count) documented answers were never asked for")
            }
            if let results = example["results"] {
                #expect(Self.same(.array(rows), results), "\(name): \(Self.text(.array(rows)))")
            }
            if let invalid = example["invalidRows"]?.arrayValue {
                #expect(Set(problems.map(\.row)) == Set(invalid.compactMap(\.intValue)), "\(problems)")
            }
        }
    }

    static let document = root.appendingPathComponent("docs/DROMO.md")

    @Test func dromoDocumentMatchesTheTable() throws {
        try GeneratedDocument.check(DromoDocument.render(), at: Self.document, filter: "DromoDocs")
    }
}

/// `docs/DROMO.md`: every Dromo schema key, field type, type option, validator, setting and hook,
/// and what Intake does with it. The keys come from `SchemaLoader`'s own lists (`Vocabulary`), so a
/// key the loader learns or drops changes this document; the ignored ones carry the loader's reason.
enum DromoDocument {
    enum Status: String { case supported, ignored, different, intake = "Intake's own" }

    /// Where Intake acts on a key but not as Dromo does, and how (the decision is in CONTRACT.md).
    static let differences: [String: String] = [
        "hooks.rowHooks":
            "a program under `schemas/` (JSON on stdin and stdout), not JavaScript source; JavaScript is INVALID_SCHEMA naming the hook (§9)",
        "hooks.bulkRowHooks": "a program, not JavaScript source (§9)",
        "hooks.columnHooks": "`{\"fieldName\", \"command\"}`, a program; a JavaScript `callback` is INVALID_SCHEMA (§9)",
        "hooks.beforeFinish":
            "a program given as `beforeFinish` (Dromo's JavaScript `beforeFinishCallback` is ignored, with a warning) (§9)",
        "settings.invalidDataBehavior":
            "`INCLUDE_INVALID_ROWS_AND_VALUES` (OpenAPI enum) is read as `INCLUDE_INVALID_ROWS`; `BLOCK_SUBMIT` sends the import to review (§14)",
        "settings.autoMapHeaders":
            "remembers mappings per `importIdentifier` on this machine instead of in Dromo's cloud; off unless turned on, as in Dromo (§14)",
        "settings.matchingStep.fuzzyMatchHeaders": "`false` matches headers exactly to a label, key or alternate match (§14)",
        "settings.matchingStep.headerRowOverride": "0-based record number in the file, blank records counted (§14, rows)",
        "type.datetime":
            "a cell with an offset is written as the same instant in UTC, without an offset; Dromo converts to the browser's zone (§14)",
        "type.date": "day-month order decided once per column from its values, recorded in metadata.json `dateOrder` (§14)",
        "type.number": "a currency preset reads only its own currency (`€5` in `usd` is invalid); decimal commas by column (§14)",
        "validator.regex_match":
            "JavaScript syntax (lookahead, lookbehind, named groups, back-references, `\\p{…}` with `u`); linear in the cell except with back-references, which have a step limit past which the cell is an error saying so (§14)",
        "validator.regex_exclude": "as `regex_match` (§14)",
        "validator.unique": "compares the value written to results.json (`1` and `1.0` clash in a number field) (§14)",
        "validator.unique_case_insensitive": "as `unique`, ignoring case (§14)",
    ]
    /// Intake's own keys, beside Dromo's.
    static let intakeOwn: Set<String> = [
        "settings.managedWebhookUrl", "settings.needsReviewWebhookUrl", "settings.outputFormats", "settings.csvFormulaEscape",
        "settings.hookTimeoutSeconds", "settings.encoding", "type.number.decimalMark",
    ]

    struct Row { var key: String; var status: Status; var note: String }

    static func rows(_ known: Set<String>, _ ignored: Set<String>, at prefix: String) -> [Row] {
        let path = { (key: String) in prefix.isEmpty ? key : "\(prefix).\(key)" }
        return
            (known.map { k -> Row in
                let p = path(k)
                if intakeOwn.contains(p) { return Row(key: k, status: .intake, note: "not a Dromo setting") }
                if let how = differences[p] { return Row(key: k, status: .different, note: how) }
                return Row(key: k, status: .supported, note: "")
            }
            + ignored.map { k in
                let p = path(k)
                return Row(
                    key: k, status: .ignored,
                    note: Vocabulary.changesImport[p].map { "changes a Dromo import: \($0); warned by `schema check`" }
                        ?? Vocabulary.browserOnly)
            }).sorted { $0.key < $1.key }
    }

    static func table(_ title: String, _ rows: [Row]) -> String {
        var out = "\n## \(title)\n\n| key | status | how |\n|---|---|---|\n"
        for r in rows { out += "| `\(r.key)` | \(r.status.rawValue) | \(r.note.replacingOccurrences(of: "|", with: "\\|")) |\n" }
        return out
    }

    static var sections: [(String, [Row])] {
        var types: [Row] = FieldKind.allCases.map { k in
            let p = "type.\(k.rawValue)"
            return differences[p].map { Row(key: k.rawValue, status: .different, note: $0) }
                ?? Row(key: k.rawValue, status: .supported, note: "")
        }
        types.sort { $0.key < $1.key }
        var options: [Row] = []
        for kind in FieldKind.allCases {
            for r in rows(
                Vocabulary.typeOptions[kind] ?? [], [.number, .date, .datetime, .time].contains(kind) ? Vocabulary.typeOptionsIgnored : [],
                at: "type.\(kind.rawValue)")
            {
                options.append(Row(key: "\(kind.rawValue): \(r.key)", status: r.status, note: r.note))
            }
        }
        options.sort { $0.key < $1.key }
        let validators = Vocabulary.validators.sorted().map { v in
            differences["validator.\(v)"].map { Row(key: v, status: .different, note: $0) } ?? Row(key: v, status: .supported, note: "")
        }
        return [
            ("Schema keys", rows(Vocabulary.topLevel, Vocabulary.topLevelIgnored, at: "")),
            ("Field keys", rows(Vocabulary.field, [], at: "fields[]")),
            ("Field types", types),
            ("Type options", options),
            ("Validators", validators),
            ("Settings", rows(Vocabulary.settings, Vocabulary.settingsIgnored, at: "settings")),
            ("settings.uploadStep", rows(Vocabulary.uploadStep, Vocabulary.uploadStepIgnored, at: "settings.uploadStep")),
            ("settings.matchingStep", rows(Vocabulary.matchingStep, Vocabulary.matchingStepIgnored, at: "settings.matchingStep")),
            ("Hooks", rows(Vocabulary.hooks, Vocabulary.hooksIgnored, at: "hooks")),
        ]
    }

    static func render() -> String {
        var out = """
            # Dromo compatibility: every key and what Intake does with it

            Generated by `DromoDocsTests` (`Tests/EngineTests/DromoDocsTests.swift`) from `SchemaLoader`'s lists of the
            keys it knows and the keys it accepts and ignores, so this table cannot drift from the loader. To change it,
            change the code or the table of differences there and run `INTAKE_UPDATE_FIXTURES=1 swift test --filter DromoDocs`.

            - **supported**: acted on as Dromo's docs describe.
            - **different**: acted on, not exactly as in Dromo; how, and the section of docs/CONTRACT.md that decides it.
            - **ignored**: accepted and listed in `schema check` and `metadata.json`, with the reason. Those that change
              what a Dromo import does are warned about.
            - **Intake's own**: not in Dromo's vocabulary.

            The examples from Dromo's own docs that these keys are checked with are in `Tests/Fixtures/dromo-docs/`.
            A key that is in none of these tables is `INVALID_SCHEMA` (most often a typo), never silently dropped.

            """
        for (title, rows) in sections { out += table(title, rows) }
        return out
    }
}
