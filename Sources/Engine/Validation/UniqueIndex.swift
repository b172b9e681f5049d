/// The one piece of state that grows with the file: for a unique-checked field, the hash of each
/// value seen and the first row that had it. Open addressing over two flat arrays (16 bytes a
/// value, plus the load factor's slack), so ten million values stay in about 200 MB.
/// Two different values with the same 64-bit hash would be taken for duplicates; with FNV-1a
/// over ten million values the chance is about one in 300,000.
struct UniqueIndex {
    private var hashes: [UInt64]
    private var rows: [Int32]
    private var lines: [Int32]
    private var count = 0
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 1
        while size < capacity * 2 { size <<= 1 }
        hashes = [UInt64](repeating: 0, count: size)
        rows = [Int32](repeating: 0, count: size)
        lines = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// Records `row` for `hash` (never 0). Returns the first row with the same hash, or nil
    /// when this is the first. The stored row's sign marks whether it was already reported.
    mutating func insert(_ hash: UInt64, row: Int, line: Int) -> (firstRow: Int, firstLine: Int, alreadyReported: Bool)? {
        if count * 4 >= hashes.count * 3 { grow() }
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let h = hashes[i]
            if h == 0 {
                hashes[i] = hash
                rows[i] = Int32(row)
                lines[i] = Int32(truncatingIfNeeded: line)
                count += 1
                return nil
            }
            if h == hash {
                let stored = rows[i]
                if stored >= 0 { rows[i] = -stored - 1 }
                return stored >= 0 ? (Int(stored), Int(lines[i]), false) : (Int(-stored - 1), Int(lines[i]), true)
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldHashes = hashes, oldRows = rows, oldLines = lines
        let size = hashes.count * 2
        hashes = [UInt64](repeating: 0, count: size)
        rows = [Int32](repeating: 0, count: size)
        lines = [Int32](repeating: 0, count: size)
        mask = size - 1
        for k in oldHashes.indices where oldHashes[k] != 0 {
            var i = Int(truncatingIfNeeded: oldHashes[k]) & mask
            while hashes[i] != 0 { i = (i + 1) & mask }
            hashes[i] = oldHashes[k]
            rows[i] = oldRows[k]
            lines[i] = oldLines[k]
        }
    }
}
