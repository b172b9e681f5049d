@testable import Engine
import Testing

/// Batches processed on several threads must come out exactly as one thread writes them.
struct PipelineTests {
    static func file(rows: Int) -> [UInt8] {
        var text = "id,name,email,joined\n"
        for i in 0..<rows {
            let id = i % 997 == 5 ? 42 : i  // a few duplicate ids
            let email = i % 13 == 0 ? "broken" : "u\(i % 5000)@example.com"  // invalid and duplicate emails
            text += "\(id),\"Name \(i), \"\"x\"\"\nsecond line\",\(email),2024-0\(1 + i % 9)-1\(i % 10)\n"
        }
        return Array(text.utf8)
    }

    @Test func severalWorkersWriteTheSameBytesAsOne() throws {
        let schema = try #require(
            SchemaLoader.load(
                bytes: Array(
                    #"""
                    {"fields": [{"key": "id", "type": "number", "validators": [{"validate": "unique"}]},
                                {"key": "name", "validators": [{"validate": "required"}]},
                                {"key": "email", "type": "email", "validators": [{"validate": "unique_case_insensitive"}]},
                                {"key": "joined", "type": "date"}]}
                    """#.utf8)
            ).schema)
        let bytes = PipelineTests.file(rows: 30_000)
        var outputs: [[String: [UInt8]]] = []
        for workers in [1, 4] {
            let workspace = MemoryWorkspace()
            let request = ImportRequest(id: "p", schema: schema, filename: "p.csv", workers: workers)
            let outcome = try Importer.run(request, source: MemorySource(bytes), workspace: workspace)
            #expect(outcome.status == .successful)
            #expect(workspace.scratch.isEmpty)
            outputs.append(workspace.files)
        }
        #expect(outputs[0].keys.sorted() == ["metadata.json", "rejected.csv", "results.json"])
        for name in outputs[0].keys { #expect(outputs[0][name] == outputs[1][name], "\(name) differs") }
        let metadata = try JSONParser.parse(outputs[0]["metadata.json"]!)
        #expect(metadata["totalRows"] == 30_000)
        // Id 42 is on rows 5 (the first), 42, 1002, …; each row takes two lines, row i starts on line 2 + 2i.
        let errors = metadata["errors"]?.arrayValue ?? []
        #expect(
            errors.contains { $0["rowIndex"] == 5 && $0["fieldKey"] == "id" && $0["message"] == "Duplicate: the same value is on line 86" })
        #expect(
            errors.contains { $0["rowIndex"] == 42 && $0["fieldKey"] == "id" && $0["message"] == "Duplicate: the same value is on line 12" }
        )
        #expect(errors.contains { $0["rowIndex"] == 1002 && $0["fieldKey"] == "id" && $0["sourceRow"] == 2006 })
    }
}
