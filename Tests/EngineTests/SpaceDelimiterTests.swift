@testable import Engine
import Testing

/// Issue 17: a space is a delimiter only when the pieces it makes are columns — some column
/// holds numbers or dates in nearly every row. A one-column list whose values hold spaces and
/// end in a number is one column, not a table of name fragments.
struct SpaceDelimiterTests {
    static let painters = """
        Painter
        Pieter Bruegel (the Elder) 12
        Jan van Eyck 7
        Rembrandt van Rijn 9
        Frans Hals 3
        Johannes Vermeer 5
        Hieronymus Bosch 4
        Peter Paul Rubens 11

        """

    @Test(arguments: [
        ("painters with a header", painters),
        ("no header", "Jan van Eyck 7\nRembrandt van Rijn 9\nFrans Hals 3\nPieter Bruegel (the Elder) 12\nJohannes Vermeer 5\n"),
        ("streets and numbers", "address\nKerkstraat 12\nLange Voorhout 3\nPrinsengracht 263\nOude Gracht 1\nVan Baerlestraat 27\n"),
        (
            "titles with years",
            "title\nThe Night Watch 1642\nGirl with a Pearl Earring 1665\nThe Garden of Earthly Delights 1510\nLandscape 1520\n"
        ),
    ])
    func aListOfValuesWithSpacesIsOneColumn(name: String, text: String) throws {
        let lines = text.split(separator: "\n").map { [String($0)] }
        #expect(try ReadingTests.table(Array(text.utf8)) == lines, "\(name)")
    }

    @Test(
        arguments: [
            (
                "names, ages, cities", "name age city\nAlice 30 Paris\nBob 41 Oslo\nCarol 25 Rome\nDave 38 Bern\n",
                [
                    ["name", "age", "city"], ["Alice", "30", "Paris"], ["Bob", "41", "Oslo"], ["Carol", "25", "Rome"],
                    ["Dave", "38", "Bern"],
                ]
            ),
            (
                "readings", "date time value\n2024-01-01 10:00 3.5\n2024-01-02 10:00 3.7\n2024-01-03 10:00 4.1\n",
                [
                    ["date", "time", "value"], ["2024-01-01", "10:00", "3.5"], ["2024-01-02", "10:00", "3.7"],
                    ["2024-01-03", "10:00", "4.1"],
                ]
            ),
        ] as [(String, String, [[String]])])
    func aSpaceSeparatedTableIsStillATable(name: String, text: String, table: [[String]]) throws {
        #expect(try ReadingTests.table(Array(text.utf8)) == table, "\(name)")
    }

    @Test func aListWithSpacesImportsIntoItsOneField() throws {
        let schema = Schema(fields: [Field(key: "painter", label: "Painter")])
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: schema, filename: "painters.csv"),
            source: MemorySource(Array(SpaceDelimiterTests.painters.utf8)), workspace: workspace)
        #expect(outcome.status == .successful, "\(outcome.reasons)")
        let rows = try JSONParser.parse(workspace.files["results.json"] ?? []).arrayValue ?? []
        #expect(rows.count == 7)
        #expect(rows.first?["painter"]?.stringValue == "Pieter Bruegel (the Elder) 12")
    }
}
