@testable import Engine
import Foundation
import Testing

/// Excel's stored values as the text the mapping sees, number formats, and the limits.
struct WorkbookValueTests {
    @Test(arguments: [
        ("1234", "1234"), ("1234.0", "1234"), ("-0", "0"), ("007", "7"), ("22.222200000000001", "22.2222"),
        ("0.30000000000000004", "0.30000000000000004"), ("1E-5", "0.00001"), ("1.5E+16", "15000000000000000"),
        ("-8086931554011838000", "-8086931554011838000"), ("12.50", "12.5"), ("0.1", "0.1"), ("1e300", "1e+300"),
    ])
    func storedNumbersAreWrittenShortAndWhole(_ raw: String, _ expected: String) {
        var out: [UInt8] = []
        Array(raw.utf8).withUnsafeBytes { ExcelValue.appendNumber($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test(arguments: [
        (44197.0, CellFormat.date, false, "2021-01-01"), (42735.0, .date, true, "2021-01-01"),
        (60.0, .date, false, "1900-02-29"), (59.0, .date, false, "1900-02-28"), (61.0, .date, false, "1900-03-01"),
        (1.0, .date, false, "1900-01-01"), (44197.5, .dateTime, false, "2021-01-01T12:00:00"),
        (44197.25, .date, false, "2021-01-01T06:00:00"), (0.75, .time, false, "18:00:00"),
        (10.6320601851852, .duration, false, "255:10:10"), (0.5000001, .time, false, "12:00:00.009"),
        (44197.75, .time, false, "2021-01-01T18:00:00"), (0.75, .time, true, "18:00:00"), (1.75, .time, true, "1904-01-02T18:00:00"),
    ])
    func serialNumbersBecomeISODates(_ serial: Double, _ format: CellFormat, _ date1904: Bool, _ expected: String) {
        var out: [UInt8] = []
        #expect(ExcelValue.appendDate(serial, format: format, date1904: date1904, to: &out))
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test(arguments: [
        ("yyyy-mm-dd", CellFormat.date), ("d-mmm-yy", .date), ("[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", .date),
        ("h:mm AM/PM", .time), ("mm:ss", .time), ("[h]:mm:ss", .duration), ("yyyy-mm-dd hh:mm", .dateTime),
        ("0.00", .number), ("#,##0 \"days\"", .number), ("\"yyyy\"0", .number), ("[Red]0.00", .number),
        ("0.00E+00", .number), ("General", .number), ("[$€-407] #,##0.00", .number), ("mmm", .date),
    ])
    func numberFormatsAreClassifiedByTheirDateTokens(_ code: String, _ expected: CellFormat) {
        #expect(CellFormat.classify(code) == expected)
    }

    @Test func builtInFormatsAreDatesAndTimes() {
        #expect((14...17).allSatisfy { CellFormat.builtIn($0) == .date })
        #expect((18...21).allSatisfy { CellFormat.builtIn($0) == .time })
        #expect(CellFormat.builtIn(22) == .dateTime && CellFormat.builtIn(46) == .duration && CellFormat.builtIn(2) == .number)
    }

    @Test func theInflateBudgetStopsAWorkbookThatInflatesTooMuchInAll() throws {
        let url = FixtureTests.root.appendingPathComponent("xlsx-openpyxl/input.xlsx")
        let archive = try ZipArchive(MemorySource(try [UInt8](Data(contentsOf: url))))
        let entry = try #require(archive.entry("xl/worksheets/sheet1.xml"))
        #expect(throws: ReadError.self) { try archive.contents(entry, budget: InflateBudget(total: 100)) }
        #expect(try archive.contents(entry, budget: InflateBudget()).count == entry.size)
    }

    @Test func initialDataImportsThroughTheJSONPath() throws {
        let payload: JSONValue = [["E-mail": "a@example.com", "Name": "Ada"], ["Name": "Bob", "E-mail": "bob@"]]
        let schema = Schema(fields: [
            Field(key: "name", label: "Name"), Field(key: "email", label: "Email", type: FieldType(.email), alternateMatches: ["E-mail"]),
        ])
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "t", schema: schema, filename: "initial_data.json"),
            source: MemorySource(initialData: payload), workspace: workspace)
        #expect(outcome.status == .successful)
        #expect(
            String(decoding: workspace.files["results.json"] ?? [], as: UTF8.self)
                == "[\n{\"name\":\"Ada\",\"email\":\"a@example.com\"}\n]\n")
        let notArray = try Importer.run(
            ImportRequest(id: "t", schema: schema, filename: "initial_data.json"),
            source: MemorySource(initialData: ["Name": "Ada"]), workspace: MemoryWorkspace())
        #expect(notArray.failure?.code == "INVALID_JSON")
    }

    @Test(arguments: [("a&amp;b", "a&b"), ("x&#13;y", "x\ry"), ("l1\r\nl2\rl3", "l1\nl2\nl3"), ("&#x41;&unknown;", "A&unknown;")])
    func xmlTextIsDecodedWithItsLineEndsNormalized(_ raw: String, _ expected: String) {
        var out: [UInt8] = []
        Array(raw.utf8).withUnsafeBytes { XMLScanner.decode($0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func anEscapedCarriageReturnSurvivesItsLineEnd() throws {
        let url = WorkbookCorpusTests.corpus.appendingPathComponent("calamine/has_x000D_.xlsx")
        let rows = try WorkbookCorpusTests.rows(MemorySource(try [UInt8](Data(contentsOf: url))))
        #expect(rows.first?.cells == ["ABC\r\nDEF"])
    }

    @Test func hostileEntryNamesAreRefused() {
        for name in ["../x", "a/../../x", "/etc/passwd", "C:\\x", "a\\..\\x"] {
            #expect(throws: ReadError.self, "\(name)") { try ZipArchive.checkName(name) }
        }
        #expect(throws: Never.self) { try ZipArchive.checkName("xl/worksheets/sheet1.xml") }
    }
}
