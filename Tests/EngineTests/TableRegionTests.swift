@testable import Engine
import Testing

/// Where the table is: the header's lines, no header at all, another table after it, notes under
/// it — as `inspect --csv` shows it, so as the import reads it.
struct TableRegionTests {
    static func table(_ text: String) throws -> [[String]] { try ReadingTests.table(Array(text.utf8)) }

    static let body = (1...12).map { "2024-01-\(String(format: "%02d", $0)),\($0 * 3),\($0).50,item \($0)" }.joined(separator: "\n") + "\n"

    /// The table filter's quick answer for digits and `dddd-dd-dd` cells must be the
    /// classifier's: every string of up to 7 characters over `0 1 8 2 -`, and dates and years.
    @Test func theQuickShapeOfACellIsTheClassifiers() {
        var inputs = allStrings(over: ["0", "1", "8", "2", "-"], upTo: 7)
        inputs += [
            "1799", "1800", "2100", "2101", "0999", "2024-01-31", "2024-13-45", "2024-1-31", "20240131", "2024-01-3x",
            "-024-01-31", "123456789012345678", "1234567890123456789", " 12", "12 ", "2024/01/31",
        ]
        var different: [String] = []
        for input in inputs {
            var text = input
            text.withUTF8 { utf8 in
                let cell = UnsafeRawBufferPointer(utf8)
                let quick = TableShape.shapeAndKind(cell)
                let shape = CellShape.of(cell)
                if quick.0 != shape || quick.1 != TableShape.kind(cell, shape: shape) { different.append(input) }
            }
        }
        let count = different.count
        #expect(count == 0, "\(different.prefix(20))")
    }

    @Test func aHeaderOnTwoLinesIsJoinedPerColumn() throws {
        let rows = try Self.table("Date,Units,Price,Name\n(day),(count),(EUR),\n" + Self.body)
        #expect(rows.first == ["Date (day)", "Units (count)", "Price (EUR)", "Name"])
        #expect(rows.count == 13)
        #expect(rows[1] == ["2024-01-01", "3", "1.50", "item 1"])
    }

    @Test func aFileWithoutHeaderReadsEveryRowAsData() throws {
        let d = try Inspector.describe(MemorySource(Self.body))
        #expect(d["headerRow"] == .null)
        #expect(d["evidence"]?["header"]?["none"] == .bool(true))
        #expect(try Self.table(Self.body).count == 12)
    }

    @Test func onlyTheFirstTableIsReadAndTheEvidenceSaysWhereTheNextStarts() throws {
        let text = "Date,Units,Price,Name\n" + Self.body + "Date,Units,Price\n2024-02-01,1,2.00\n"
        let rows = try Self.table(text)
        #expect(rows.count == 13)
        let d = try Inspector.describe(MemorySource(text))
        #expect(d["evidence"]?["table"]?["endRecord"] == .number(13))
    }

    @Test func notesUnderTheTableAreLeftOutButNotesFollowedByDataAreData() throws {
        let text = "Date,Units,Price,Name\n" + Self.body + "\nSource: the shop's till,,,\n* prices include VAT,,,\n"
        let rows = try Self.table(text)
        #expect(rows.count == 13)
        #expect(rows.last == ["2024-01-12", "36", "12.50", "item 12"])
        let middle = "Date,Units,Price,Name\n2024-01-01,3,1.50,a\nwaiting for stock,,,\n2024-01-02,6,2.50,b\n2024-01-03,9,3.50,c\n"
        #expect(try Self.table(middle).count == 5)
    }

    @Test func anImportOfAFileWithoutHeaderMatchesColumnsByTheirValues() throws {
        let text = (1...10).map { "Person \($0),p\($0)@example.com,2024-01-\(String(format: "%02d", $0))" }.joined(separator: "\n")
        let schema = Schema(fields: [Field(key: "email", type: FieldType(.email)), Field(key: "joined", type: FieldType(.date))])
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: schema, filename: "h.csv"), source: MemorySource(text), workspace: workspace)
        #expect(outcome.status == .successful)
        #expect(workspace.text("results.json")?.contains("{\"email\":\"p1@example.com\",\"joined\":\"2024-01-01\"}") == true)
    }

    @Test func anEmptyFileIsAnEmptyTableToInspect() throws {
        #expect(try Self.table("").isEmpty)
        #expect(try Inspector.describe(MemorySource(""))["rows"] == .number(0))
    }
}
