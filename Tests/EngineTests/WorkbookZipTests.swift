@testable import Engine
import Testing

/// Contract §11, the workbook's zip: part names as Windows tools write them.
struct WorkbookZipTests {
    static let schema = Schema(fields: [Field(key: "id", label: "ID", type: FieldType(.number)), Field(key: "text", label: "Text")])
    static let header = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ID</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Text</t></is></c></row>"
    static let open = "<?xml version=\"1.0\"?><worksheet xmlns=\"\(TestWorkbook.main)\"><sheetData>"

    static func row(_ n: Int, _ text: String) -> String {
        "<row r=\"\(n)\"><c r=\"A\(n)\"><v>\(n)</v></c><c r=\"B\(n)\" t=\"inlineStr\"><is><t>\(text)</t></is></c></row>"
    }

    @Test func partNamesWrittenWithBackslashesAreRead() throws {
        let workbook = TestWorkbook(rows: Self.header + Self.row(2, "Ada")).withBackslashNames
        #expect(workbook.parts.map(\.name).contains("xl\\workbook.xml"))
        let run = try workbook.run(Self.schema)
        #expect(run.outcome.status == .successful, "\(String(describing: run.outcome.failure))")
        #expect(run.results == "[\n{\"id\":2,\"text\":\"Ada\"}\n]\n")
    }
}
