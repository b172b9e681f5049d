/// The workbook's shared string table (`sharedStrings.xml`), kept as one byte array with end
/// offsets: a few bytes of overhead per string, not an object each. Rich text runs are joined;
/// phonetic runs (`rPh`) are left out; `_xHHHH_` escapes are decoded.
struct SharedStrings: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []

    var count: Int { ends.count }

    /// Appends string `index` to `out`; false when there is no such string.
    @inline(__always) func append(_ index: Int, to out: inout [UInt8]) -> Bool {
        guard index >= 0, index < ends.count else { return false }
        let start = index == 0 ? 0 : ends[index - 1]
        bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<ends[index]])) }
        return true
    }

    static func read(_ scanner: XMLScanner) throws -> SharedStrings {
        var table = SharedStrings()
        var inItem = false, inText = false
        var phonetic = 0
        var item: [UInt8] = []
        while true {
            switch try scanner.next() {
            case .endOfDocument:
                return table
            case .start:
                if scanner.nameIs("si") {
                    inItem = true
                    item.removeAll(keepingCapacity: true)
                } else if scanner.nameIs("t") {
                    inText = inItem && phonetic == 0
                } else if scanner.nameIs("rPh") {
                    phonetic += 1
                }
            case .end:
                if scanner.nameIs("si") {
                    inItem = false
                    OOXMLText.unescape(item, into: &table.bytes)
                    table.ends.append(table.bytes.count)
                } else if scanner.nameIs("t") {
                    inText = false
                } else if scanner.nameIs("rPh") {
                    phonetic -= 1
                }
            case .text:
                if inText { scanner.appendText(to: &item) }
            }
        }
    }
}

/// Text as OOXML stores it (ST_Xstring): `_xHHHH_` stands for the UTF-16 code unit HHHH (a
/// carriage return is `_x000D_`), and `_x005F_` escapes an underscore.
enum OOXMLText {
    static func unescape(_ text: [UInt8], into out: inout [UInt8]) {
        guard text.count >= 7, text.contains(UInt8(ascii: "_")) else { out.append(contentsOf: text); return }
        var i = 0
        while i < text.count {
            if text[i] == UInt8(ascii: "_"), i + 6 < text.count, text[i + 1] == UInt8(ascii: "x"), text[i + 6] == UInt8(ascii: "_"),
                let unit = hex4(text, i + 2)
            {
                if let scalar = Unicode.Scalar(unit) {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    i += 7
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
    }

    private static func hex4(_ t: [UInt8], _ at: Int) -> UInt32? {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = t[at + k]
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(c - 55)
            default: return nil
            }
        }
        return v
    }
}
