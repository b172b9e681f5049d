/// Finds an entry by one of its names, the way people write names in spreadsheets: ignoring
/// case, dots (`U.S.A.`), and runs of spaces, hyphens and underscores (`Guinea Bissau`).
/// Lookups fold and hash the cell's bytes as they go: no String, no allocation per cell.
struct NameIndex: Sendable {
    private var table: [UInt64: [(key: [UInt8], entry: Int)]] = [:]

    init(_ names: [(name: String, entry: Int)]) {
        for (name, entry) in names {
            let key = NameIndex.fold(Array(name.utf8))
            let h = FNV.hash(key)
            if table[h]?.contains(where: { $0.key == key }) == true { continue }
            table[h, default: []].append((key, entry))
        }
    }

    func find(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var length = 0
        NameIndex.forEachFolded(bytes) { b in
            h = (h ^ UInt64(b)) &* 0x100_0000_01B3
            length += 1
        }
        guard let candidates = table[h] else { return nil }
        for c in candidates where c.key.count == length {
            var i = 0
            var same = true
            NameIndex.forEachFolded(bytes) { b in
                if same { same = c.key[i] == b; i += 1 }
            }
            if same { return c.entry }
        }
        return nil
    }

    static func fold(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { forEachFolded($0) { out.append($0) } }
        return out
    }

    /// The folded bytes: ASCII letters lowercased, `.` dropped, each run of space, tab, `-` and
    /// `_` one space, none at the ends; other bytes as they are.
    @inline(__always)
    static func forEachFolded(_ bytes: UnsafeRawBufferPointer, _ body: (UInt8) -> Void) {
        var pendingSpace = false
        var any = false
        for b in bytes {
            switch b {
            case 0x2E: continue
            case 0x20, 0x09, 0x2D, 0x5F: pendingSpace = any
            default:
                if pendingSpace { body(0x20); pendingSpace = false }
                body(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                any = true
            }
        }
    }
}
