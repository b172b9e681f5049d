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
        let workbook = TestWorkbook(
            rows: rows, workbookProperties: "<workbookPr date1904=\"1\"/>", afterSheets: extensions, formats: ["yyyy-mm-dd"])
        let run = try workbook.run(Schema(fields: [Self.field("Joined", .date)]))
        #expect(run.outcome.status == .successful)
        #expect(run.results == "[\n{\"Joined\":\"2021-01-01\"}\n]\n")
    }

    @Test(arguments: [
        ("2014-02-14T08:27:48.765Z", "yyyy-mm-dd", "2014-02-14T08:27:48.765"),
        ("2014-02-14T00:00:00Z", "yyyy-mm-dd", "2014-02-14"),
        ("2014-02-14", "yyyy-mm-dd hh:mm", "2014-02-14T00:00:00"),
        ("2014-02-14T08:27:48+01:00", "General", "2014-02-14T08:27:48"),
        ("2014-02-14T23:59:59.9996", "yyyy-mm-dd", "2014-02-15"),
        ("2014-02-14T08:27:48.765Z", "h:mm AM/PM", "2014-02-14T08:27:48.765"),
        ("1899-12-30T08:27:00", "h:mm AM/PM", "08:27:00"),
        ("08:27:00", "yyyy-mm-dd", "08:27:00"),
        ("2014-02-30", "yyyy-mm-dd", "2014-02-30"),
        ("soon", "yyyy-mm-dd", "soon"),
    ])
    func anISODateCellIsWrittenAsItsSerialNumberWouldBe(_ stored: String, _ format: String, _ expected: String) throws {
        let rows = "<row r=\"1\">\(Self.inline("A1", "When"))</row><row r=\"2\"><c r=\"A2\" s=\"1\" t=\"d\"><v>\(stored)</v></c></row>"
        #expect(try TestWorkbook(rows: rows, formats: [format]).cells() == [["When"], [expected]])
    }

    @Test func anISODateCellKeepsItsTimeOfDayInResults() throws {
        let rows =
            "<row r=\"1\">\(Self.inline("A1", "When"))\(Self.inline("B1", "Day"))</row>"
            + "<row r=\"2\"><c r=\"A2\" s=\"1\" t=\"d\"><v>2014-02-14T08:27:48.765Z</v></c><c r=\"B2\" s=\"1\" t=\"d\"><v>2014-02-14T08:27:48.765Z</v></c></row>"
        let schema = Schema(fields: [Self.field("When", .datetime, seconds: true), Self.field("Day", .date)])
        let run = try TestWorkbook(rows: rows, formats: ["yyyy-mm-dd"]).run(schema)
        #expect(run.results == "[\n{\"When\":\"2014-02-14T08:27:48.765\",\"Day\":\"2014-02-14\"}\n]\n")
    }

    /// `h:mm AM/PM` and `hh:mm;@` over 2021-01-01 18:00 (serial 44197.75) and over 18:00 alone.
    @Test func aTimeFormatOverAValueWithADayKeepsTheDay() throws {
        let rows =
            "<row r=\"1\">\(Self.inline("A1", "At"))\(Self.inline("B1", "When"))</row>"
            + "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>44197.75</v></c><c r=\"B2\" s=\"1\"><v>44197.75</v></c></row>"
            + "<row r=\"3\"><c r=\"A3\" s=\"2\"><v>44197.75</v></c><c r=\"B3\" s=\"2\"><v>44197.75</v></c></row>"
            + "<row r=\"4\"><c r=\"A4\" s=\"1\"><v>0.75</v></c><c r=\"B4\" s=\"2\"><v>0.75</v></c></row>"
        let workbook = TestWorkbook(rows: rows, formats: ["h:mm AM/PM", "hh:mm;@"])
        #expect(
            try workbook.cells().dropFirst() == [
                ["2021-01-01T18:00:00", "2021-01-01T18:00:00"], ["2021-01-01T18:00:00", "2021-01-01T18:00:00"], ["18:00:00", "18:00:00"],
            ])
        // A time field takes the time, a datetime field the whole value; a time alone is no
        // date-time, so row 4 is rejected.
        let run = try workbook.run(Schema(fields: [Self.field("At", .time), Self.field("When", .datetime)]))
        #expect(
            run.results == "[\n{\"At\":\"18:00\",\"When\":\"2021-01-01T18:00\"},\n{\"At\":\"18:00\",\"When\":\"2021-01-01T18:00\"}\n]\n")
        #expect(run.outcome.status == .successful)
    }
}
