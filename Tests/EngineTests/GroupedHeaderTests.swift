@testable import Engine
import Testing

/// Statistical tables as statistics offices publish them: a title line, a row of group labels
/// spanning the columns of their group over a row of repeated sub-labels, numbers with a space
/// between their thousands (`18 080`), a note under the table. Intake reads one header whose
/// names join the lines (`ICT goods totally Exports`) and every data row (DETECTION.md §2).
struct GroupedHeaderTests {
    /// A table written the way statistics offices write them, and what Intake must find in it.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        /// The header's records, in order.
        var headerRows: [Int]
        var names: [String]
        var dataRows: Int
        var firstRow: [String]
        /// The notes under the table, left out.
        var footer: [Int]
        /// What the evidence says about the header's lines.
        var why: String
        var testDescription: String { name }
    }

    /// `n` with `separator` between its thousands: `grouped(-18080)` is `-18 080`.
    static func grouped(_ n: Int, _ separator: String = " ") -> String {
        var digits = String(abs(n)), groups: [String] = []
        while digits.count > 3 { groups.insert(String(digits.suffix(3)), at: 0); digits.removeLast(3) }
        groups.insert(digits, at: 0)
        return (n < 0 ? "-" : "") + groups.joined(separator: separator)
    }

    static let countries = [
        "Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia", "Finland", "France", "Germany", "Greece",
    ]

    /// Issue 21's table: a title, a blank line, a group row whose first cell (`Country`) labels
    /// the first column alone, sub-labels repeated under each group, a source note.
    static let trade: Case = {
        var lines = [
            "\"Table 5. Trade in ICT goods by partner country, 2023 (thousand USD)\",,,,,,",
            ",,,,,,",
            "Country,ICT goods totally,,,Audio and video,,",
            ",Exports,Imports,Balance,Exports,Imports,Balance",
        ]
        for (i, country) in countries.enumerated() {
            let (e, m, a, v) = (18_080 + i * 7_919, 20_456 + i * 3_301, 315 + i * 977, 1_234 + i * 211)
            lines.append([country, grouped(e), grouped(m), grouped(e - m), grouped(a), grouped(v), grouped(a - v)].joined(separator: ","))
        }
        lines += [",,,,,,", "Source: national statistical office.,,,,,,"]
        return Case(
            name: "title, group row led by Country, repeated sub-labels, 18 080", text: lines.joined(separator: "\n") + "\n",
            headerRows: [2, 3],
            names: [
                "Country", "ICT goods totally Exports", "ICT goods totally Imports", "ICT goods totally Balance",
                "Audio and video Exports", "Audio and video Imports", "Audio and video Balance",
            ],
            dataRows: 12, firstRow: ["Austria", "18 080", "20 456", "-2 376", "315", "1 234", "-919"], footer: [17],
            why: "records 2–3 are one header: record 2 labels groups of columns over record 3")
    }()

    /// Issue 17's table: years as group labels, a blank line between the header's two lines,
    /// no-break spaces between thousands and decimal commas (`;`-separated).
    static let population: Case = {
        let nbsp = "\u{A0}"
        var lines = ["Resident population by state;;;;", ";;;;", ";2020;;2021;", ";;;;", "State;Number;Percent;Number;Percent"]
        let states = [
            "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida", "Georgia",
        ]
        for (i, state) in states.enumerated() {
            let (a, b) = (5_024_279 + i * 1_234_567, 5_039_877 + i * 1_234_599)
            lines.append([state, grouped(a, nbsp), "1,\(i)", grouped(b, nbsp), "1,\(i + 1)"].joined(separator: ";"))
        }
        lines += [";;;;", "Note: percent of the national total.;;;;"]
        return Case(
            name: "years over sub-labels across a blank line, 5 024 279 with no-break spaces", text: lines.joined(separator: "\n") + "\n",
            headerRows: [2, 4], names: ["State", "2020 Number", "2020 Percent", "2021 Number", "2021 Percent"],
            dataRows: 10, firstRow: ["Alabama", "5\u{A0}024\u{A0}279", "1,0", "5\u{A0}039\u{A0}877", "1,1"], footer: [16],
            why: "records 2 and 4 are one header: record 2 labels groups of columns over record 4")
    }()

    /// A title right above the group row (no blank line), the group row's first cell empty and
    /// the sub-label row's first cell `Region`, narrow no-break spaces, tab-separated.
    static let services: Case = {
        let thin = "\u{202F}"
        var lines = [
            "Exports and imports of services by region (EUR million)",
            "\tTransport\t\tTravel\t\tTelecommunications\t",
            "Region\tExports\tImports\tExports\tImports\tExports\tImports",
        ]
        for (i, region) in ["North", "North-East", "East", "South-East", "South", "South-West", "West", "North-West"].enumerated() {
            lines.append(([region] + (0..<6).map { grouped(1_000 + i * 12_345 + $0 * 4_321, thin) }).joined(separator: "\t"))
        }
        lines += ["", "Figures may not add up because of rounding."]
        return Case(
            name: "title right above the group row, Region under an empty cell, narrow no-break spaces",
            text: lines.joined(separator: "\n") + "\n",
            headerRows: [1, 2],
            names: [
                "Region", "Transport Exports", "Transport Imports", "Travel Exports", "Travel Imports",
                "Telecommunications Exports", "Telecommunications Imports",
            ],
            dataRows: 8,
            firstRow: ["North"]
                + ["1 000", "5 321", "9 642", "13 963", "18 284", "22 605"].map { $0.replacingOccurrences(of: " ", with: thin) },
            footer: [12], why: "records 1–2 are one header: record 1 labels groups of columns over record 2")
    }()

    /// The sub-labels with their units first (repeated), the words that tell them apart second.
    static let unitsFirst: Case = {
        var lines = [
            "\"Trade in goods, 2023\",,,,",
            ",Exports (thousand t),Imports (thousand t),Exports (thousand t),Imports (thousand t)",
            "Country,ICT goods,ICT goods,Audio and video,Audio and video",
        ]
        for (i, country) in countries.prefix(10).enumerated() {
            lines.append(([country] + (0..<4).map { grouped(2_500 + i * 1_111 + $0 * 6_789) }).joined(separator: ","))
        }
        return Case(
            name: "repeated sub-labels with units over a line of words", text: lines.joined(separator: "\n") + "\n",
            headerRows: [1, 2],
            names: [
                "Country", "Exports (thousand t) ICT goods", "Imports (thousand t) ICT goods",
                "Exports (thousand t) Audio and video", "Imports (thousand t) Audio and video",
            ],
            dataRows: 10, firstRow: ["Austria", "2 500", "9 289", "16 078", "22 867"], footer: [],
            why: "records 1–2 are one header: record 2 is words where the data has numbers or dates")
    }()

    static let cases = [trade, population, services, unitsFirst]

    @Test(arguments: cases)
    func theDetectorFindsOneHeaderWithJoinedNames(_ c: Case) throws {
        let d = try SourceDecisions.read(MemorySource(c.text))
        let header = HeaderDetector.detect(d.sample, fields: [], override: nil)
        #expect(header.chosen == c.headerRows.first)
        #expect(header.rows == c.headerRows)
        #expect(header.names == c.names)
        #expect(header.firstDataRecord == c.headerRows.last! + 1)
    }

    @Test(arguments: cases)
    func inspectReportsTheHeaderRecordsTheirNamesAndWhy(_ c: Case) throws {
        let d = try Inspector.describe(MemorySource(c.text))
        #expect(d["headerRow"] == .number(c.headerRows[0]))
        #expect(d["rows"] == .number(c.dataRows))
        #expect(d["evidence"]?["header"]?["rows"] == .array(c.headerRows.map { .number($0) }))
        #expect(d["evidence"]?["header"]?["names"] == .array(c.names.map { .string($0) }))
        #expect(d["columns"]?.arrayValue?.map { $0["header"] ?? .null } == c.names.map { .string($0) })
        #expect(d["evidence"]?["table"]?["footerRecords"] == .array(c.footer.map { .number($0) }))
        let notes = d["evidence"]?["notes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(notes.contains { $0.hasPrefix(c.why) }, "\(notes)")
        #expect(d["columns"]?.arrayValue?.dropFirst().allSatisfy { $0["type"] == "number" } == true)
    }

    @Test(arguments: cases)
    func theTableReadsEveryDataRowUnderTheJoinedNames(_ c: Case) throws {
        let rows = try TableRegionTests.table(c.text)
        #expect(rows.first == c.names)
        #expect(rows.count == c.dataRows + 1)
        #expect(rows.dropFirst().first == c.firstRow)
    }

    @Test(arguments: cases)
    func anImportWhoseFieldsAreTheJoinedNamesReadsEveryDataRow(_ c: Case) throws {
        let fields = c.names.enumerated().map { Field(key: "f\($0)", label: $1) }
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "g", schema: Schema(fields: fields), filename: "table.csv"),
            source: MemorySource(c.text), workspace: workspace)
        #expect(outcome.status == .successful, "\(outcome.reasons)")
        #expect(outcome.resultMetadata["num_rows"] == .number(c.dataRows))
        let first = c.firstRow.enumerated().map { "\"f\($0)\":\"\($1)\"" }.joined(separator: ",")
        #expect(workspace.text("results.json")?.contains("{\(first)}") == true)
    }

    @Test func aNoteRightAboveTheHeaderIsNoGroupRow() throws {
        var text = "Unit:,thousand USD,,\nCountry,Exports,Imports,Balance\n"
        for (i, country) in Self.countries.enumerated() {
            text += "\(country),\(Self.grouped(18_080 + i * 1_000)),\(Self.grouped(9_000 + i)),\(Self.grouped(9_080 + i * 999))\n"
        }
        let header = HeaderDetector.detect(try SourceDecisions.read(MemorySource(text)).sample, fields: [], override: nil)
        #expect(header.rows == [1])
        #expect(header.names == ["Country", "Exports", "Imports", "Balance"])
    }

    @Test(arguments: [
        ("18 080", CellShape.number), ("-2 376", .number), ("1 234 567,5", .number), ("12 345.25", .number),
        ("18\u{A0}080", .number), ("1\u{202F}234\u{202F}567", .number), ("315", .number),
        ("+44 20 7946 0958", .text), ("020 7946 0958", .text), ("1234 567", .text), ("12 34", .text), ("1 234 56", .text),
        ("2024-01-31", .date), ("2024-01-31 10:00", .date), ("31.01.2024 10:00", .date), ("31/01/2024", .date),
    ])
    func spacesBetweenThousandsMakeANumber(_ cell: String, _ shape: CellShape) {
        var cell = cell
        #expect(cell.withUTF8 { CellShape.of(UnsafeRawBufferPointer($0)) } == shape)
    }
}
