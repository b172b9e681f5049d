@testable import Engine
import Testing

/// Contract §11, dates in workbooks: the date system, ISO date cells (`t="d"`), and formats
/// that hide a part of the value (a date format over a time of day, a time format over a day),
/// on workbooks written by hand the way other tools write them.
struct WorkbookDateTests {
    static func field(_ key: String, _ kind: FieldKind, seconds: Bool = false) -> Field {
        var type = FieldType(kind)
        type.withSeconds = seconds
        return Field(key: key, label: key, type: type)
    }

    static func inline(_ ref: String, _ text: String) -> String { "<c r=\"\(ref)\" t=\"inlineStr\"><is><t>\(text)</t></is></c>" }

    /// Excel writes `<x14:workbookPr/>` or `<x15:workbookPr chartTrackingRefBase="1"/>` in the
    /// workbook's `extLst`, after the real `workbookPr`.
    @Test(arguments: [
        "<extLst><ext uri=\"{79F54976-1DA5-4618-B147-4CDE4B953A38}\" xmlns:x14=\"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main\"><x14:workbookPr/></ext></extLst>",
        "<extLst><ext uri=\"{140A7094-0E35-4892-8432-C4D2E57EDEB5}\" xmlns:x15=\"http://schemas.microsoft.com/office/spreadsheetml/2010/11/main\"><x15:workbookPr chartTrackingRefBase=\"1\"/></ext></extLst>",
    ])
    func theDateSystemOf1904HoldsPastExcelsExtensionElements(_ extensions: String) throws {
        let rows = "<row r=\"1\">\(Self.inline("A1", "Joined"))</row><row r=\"2\"><c r=\"A2\" s=\"1\"><v>42735</v></c></row>"
        let workbook = TestWorkbook(rows: rows, workbookProperties: "<workbookPr date1904=\"1\"/>", afterSheets: extensions, formats: ["yyyy-mm-dd"])
        let run = try workbook.run(Schema(fields: [Self.field("Joined", .date)]))
        #expect(run.outcome.status == .successful)
        #expect(run.results == "[\n{\"Joined\":\"2021-01-01\"}\n]\n")
    }
}
