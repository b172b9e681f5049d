@testable import Engine
import Foundation
import Testing

/// Contract §5, "nothing of the file is left out without a word", and §14's table-end rules:
/// every record of a file is a row or is listed in `leftOut` with its reason, on files written
/// for each class (a sparse row, notes, a title, another table), read on one thread and on two
/// in small chunks, as UTF-8 and as UTF-16 (which takes the batch path).
struct LeftOutTests {
    struct Imported {
        var status: ImportStatus
        var rows: [[String: JSONValue]]
        var metadata: JSONValue
        var resultMetadata: JSONValue

        var leftOut: [(first: Int, last: Int, reason: String)] {
            (metadata["leftOut"]?.arrayValue ?? []).map { run in
                let r = run["records"]?.arrayValue ?? []
                return (r.first?.intValue ?? -1, r.last?.intValue ?? -1, run["reason"]?.stringValue ?? "")
            }
        }
        var leftOutCount: Int { resultMetadata["num_left_out_rows"]?.intValue ?? -1 }
    }

    static func run(
        _ text: String, fields: [String], utf16: Bool = false, workers: Int = 1, chunkSize: Int = 1 << 20,
        resolution: String? = nil
    ) throws -> Imported {
        let schema = Schema(fields: fields.map { Field(key: $0) })
        var request = ImportRequest(id: "x", schema: schema, filename: "f.csv", workers: workers)
        request.chunkSize = chunkSize
        request.resolution = resolution.map { Resolution.parse(Array($0.utf8)) }
        let bytes: [UInt8] = utf16 ? [0xFF, 0xFE] + Array(text.data(using: .utf16LittleEndian)!) : Array(text.utf8)
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(request, source: MemorySource(bytes), workspace: workspace)
        let rows = try workspace.files["results.json"].map { try JSONParser.parse($0).arrayValue ?? [] } ?? []
        let metadata = try (workspace.files["metadata.json"] ?? workspace.files["report.json"]).map { try JSONParser.parse($0) } ?? .null
        return Imported(
            status: outcome.status,
            rows: rows.compactMap {
                $0.objectValue.map { Dictionary($0.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
            },
            metadata: metadata, resultMetadata: outcome.resultMetadata)
    }

    /// Records in a text: its lines (a last line without a line end counts).
    static func records(_ text: String) -> Int {
        text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0)
    }

    static let temperatures = "label,value,notes\ncelsius,22.2222,measured\nfahrenheit,72,converted\nkelvin,,\nrankine,N/A,derived\n"

    @Test func aSparseRowAndTheRowAfterItAreDataNotAnotherTable() throws {
        let r = try Self.run(Self.temperatures, fields: ["label", "value", "notes"])
        #expect(r.status == .successful)
        #expect(r.rows.map { $0["label"]?.stringValue } == ["celsius", "fahrenheit", "kelvin", "rankine"])
        #expect(r.leftOut.map(\.reason) == ["header"])
        #expect(r.leftOutCount == 1)
    }

    @Test func sparseDataRowsUnderATableAreKept() throws {
        let text =
            "country,code,y2019,y2020,y2021,y2022\nGermany,DE,1.2,1.3,1.4,1.5\nFrance,FR,2.2,2.3,2.4,2.5\nPoland,PL,(NA),(NA),(NA),(NA)\n"
        #expect(try Self.run(text, fields: ["country", "code", "y2019", "y2020", "y2021", "y2022"]).rows.count == 3)
        let cities = "name,city,zip\nAnna,Paris,75001\nBen,Lyon,69001\n,Berlin,\nCara,Rome,00118\n,Madrid,\n"
        let r = try Self.run(cities, fields: ["name", "city", "zip"])
        #expect(r.rows.map { $0["city"]?.stringValue } == ["Paris", "Lyon", "Berlin", "Rome", "Madrid"])
    }

    @Test func aFileWhoseOnlyDataRowIsSparseImportsIt() throws {
        let r = try Self.run("name,city,amount\nBerlin,,\n", fields: ["name", "city", "amount"])
        #expect(r.status == .successful)
        #expect(r.rows.count == 1)
    }

    /// A title, a blank line, the header, data, a blank line, another table, notes: every record
    /// is a row or in leftOut, with the reason for it, however the file is read.
    @Test(arguments: [(false, 1, 1 << 20), (false, 2, 64), (true, 1, 1 << 20)])
    func everyRecordIsARowOrLeftOutWithItsReason(utf16: Bool, workers: Int, chunkSize: Int) throws {
        let data = (1...30).map { "2024-01-\(String(format: "%02d", $0)),\($0 * 3),\($0).50,item \($0)" }.joined(separator: "\n")
        let text =
            "Sales report, January\n\nDate,Units,Price,Name\n" + data
            + "\n\nStore,City,Manager,Opened\nNorth,Oslo,Ann,2019\n\nSource: the shop's till\n"
        let r = try Self.run(text, fields: ["Date", "Units", "Price", "Name"], utf16: utf16, workers: workers, chunkSize: chunkSize)
        #expect(r.rows.count == 30)
        #expect(r.leftOut.map(\.reason) == ["title", "blank", "header", "blank", "another_table"])
        #expect(r.leftOut.last.map { [$0.first, $0.last] } == [34, 37])
        #expect(r.rows.count + r.leftOutCount == Self.records(text), "a record is neither a row nor left out")
        let preview = r.metadata["leftOut"]?.arrayValue?.last?["preview"]?.arrayValue?.first
        #expect(preview == .array(["Store", "City", "Manager", "Opened"]))
    }

    @Test(arguments: [(1, 1 << 20), (2, 48)])
    func notesAtTheEndAreLeftOutAsNotesAndCounted(workers: Int, chunkSize: Int) throws {
        let data = (1...20).map { "2024-02-\(String(format: "%02d", $0)),\($0),\($0).25,thing \($0)" }.joined(separator: "\n")
        let text = "Date,Units,Price,Name\n" + data + "\nSource: the shop's till,,,\n* prices include VAT,,,\n"
        let r = try Self.run(text, fields: ["Date", "Units", "Price", "Name"], workers: workers, chunkSize: chunkSize)
        #expect(r.rows.count == 20)
        #expect(r.leftOut.map(\.reason) == ["header", "notes"])
        #expect(r.leftOut.last.map { [$0.first, $0.last] } == [21, 22])
        #expect(r.rows.count + r.leftOutCount == Self.records(text))
    }

    /// Files concatenated with `cat`: the header again, then rows like the first table's. The
    /// evidence is mixed (the contract names a repeated header as a new table; the rows after it
    /// look like this one's data): a person decides, and both answers are kept to.
    @Test(arguments: [(1, 1 << 20), (2, 128)])
    func aCutThatWouldLeaveDataLikeRowsOutGoesToReview(workers: Int, chunkSize: Int) throws {
        // Past the rows where the header is looked for (two headers there would be a question for a person).
        let part = (1...30).map { "2024-03-\(String(format: "%02d", $0 % 28 + 1)),\($0),\($0).5" }.joined(separator: "\n")
        let text = "day,units,price\n" + part + "\nday,units,price\n" + part + "\n"
        let fields = ["day", "units", "price"]
        let review = try Self.run(text, fields: fields, workers: workers, chunkSize: chunkSize)
        #expect(review.status == .needsReview)
        #expect(review.metadata["reasons"] == .array(["TABLE_END"]))
        #expect(review.metadata["tableEnd"]?["record"] == .number(31))
        #expect(review.metadata["tableEnd"]?["dataLikeRowsAfter"] == .number(30))

        let cut = try Self.run(text, fields: fields, workers: workers, chunkSize: chunkSize, resolution: #"{"readToEnd": false}"#)
        #expect(cut.status == .successful)
        #expect(cut.rows.count == 30)
        #expect(cut.leftOut.map(\.reason) == ["header", "another_table"])
        #expect(cut.leftOutCount == 32)
        #expect(cut.metadata["leftOutRows"] == .number(32))

        let whole = try Self.run(text, fields: fields, workers: workers, chunkSize: chunkSize, resolution: #"{"readToEnd": true}"#)
        #expect(whole.status == .successful)
        #expect(whole.rows.count == 60)
        #expect(whole.leftOut.map { [$0.first, $0.last] } == [[0, 0], [31, 31]])
        #expect(whole.leftOut.map(\.reason) == ["header", "header"])
        #expect(whole.rows.count + whole.leftOutCount == Self.records(text))
    }
}
