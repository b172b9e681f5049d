@testable import Engine
import Testing

/// Issue 17, class 3, and contract §14 (numbers): a `;`- or tab-delimited file from a locale
/// that writes `1.234,50` has its number columns read with `,` as the decimal mark, decided per
/// column from the sampled values before the rows are read; a value that reads as two numbers in
/// a file that never says which goes to review; thousands may be grouped with spaces anywhere.
struct DecimalMarkTests {
    // MARK: the number parser

    @Test(
        arguments: [
            // `.` as the decimal mark (the default): space-grouped thousands in groups of three.
            ("18 080", DecimalMark.point, "18080"), ("1 234 567", .point, "1234567"), ("18\u{A0}080", .point, "18080"),
            ("18\u{202F}080", .point, "18080"), ("-2 376", .point, "-2376"), ("1 234.5", .point, "1234.5"),
            ("€ 1 250", .point, "1250"), ("5 €", .point, "5"), ("1,234.50", .point, "1234.5"), ("(1 234)", .point, "-1234"),
            ("18 08", .point, nil), ("1 2345", .point, nil), ("1,234 567", .point, nil), ("12 3", .point, nil), ("0,750", .point, nil),
            ("1 234,50", .point, nil), ("18\u{A0}080 000", .point, nil),
            // `,` as the decimal mark: `.` or a space groups thousands.
            ("1234,50", .comma, "1234.5"), ("0,5", .comma, "0.5"), ("1.234,50", .comma, "1234.5"), ("1 234,50", .comma, "1234.5"),
            ("1\u{202F}234,5", .comma, "1234.5"), ("1.234", .comma, "1234"), ("1,234", .comma, "1.234"), ("-0,25", .comma, "-0.25"),
            ("12,5 €", .comma, "12.5"), ("(1.234,5)", .comma, "-1234.5"), (",5", .comma, "0.5"), ("1.234.567,89", .comma, "1234567.89"),
            ("12,5%", .comma, "12.5"), ("1,5e3", .comma, "1500"),
            ("1.5", .comma, nil), ("1,234.5", .comma, nil), ("0.750", .comma, nil), ("1.23,4", .comma, nil), (".5", .comma, nil),
        ] as [(String, DecimalMark, String?)])
    func aNumberCellReadsWithItsColumnsDecimalMark(cell: String, mark: DecimalMark, json: String?) {
        var text = cell
        let parsed = text.withUTF8 { NumberValue.parse(UnsafeRawBufferPointer($0), mark: mark) }
        #expect(parsed?.json == json, "\(cell) with \(mark.rawValue)")
    }

    // MARK: imports

    struct Imported {
        var status: ImportStatus
        var reasons: [String]
        var rows: [JSONValue]
        var document: JSONValue
        func mark(_ key: String) -> JSONValue? { document["fields"]?[key]?["decimalMark"] }
        func column(_ key: String) -> [String] {
            rows.map { row in
                var out: [UInt8] = []
                row[key].map { JSONWriter.appendCompact($0, to: &out) }
                return String(decoding: out, as: UTF8.self)
            }
        }
        var errors: [String] { (document["errors"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue } }
    }

    static func run(
        _ text: String, schema: String, resolution: String? = nil, workers: Int = 1, chunkSize: Int = 1 << 20
    ) throws -> Imported {
        let loaded = try #require(SchemaLoader.load(bytes: Array(schema.utf8)).schema)
        var request = ImportRequest(id: "x", schema: loaded, filename: "f.csv", workers: workers)
        request.chunkSize = chunkSize
        request.resolution = resolution.map { Resolution.parse(Array($0.utf8)) }
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(request, source: MemorySource(Array(text.utf8)), workspace: workspace)
        let rows = try workspace.files["results.json"].map { try JSONParser.parse($0).arrayValue ?? [] } ?? []
        let document = try (workspace.files["metadata.json"] ?? workspace.files["report.json"]).map { try JSONParser.parse($0) } ?? .null
        return Imported(status: outcome.status, reasons: outcome.reasons, rows: rows, document: document)
    }

    static func schema(_ fields: [(String, String)]) -> String {
        let list = fields.map { #"{"key": "\#($0.0)", "label": "\#($0.0)", "type": \#($0.1)}"# }.joined(separator: ", ")
        return #"{"fields": [\#(list)], "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}"#
    }

    @Test func aGermanBankExportReadsItsAmountsWithADecimalComma() throws {
        let text = """
            Buchungstag;Verwendungszweck;Betrag;Saldo
            02.01.2024;Miete Januar;-1.250,00;3.412,57
            03.01.2024;Gehalt;2.980,45;6.393,02
            05.01.2024;Bäckerei;-4,5;6.388,52
            08.01.2024;Zinsen;0,12;6.388,64

            """
        let r = try DecimalMarkTests.run(
            text, schema: DecimalMarkTests.schema([("Verwendungszweck", #""string""#), ("Betrag", #""number""#), ("Saldo", #""number""#)]))
        #expect(r.status == .successful)
        #expect(r.column("Betrag") == ["-1250", "2980.45", "-4.5", "0.12"])
        #expect(r.column("Saldo") == ["3412.57", "6393.02", "6388.52", "6388.64"])
        #expect(r.mark("Betrag")?["mark"]?.stringValue == ",")
        #expect(r.mark("Betrag")?["decidedBy"]?.stringValue == "values")
        #expect(r.mark("Betrag")?["evidence"]?["comma"]?.intValue == 4)
    }

    @Test func aFrenchStatisticsTableGroupsThousandsWithNoBreakSpaces() throws {
        let text =
            "Région;Population;Superficie (km²);Densité\n"
            + "Auvergne-Rhône-Alpes;8\u{202F}114\u{202F}361;69\u{A0}711;116,4\n"
            + "Bretagne;3\u{202F}402\u{202F}932;27\u{A0}208;125,1\n"
            + "Corse;351\u{202F}255;8\u{A0}680;40,5\n"
        let r = try DecimalMarkTests.run(
            text,
            schema: DecimalMarkTests.schema([
                ("Région", #""string""#), ("Population", #""number""#),
                ("Superficie (km²)", #""number""#), ("Densité", #""number""#),
            ]))
        #expect(r.status == .successful)
        #expect(r.column("Population") == ["8114361", "3402932", "351255"])
        #expect(r.column("Superficie (km²)") == ["69711", "27208", "8680"])
        #expect(r.column("Densité") == ["116.4", "125.1", "40.5"])
        #expect(r.mark("Densité")?["mark"]?.stringValue == ",")
        // Space-grouped integers read alike with either mark: nothing to decide.
        #expect(r.mark("Population")?["decidedBy"]?.stringValue == "default")
    }

    @Test func aDutchInvoiceListInTabsWithThousandsOnlyTakesTheMarkOfTheFile() throws {
        // `Aantal` holds only `1.250`-like values (thousands or decimals?); `Bedrag` settles the file.
        let text = "Factuur\tAantal\tBedrag\n2024-001\t1.250\t€ 1.250,00\n2024-002\t3.000\t€ 89,95\n2024-003\t12\t€ 12.500,50\n"
        let r = try DecimalMarkTests.run(
            text, schema: DecimalMarkTests.schema([("Factuur", #""string""#), ("Aantal", #""number""#), ("Bedrag", #""number""#)]))
        #expect(r.status == .successful)
        #expect(r.column("Aantal") == ["1250", "3000", "12"])
        #expect(r.column("Bedrag") == ["1250", "89.95", "12500.5"])
        #expect(r.mark("Aantal")?["decidedBy"]?.stringValue == "file")
    }

    @Test func aColumnOfThousandsWithADotAndNothingElseToGoByGoesToReview() throws {
        let text = "Artikel;Menge\nSchrauben;1.250\nMuttern;3.000\nScheiben;12\n"
        let schema = DecimalMarkTests.schema([("Artikel", #""string""#), ("Menge", #""number""#)])
        let r = try DecimalMarkTests.run(text, schema: schema)
        #expect(r.status == .needsReview)
        #expect(r.reasons == ["DECIMAL_MARK"])
        let message = r.document["messages"]?.arrayValue?.first?.stringValue ?? ""
        #expect(message.contains("\"1.250\", which is 1.25 with \".\" as the decimal mark and 1250 with \",\""))
        let offered = r.document["decimalMarks"]?.arrayValue?.first
        #expect(offered?["field"]?.stringValue == "Menge")
        #expect(offered?["point"]?.stringValue == "1.25")
        #expect(offered?["comma"]?.stringValue == "1250")
        // A person says which: in resolution.json, or in the schema.
        let resolved = try DecimalMarkTests.run(text, schema: schema, resolution: #"{"decimalMarks": {"Menge": ","}}"#)
        #expect(resolved.status == .successful)
        #expect(resolved.column("Menge") == ["1250", "3000", "12"])
        #expect(resolved.mark("Menge")?["decidedBy"]?.stringValue == "resolution")
        let fromSchema = try DecimalMarkTests.run(
            text, schema: DecimalMarkTests.schema([("Artikel", #""string""#), ("Menge", #"["number", {"decimalMark": "."}]"#)]))
        #expect(fromSchema.status == .successful)
        #expect(fromSchema.column("Menge") == ["1.25", "3", "12"])
        #expect(fromSchema.mark("Menge")?["decidedBy"]?.stringValue == "schema")
        let wrongKey = try DecimalMarkTests.run(text, schema: schema, resolution: #"{"decimalMarks": {"Artikel": ","}}"#)
        #expect(wrongKey.reasons.contains("RESOLUTION_NOT_APPLIED"))
    }

    @Test func aMixedColumnKeepsTheMarkMostValuesNeedAndTheOthersAreInvalid() throws {
        let text = "Name;Wert\na;1,5\nb;2,25\nc;3.75\nd;10\n"
        let r = try DecimalMarkTests.run(text, schema: DecimalMarkTests.schema([("Name", #""string""#), ("Wert", #""number""#)]))
        #expect(r.status == .successful)
        #expect(r.column("Wert") == ["1.5", "2.25", "\"3.75\"", "10"])
        #expect(r.errors == [#"Not a valid number with "," as the decimal mark (the field's decimalMark "." would read it)"#])
        #expect(r.mark("Wert")?["evidence"]?["point"]?.intValue == 1)
    }

    @Test func aSemicolonFileWithDecimalPointsIsReadAsBefore() throws {
        let text = "sku;price;stock\nA-1;1,234.50;1,200\nA-2;0.99;15\nA-3;12.00;3\n"
        let r = try DecimalMarkTests.run(
            text, schema: DecimalMarkTests.schema([("sku", #""string""#), ("price", #""number""#), ("stock", #""number""#)]))
        #expect(r.status == .successful)
        #expect(r.column("price") == ["1234.5", "0.99", "12"])
        #expect(r.column("stock") == ["1200", "15", "3"])
        #expect(r.mark("price")?["mark"]?.stringValue == ".")
        #expect(r.mark("stock")?["decidedBy"]?.stringValue == "file")
    }

    @Test func inACommaDelimitedFileACommaIsNeverADecimalMarkUnlessTheSchemaSaysSo() throws {
        let text = "name,amount\na,\"1,234\"\nb,\"1,5\"\nc,18 080\nd,18 08\n"
        let r = try DecimalMarkTests.run(text, schema: DecimalMarkTests.schema([("name", #""string""#), ("amount", #""number""#)]))
        #expect(r.column("amount") == ["1234", "\"1,5\"", "18080", "\"18 08\""])
        #expect(r.mark("amount")?["decidedBy"]?.stringValue == "delimiter")
        let told = try DecimalMarkTests.run(
            text, schema: DecimalMarkTests.schema([("name", #""string""#), ("amount", #"["number", {"decimalMark": ","}]"#)]))
        #expect(told.column("amount") == ["1.234", "1.5", "18080", "\"18 08\""])
    }

    @Test func aWrongDecimalMarkInTheSchemaIsAnError() {
        let report = SchemaLoader.load(bytes: Array(DecimalMarkTests.schema([("n", #"["number", {"decimalMark": "comma"}]"#)]).utf8))
        #expect(report.schema == nil)
        #expect(report.problems.map(\.path) == ["fields[0].type[1].decimalMark"])
    }

    @Test func theDecisionIsTakenBeforeTheRowsSoChunksOnTwoThreadsReadAlike() throws {
        var text = "Konto;Betrag\n"
        func three(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
        for i in 0..<6_000 {
            text += "DE\(i);\(i % 7 == 0 ? "-" : "")\(i / 1000 + 1).\(three(i % 1000)),\(i % 100 < 10 ? "0" : "")\(i % 100)\n"
        }
        let schema = DecimalMarkTests.schema([("Konto", #""string""#), ("Betrag", #""number""#)])
        let one = try DecimalMarkTests.run(text, schema: schema)
        let chunks = try DecimalMarkTests.run(text, schema: schema, workers: 2, chunkSize: 4_096)
        #expect(one.status == .successful)
        #expect(one.rows.count == 6_000)
        #expect(one.errors.count == 0)
        #expect(one.column("Betrag")[5_001] == "6001.01")
        #expect(one.rows == chunks.rows)
    }

    @Test func inspectShowsEachNumberColumnsDecimalMarkWithItsEvidence() throws {
        let text = "Datum;Betrag;Menge\n02.01.2024;-1.250,00;1.000\n03.01.2024;2.980,45;2.500\n"
        let d = try Inspector.describe(MemorySource(Array(text.utf8)))
        let marks = d["evidence"]?["decimalMarks"]?.arrayValue ?? []
        #expect(marks.map { $0["column"]?.intValue ?? -1 } == [1, 2])
        #expect(marks.map { $0["mark"]?.stringValue ?? "" } == [",", ","])
        #expect(marks.map { $0["decidedBy"]?.stringValue ?? "" } == ["values", "file"])
        let notes = (d["evidence"]?["notes"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(notes.contains { $0.hasPrefix("column 1 (Betrag) reads \",\" as the decimal mark") })
    }
}
