import Foundation
import Testing
@testable import Engine

/// Every type and validator, run through a real import (CSV in, `results.json` and
/// `metadata.json` out), and `docs/VOCABULARY.md` written from the same tables.
struct VocabularyTests {
    /// Imports `csv` with `fields` (INCLUDE_INVALID_ROWS, so every row is kept) and returns the
    /// rows' JSON objects and the problems as `rowIndex fieldKey: message`.
    static func run(fields: String, csv: String) throws -> (rows: [JSONValue], problems: [String]) {
        let schemaJSON = #"{"fields": \#(fields), "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}"#
        let report = SchemaLoader.load(bytes: Array(schemaJSON.utf8))
        let schema = try #require(report.schema, "\(report.problems)")
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "v", schema: schema, filename: "v.csv"), source: MemorySource(csv), workspace: workspace)
        try #require(outcome.status == .successful, "\(outcome)")
        let results = try JSONParser.parse(try #require(workspace.files["results.json"]))
        let metadata = try JSONParser.parse(try #require(workspace.files["metadata.json"]))
        let problems = (metadata["errors"]?.arrayValue ?? []).map { e in
            let level = e["level"]?.stringValue.map { " (\($0))" } ?? ""
            return "\(e["rowIndex"]?.intValue ?? -1) \(e["fieldKey"]?.stringValue ?? ""): \(e["message"]?.stringValue ?? "")\(level)"
        }
        return (results.arrayValue ?? [], problems)
    }

    /// What one cell of a type becomes: its JSON, or `✗ message`.
    static func outcome(_ example: TypeExample) throws -> String {
        let quoted = "\"" + example.input.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let (rows, problems) = try run(fields: #"[{"key": "v", \#(example.field)}, {"key": "row"}]"#, csv: "v,row\n\(quoted),1\n")
        if let problem = problems.first { return "✗ " + problem.drop { $0 != ":" }.dropFirst(2) }
        var out: [UInt8] = []
        JSONWriter.appendCompact(rows.first?["v"] ?? .null, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: VocabularyCases.types)
    func typeReadsTheCellAsDocumented(_ example: TypeExample) throws {
        #expect(try VocabularyTests.outcome(example) == example.expected)
    }

    @Test(arguments: VocabularyCases.validators)
    func validatorReportsTheDocumentedProblems(_ example: ValidatorExample) throws {
        #expect(try VocabularyTests.run(fields: example.fields, csv: example.csv).problems == example.expected)
    }

    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/VOCABULARY.md")

    @Test func vocabularyDocumentMatchesTheExamples() throws {
        try GeneratedDocument.check(VocabularyDocument.render(), at: VocabularyTests.document, filter: "Vocabulary")
    }
}

/// The one way a document under `docs/` is generated from test tables: compared with the file, or
/// written when `INTAKE_UPDATE_FIXTURES=1` (`docs/VOCABULARY.md`, `docs/DROMO.md`).
enum GeneratedDocument {
    static func check(_ text: String, at url: URL, filter: String) throws {
        if ProcessInfo.processInfo.environment["INTAKE_UPDATE_FIXTURES"] == "1" {
            try Data(text.utf8).write(to: url)
            return
        }
        let current = try String(contentsOf: url, encoding: .utf8)
        #expect(
            current == text,
            "docs/\(url.lastPathComponent) is out of date: run INTAKE_UPDATE_FIXTURES=1 swift test --filter \(filter)")
    }
}

/// `docs/VOCABULARY.md`, from `VocabularyCases`.
enum VocabularyDocument {
    static func cell(_ s: String) -> String {
        if s.isEmpty { return "*(empty)*" }
        let escaped = s.replacingOccurrences(of: "|", with: "\\|")
        return escaped.hasPrefix("✗ ") ? "✗ " + escaped.dropFirst(2) : "`" + escaped.replacingOccurrences(of: "`", with: "'") + "`"
    }

    static func render() -> String {
        var out = """
            # Vocabulary: every type and validator by example

            Generated from `Tests/EngineTests/Vocabulary/VocabularyCases.swift` by `VocabularyTests`, which also runs
            every example through a real import: the tables cannot drift from the code. To change this file, change
            the cases and run `INTAKE_UPDATE_FIXTURES=1 swift test --filter Vocabulary`.

            A value is what `results.json` holds for the cell; ✗ marks an invalid cell, with the message listed in
            `metadata.json` (with `INCLUDE_INVALID_ROWS` the cell's text is kept as a string). Every type but `string`
            reads the cell with surrounding spaces removed; an empty cell is `null` (`false` for a checkbox). The
            decisions behind each type are in docs/CONTRACT.md §14.

            ## Types

            """
        var section = ""
        for e in VocabularyCases.types {
            if e.section != section {
                section = e.section
                out += "\n### \(section)\n\n`{\(e.field)}`\n\n| cell | value |\n|---|---|\n"
            }
            out += "| \(cell(e.input)) | \(cell(e.expected)) |\n"
        }
        out +=
            "\n## Validators\n\nEach example is a whole file (header, then rows from `rowIndex` 0) and the problems it gets, as `rowIndex field: message`.\n"
        for v in VocabularyCases.validators {
            out += "\n### \(v.section)\n\n```json\n\(v.fields)\n```\n\n```csv\n\(v.csv)```\n\n"
            out += v.expected.isEmpty ? "No problems.\n" : v.expected.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return out
    }
}
