@testable import Engine
import Testing

struct DuplicateFinderTests {
    /// 3,000 rows: slot 0 holds `v(row % 1000)` (every value three times), slot 1 `second(row)`.
    static func finder(_ limit: Int, second: (Int) -> String) throws -> (DuplicateFinder, MemoryWorkspace) {
        let workspace = MemoryWorkspace()
        let finder = DuplicateFinder(workspace: workspace, memoryLimit: limit)
        for row in 0..<3000 {
            try finder.add(slot: 0, hash: FNV.hash(Array("v\(row % 1000)".utf8)), row: row, line: row + 2)
            try finder.add(slot: 1, hash: FNV.hash(Array(second(row).utf8)), row: row, line: row + 2)
        }
        return (finder, workspace)
    }

    /// With a tiny memory limit every partition goes through its file: the same duplicates come out.
    @Test(arguments: [8 << 20, 64])
    func duplicatesAreFoundWhetherPartitionsStayInMemoryOrGoToFiles(_ limit: Int) throws {
        // Slot 1: all distinct.
        let (finder, workspace) = try Self.finder(limit) { "u\($0)" }
        if limit == 64 { #expect(!workspace.scratch.isEmpty) }
        var found: [Int: DuplicateFinder.Duplicate] = [:]
        try finder.finish { found[$0.row] = $0 }
        #expect(workspace.scratch.isEmpty)
        #expect(found.count == 3000)
        #expect(found.values.allSatisfy { $0.slot == 0 })
        // Row 7 is the first of {7, 1007, 2007}: it names the second; the others name the first.
        #expect(found[7]?.otherLine == 1009)
        #expect(found[1007]?.otherLine == 9)
        #expect(found[2007]?.otherLine == 9)
        #expect(found[2007]?.line == 2009)
    }

    /// 1.2M values (~18,000 a partition, through their files) give the duplicates a plain
    /// dictionary finds: every row, its slot and the line its message names.
    @Test func largePartitionsFindTheDuplicatesADictionaryFinds() throws {
        let workspace = MemoryWorkspace()
        let finder = DuplicateFinder(workspace: workspace)
        var lines: [String: [Int]] = [:]
        let rows = 600_000
        for row in 0..<rows {
            // Slot 0: a value on every 7th row comes again 250,005 rows on; slot 1: distinct.
            let value = row % 7 == 0 ? "d\(row % 250_005)" : "u\(row)"
            try finder.add(slot: 0, hash: FNV.hash(Array(value.utf8)), row: row, line: row + 2)
            try finder.add(slot: 1, hash: FNV.hash(Array("s\(row)".utf8)), row: row, line: row + 2)
            lines[value, default: []].append(row + 2)
        }
        var expected: [Int: Int] = [:]  // row -> the line its message names
        for (_, occurrences) in lines where occurrences.count > 1 {
            for (k, line) in occurrences.enumerated() { expected[line - 2] = k == 0 ? occurrences[1] : occurrences[0] }
        }
        var found: [Int: Int] = [:]
        try finder.finish(width: 2) {
            found[$0.row] = $0.otherLine; #expect($0.slot == 0)
        }
        #expect(expected.count > 1000)
        #expect(found == expected)
    }

    /// In memory or through bucket files, the duplicates come out in row order, the same ones.
    @Test(arguments: [8 << 20, 64])
    func duplicatesInRowOrderAreTheSameWhetherHeldOrSpilled(_ limit: Int) throws {
        // Slot 1: every value twice.
        let (finder, workspace) = try Self.finder(limit) { "w\($0 % 1500)" }
        #expect(try finder.finishInRowOrder(rows: 3000) == 6000)
        let sorted = SpillReader(try workspace.openScratch(DuplicateFinder.sortedName))
        var seen: [(row: Int, slot: Int, other: Int)] = []
        while let e = try sorted.nextQuad() { seen.append((e.row, e.slot, e.other)) }
        #expect(seen.count == 6000)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { ($0.row, $0.slot) < ($1.row, $1.slot) })
        // Row 7 (slot 0) names line 1009, its second occurrence's; row 1507 (slot 1) names line 9.
        #expect(seen.first { $0.row == 7 && $0.slot == 0 }?.other == 1009)
        #expect(seen.first { $0.row == 1507 && $0.slot == 1 }?.other == 9)
        #expect(workspace.scratch.keys.allSatisfy { $0 == DuplicateFinder.sortedName })
    }

    /// The table a streamed partition counts its values in: past several growths every value is
    /// found with its first row and line, and only values met twice say so.
    @Test func theValueTableKeepsFirstAndSecondOccurrencesThroughGrowth() {
        let table = DuplicateFinder.ValueTable()
        for row in 0..<20_000 {
            let value = row < 15_000 ? row : row - 15_000  // values 0..<5000 come twice
            table.count(slot: UInt8(value % 2), hash: FNV.hash(Array("v\(value)".utf8)), row: row, line: row + 2)
        }
        for value in [0, 4_999, 5_000, 14_999] {
            let found = table.find(slot: UInt8(value % 2), hash: FNV.hash(Array("v\(value)".utf8)))
            if value < 5_000 {
                #expect(found?.firstRow == value && found?.firstLine == value + 2 && found?.secondLine == value + 15_002)
            } else {
                #expect(found == nil)
            }
        }
        #expect(table.find(slot: 1, hash: FNV.hash(Array("v0".utf8))) == nil)
    }
}
