@testable import Engine
import Testing

/// Contract §11, the workbook's zip: part names as Windows tools write them, and the inflate
/// limit that tells a zip bomb from a sheet of long, repetitive strings.
struct WorkbookZipTests {
    static let schema = Schema(fields: [Field(key: "id", label: "ID", type: FieldType(.number)), Field(key: "text", label: "Text")])
    static let header =
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ID</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Text</t></is></c></row>"
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

    /// 8 MiB of spaces deflate about 1,000 to 1: in the sheet's data, after it (where the
    /// sheet's reader never looks), or in a part nothing refers to.
    @Test(arguments: ["in the data", "after the data", "in another part"])
    func aThousandfoldZipBombIsUnreadableWhereverItSits(_ place: String) throws {
        let spaces = [UInt8](repeating: 0x20, count: 8 << 20)
        let bombed = place == "in another part" ? "xl/media/padding.bin" : "xl/worksheets/sheet1.xml"
        var workbook: TestWorkbook
        switch place {
        case "in the data":
            workbook = TestWorkbook(sheet: Array((Self.open + Self.header).utf8) + spaces + Array("</sheetData></worksheet>".utf8))
        case "after the data":
            workbook = TestWorkbook(
                sheet: Array((Self.open + Self.header + Self.row(2, "Ada") + "</sheetData>").utf8) + spaces + Array("</worksheet>".utf8))
        default:
            workbook = TestWorkbook(rows: Self.header + Self.row(2, "Ada"))
            workbook.parts.append((bombed, spaces))
        }
        let inflated = try #require(workbook.parts.first { $0.name == bombed }).bytes.count
        let compressed = TestWorkbook.deflate(try #require(workbook.parts.first { $0.name == bombed }).bytes).count
        #expect(inflated / compressed > 1000)
        let run = try workbook.run(Self.schema)
        #expect(run.outcome.failure?.code == "UNREADABLE_FILE")
        #expect(
            run.outcome.failure?.message
                == "input.xlsx: the workbook part \(bombed) inflates \(inflated / compressed)× (\(inflated) bytes from \(compressed)), "
                + "past the 500× Intake allows for a part over 1 MiB (a zip bomb?); Intake refuses the file. Fix the file and drop it again."
        )
    }

    /// A real sheet of long strings inflated 121× (57 MB from 471 KB); this one, 123× (6.6 MB
    /// from 54 KB), is past the 100× and the 1 MiB floor that refused it before.
    @Test func aSheetOfLongRepetitiveStringsIsNotABomb() throws {
        let lorem = String(
            repeating:
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ",
            count: 26)
        let rows = (2...2001).map { Self.row($0, "\($0): \(lorem)") }.joined()
        let workbook = TestWorkbook(rows: Self.header + rows)
        let sheet = try #require(workbook.parts.last).bytes
        let ratio = Double(sheet.count) / Double(TestWorkbook.deflate(sheet).count)
        #expect(ratio > 120 && ratio < 130 && sheet.count > 4 << 20, "\(ratio)")
        let run = try workbook.run(Self.schema)
        #expect(run.outcome.status == .successful, "\(String(describing: run.outcome.failure))")
        #expect(run.results.hasPrefix("[\n{\"id\":2,\"text\":\"2: Lorem ipsum dolor sit amet,"))
        #expect(run.results.components(separatedBy: "\n").count == 2000 + 3)
    }
}
