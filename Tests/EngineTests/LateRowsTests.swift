import Foundation
import Testing

@testable import Engine

/// Rows that turn invalid at the end (duplicates) are read again for rejected.csv and the
/// error list: from the source by their spans (CSV), or from the rows' own text the writer
/// kept (workbooks, JSON), never by reading the whole workbook again. Either way the same
/// files: the workbook and its CSV twin give the same rejected rows and error values.
struct LateRowsTests {
    static let schema = #"""
        {"fields": [{"key": "email", "label": "Email", "validators": [{"validate": "unique"}]},
                    {"key": "name", "label": "Name"}, {"key": "note", "label": "Note"}],
         "settings": {"invalidDataBehavior": "REMOVE_INVALID_ROWS"}}
        """#

    /// 300 rows; every 7th repeats an earlier e-mail; cells with commas, quotes, line breaks, spaces.
    static let rows: [[String]] = (0..<300).map { i in
        let email = i % 7 == 6 ? "p\(i - 3)@example.com" : "p\(i)@example.com"
        return [email, "Name, \"\(i)\"", i % 5 == 0 ? "two\nlines" : "  spaced \(i) "]
    }

    static func run(_ source: MemorySource) throws -> MemoryWorkspace {
        let schema = try #require(SchemaLoader.load(bytes: Array(schema.utf8)).schema)
        let workspace = MemoryWorkspace()
        var request = ImportRequest(id: "late", schema: schema, filename: "input", workers: 2)
        request.chunkSize = 4 << 10
        let outcome = try Importer.run(request, source: source, workspace: workspace)
        #expect(outcome.status == .successful, "\(String(describing: outcome.failure))")
        return workspace
    }

    static func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: "\"", with: "&quot;")
    }

    @Test func aWorkbookAndItsCSVTwinRejectTheSameDuplicatesWithTheirValues() throws {
        let header = ["Email", "Name", "Note"]
        let columns = ["A", "B", "C"]
        var xml = ""
        for (r, row) in ([header] + Self.rows).enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, cell) in row.enumerated() {
                xml += "<c r=\"\(columns[c])\(r + 1)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escaped(cell))</t></is></c>"
            }
            xml += "</row>"
        }
        let workbook = try Self.run(MemorySource(TestWorkbook(rows: xml).zipped))
        let csv =
            ([header] + Self.rows).map { $0.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
        let twin = try Self.run(MemorySource(Array(csv.utf8)))

        #expect(workbook.files["results.json"] == twin.files["results.json"])
        // rejected.csv: the same rows and cells; `_sourceRow` and the line a duplicate names are
        // lines in the CSV (line breaks inside cells move them) and row numbers in the sheet.
        func rejected(_ w: MemoryWorkspace) throws -> [String] {
            let text = String(decoding: try #require(w.files["rejected.csv"]), as: UTF8.self)
            return text.components(separatedBy: "\r\n").map {
                $0.replacing(/^"\d+",/, with: "").replacing(/on line \d+/, with: "on line N")
            }
        }
        let fromWorkbook = try rejected(workbook)
        let fromTwin = try rejected(twin)
        #expect(fromWorkbook == fromTwin, "\(zip(fromWorkbook, fromTwin).filter { $0 != $1 }.prefix(3))")
        // Both rows of each duplicate pair (42 pairs), with their cells as written.
        #expect(fromWorkbook.filter { $0.contains("@example.com") }.count == 84)
        #expect(fromWorkbook.contains { $0.contains("\"p3@example.com\",\"Name, \"\"6\"\"\"") })
        func values(_ w: MemoryWorkspace) throws -> [String] {
            let metadata = try JSONParser.parse(try #require(w.files["metadata.json"]))
            return (metadata["errors"]?.arrayValue ?? []).map { "\($0["rowIndex"]?.intValue ?? -1) \($0["value"]?.stringValue ?? "-")" }
        }
        #expect(try values(workbook) == (try values(twin)))
        #expect(try values(workbook).contains("6 p3@example.com"))
    }
}
