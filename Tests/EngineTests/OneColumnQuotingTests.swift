@testable import Engine
import Testing

/// Issue 17, class 1: one-column files whose values are quoted and hold the delimiter. With `"`
/// as the quote every row has one cell; without it a quoted value splits and is garbled. A stray
/// `"` (inches) must not open a value across lines either.
struct OneColumnQuotingTests {
    @Test(arguments: [
        ("amounts", "amount\n\"1,234\"\n\"12,,456.789\"\n5\n", [["amount"], ["1,234"], ["12,,456.789"], ["5"]]),
        (
            "names with a comma", "Name\nJan Hals\n\"Hals, Frans\"\nPieter Bruegel (the Elder)\n\"Dou, Gerard\"\n",
            [["Name"], ["Jan Hals"], ["Hals, Frans"], ["Pieter Bruegel (the Elder)"], ["Dou, Gerard"]]
        ),
        ("inches", "size\n5\" screen\n7\" tablet\n10 inch\n", [["size"], ["5\" screen"], ["7\" tablet"], ["10 inch"]]),
        ("plain", "city\nOslo\nBergen\nTromsø\n", [["city"], ["Oslo"], ["Bergen"], ["Tromsø"]]),
    ])
    func aOneColumnFileIsReadWithTheQuotingThatKeepsEachValueWhole(name: String, text: String, table: [[String]]) throws {
        #expect(try ReadingTests.table(Array(text.utf8)) == table, "\(name)")
    }
}
