/// A `results.csv` line from a row's JSON object as the row processor wrote it (compact, keys
/// known): strings are their text, numbers and booleans their JSON text, null an empty field,
/// arrays and objects (`manyToOne`, `multi-select`, `$unmapped`) their compact JSON. Every field
/// is quoted (RFC 4180), the line ends in CRLF. Strings that start like a formula are prefixed
/// with `'` when `escapeFormulas` is set; numbers are never altered.
enum RowCSV {
    static func append(row b: UnsafeRawBufferPointer, escapeFormulas: Bool, to out: inout [UInt8]) {
        var i = 1  // after "{"
        var first = true
        var text: [UInt8] = []
        while i < b.count - 1 {
            // The key: a string, then ':'.
            i = endOfString(b, from: i) + 1
            let valueStart = i
            let valueEnd = endOfValue(b, from: i)
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            let value = UnsafeRawBufferPointer(rebasing: b[valueStart..<valueEnd])
            switch b[valueStart] {
            case UInt8(ascii: "\""):
                text.removeAll(keepingCapacity: true)
                unescape(value, into: &text)
                text.withUnsafeBytes { CSVWriter.appendField($0, escapeFormulas: escapeFormulas, to: &out) }
            case UInt8(ascii: "n"):
                out.append(contentsOf: [0x22, 0x22])
            default:
                CSVWriter.appendField(value, escapeFormulas: false, to: &out)
            }
            i = valueEnd + 1  // past ","
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }

    /// Index just past the string starting at `from` (which is `"`).
    private static func endOfString(_ b: UnsafeRawBufferPointer, from: Int) -> Int {
        var i = from + 1
        while b[i] != UInt8(ascii: "\"") {
            i += b[i] == UInt8(ascii: "\\") ? 2 : 1
        }
        return i + 1
    }

    private static func endOfValue(_ b: UnsafeRawBufferPointer, from: Int) -> Int {
        var depth = 0
        var i = from
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\""): i = endOfString(b, from: i); continue
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 { return i }
                depth -= 1
            case UInt8(ascii: ","): if depth == 0 { return i }
            default: break
            }
            i += 1
        }
        return i
    }

    /// The text of a JSON string (with its quotes) as UTF-8.
    static func unescape(_ s: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var i = 1
        let end = s.count - 1
        while i < end {
            let c = s[i]
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            let e = s[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var v: UInt32 = 0
                for k in 0..<4 { v = v << 4 | UInt32(hex(s[i + k])) }
                i += 4
                if v >= 0xD800 && v < 0xDC00 && i + 6 <= end && s[i] == UInt8(ascii: "\\") {
                    var lo: UInt32 = 0
                    for k in 0..<4 { lo = lo << 4 | UInt32(hex(s[i + 2 + k])) }
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
                out.append(contentsOf: String(scalar).utf8)
            default: out.append(e)
            }
        }
    }

    private static func hex(_ c: UInt8) -> UInt8 {
        c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10
    }
}
