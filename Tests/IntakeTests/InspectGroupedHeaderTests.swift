import Foundation
import Testing

/// `intake inspect` on a statistical table with a grouped header: the records of the header,
/// the joined names and why, in `--json` and in the text a person reads.
struct InspectGroupedHeaderTests {
    static let table = """
        "Table 5. Trade in ICT goods by partner country, 2023 (thousand USD)",,,,,,
        ,,,,,,
        Country,ICT goods totally,,,Audio and video,,
        ,Exports,Imports,Balance,Exports,Imports,Balance
        Austria,18 080,20 456,-2 376,315,1 234,-919
        Belgium,25 999,23 757,2 242,1 292,1 445,-153
        Bulgaria,33 918,27 058,6 860,2 269,1 656,613
        Croatia,41 837,30 359,11 478,3 246,1 867,1 379
        Cyprus,49 756,33 660,16 096,4 223,2 078,2 145
        Czechia,57 675,36 961,20 714,5 200,2 289,2 911
        Denmark,65 594,40 262,25 332,6 177,2 500,3 677
        ,,,,,,
        Source: national statistical office.,,,,,,

        """

    @Test func inspectShowsTheHeaderRecordsTheJoinedNamesAndWhy() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("grouped-\(UUID().uuidString).csv")
        try Data(Self.table.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }

        let json = try Intake.run(["inspect", file.path, "--json"])
        #expect(json.code == 0, "\(json.stderr)")
        let d = try Intake.json(json.stdout)
        #expect(d["headerRow"] as? Int == 2)
        #expect(d["rows"] as? Int == 7)
        let header = try #require((d["evidence"] as? [String: Any])?["header"] as? [String: Any])
        #expect(header["rows"] as? [Int] == [2, 3])
        #expect((header["names"] as? [String])?.prefix(3) == ["Country", "ICT goods totally Exports", "ICT goods totally Imports"])

        let text = try Intake.run(["inspect", file.path])
        #expect(text.stdout.contains("header on records 2, 3, joined per column"))
        #expect(text.stdout.contains("records 2–3 are one header: record 2 labels groups of columns over record 3"))
        #expect(text.stdout.contains("#4  Audio and video Exports  [number]"))
    }
}
