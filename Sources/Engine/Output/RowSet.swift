/// Row numbers kept as one bit each, listed in increasing order: the rows with an error of a
/// 10M-row file take 1.25 MB, however many they are (as an array of Int, 80 MB when all are).
struct RowSet: Sequence, Sendable {
    private let words: [UInt64]
    /// How many rows are in the set.
    let count: Int

    init(words: [UInt64] = []) {
        self.words = words
        self.count = words.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    struct Iterator: IteratorProtocol {
        fileprivate let words: [UInt64]
        fileprivate var index = 0
        fileprivate var bits: UInt64 = 0

        mutating func next() -> Int? {
            while bits == 0 {
                guard index < words.count else { return nil }
                bits = words[index]
                index += 1
            }
            let bit = bits.trailingZeroBitCount
            bits &= bits - 1
            return (index - 1) << 6 | bit
        }
    }

    func makeIterator() -> Iterator { Iterator(words: words) }
    var underestimatedCount: Int { count }
}
