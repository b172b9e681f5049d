import Engine
import Foundation
import Testing

/// A workbook written by openpyxl or LibreOffice imports exactly like the CSV that LibreOffice
/// exports from it (`twin.csv` beside `input.xlsx` in a fixture): the same results, the same
/// rejected rows, the same metadata but for where the rows came from. Two things differ by
/// definition and are left out of the comparison: `sourceRow` (a CSV's line, a sheet's row
/// number: a cell with a line break makes them differ) and the empty cells that end a CSV row
/// (a sheet's row ends at its last value).
struct WorkbookTwinTests {
    static var cases: [String] {
        FixtureTests.cases.filter {
            FileManager.default.fileExists(atPath: FixtureTests.root.appendingPathComponent("\($0)/twin.csv").path)
        }
    }

    static func run(_ dir: URL, input: String) throws -> [String: String] {
        let schemaBytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("schema.json")))
        let schema = try #require(SchemaLoader.load(bytes: schemaBytes).schema)
        let workspace = MemoryWorkspace()
        let request = ImportRequest(id: FixtureTests.fixedID, schema: schema, filename: "input")
        let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(input)))
        let outcome = try Importer.run(request, source: MemorySource(bytes), workspace: workspace)
        #expect(outcome.status == .successful, "\(input): \(String(describing: outcome.failure))")
        var files: [String: String] = [:]
        files["results.json"] = workspace.files["results.json"].map { String(decoding: $0, as: UTF8.self) }
        // Where the rows came from differs (format, encoding, sheet): everything else must not.
        if let metadata = workspace.files["metadata.json"], var object = try JSONParser.parse(metadata).objectValue {
            object["source"] = nil
            // A CSV's blank line is a record; a sheet's XML leaves empty rows out.
            for key in ["leftOut", "leftOutRows", "leftOutComplete"] { object[key] = nil }
            object["errors"] = .array(
                (object["errors"]?.arrayValue ?? []).map { e in
                    var e = e.objectValue ?? [:]
                    e["sourceRow"] = nil
                    return .object(e)
                })
            files["metadata.json"] = String(decoding: JSONWriter.document(.object(object)), as: UTF8.self)
        }
        files["rejected.csv"] = workspace.files["rejected.csv"].map { bytes in
            String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n").map { line in
                var fields = line.components(separatedBy: "\",\"")
                if fields.count > 1 { fields.removeFirst() }  // _sourceRow
                var joined = fields.joined(separator: "\",\"")
                while joined.hasSuffix(",\"\"") { joined.removeLast(3) }
                return joined
            }.joined(separator: "\n")
        }
        return files
    }

    @Test(arguments: WorkbookTwinTests.cases)
    func workbookReadsExactlyLikeItsCSVTwin(_ name: String) throws {
        let dir = FixtureTests.root.appendingPathComponent(name)
        let workbook = try WorkbookTwinTests.run(dir, input: "input.xlsx")
        let twin = try WorkbookTwinTests.run(dir, input: "twin.csv")
        #expect(!(workbook["results.json"] ?? "").isEmpty)
        for file in ["results.json", "rejected.csv", "metadata.json"] {
            #expect(workbook[file] == twin[file], "\(name)/\(file)")
        }
    }
}
