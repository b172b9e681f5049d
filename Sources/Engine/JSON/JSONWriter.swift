/// Writes JSON straight into a byte buffer: the hot path (one object per row) appends escaped
/// bytes with no intermediate String, and documents (records, metadata, reports) are printed
/// with two-space indentation and keys in their given order, so the output is byte-stable.
public enum JSONWriter {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` as a quoted JSON string. The bytes must be valid UTF-8.
    @inline(__always)
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout some ByteSink) {
        out.append(0x22)
        var runStart = 0
        var i = 0
        let n = bytes.count
        while i < n {
            if let base = bytes.baseAddress { i = ByteScan.skipJSONPlain(base, from: i, to: n) }
            guard i < n else { break }
            let b = bytes[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C { i += 1; continue }
            if runStart < i { out.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<i])) }
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            }
            i += 1
            runStart = i
        }
        if runStart < n { out.append(bytes: UnsafeRawBufferPointer(rebasing: bytes[runStart..<n])) }
        out.append(0x22)
    }

    static func appendString(_ string: String, to out: inout some ByteSink) {
        var s = string
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// One line, no spaces: for rows (`results.json`, `.ndjson`).
    public static func appendCompact(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): appendString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendCompact(v, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, e) in o.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(e.key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendCompact(e.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Indented with two spaces; arrays of scalars stay on one line so reports stay readable.
    public static func appendPretty(_ value: JSONValue, indent: Int = 0, to out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: level * 2))
        }
        switch value {
        case .array(let a) where !a.isEmpty && a.allSatisfy(\.isFlatObject):
            // Lists of records (errors): one compact object per line, as the writers stream them.
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                appendCompact(v, to: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .array(let a) where !a.isEmpty && !a.allSatisfy(\.isScalar):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                appendPretty(v, indent: indent + 1, to: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(contentsOf: ", ".utf8) }
                appendCompact(v, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.entries.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, e) in o.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                appendString(e.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                appendPretty(e.value, indent: indent + 1, to: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        default:
            appendCompact(value, to: &out)
        }
    }

    /// A whole document: pretty, with a final newline.
    public static func document(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        appendPretty(value, to: &out)
        out.append(0x0A)
        return out
    }
}

extension JSONValue {
    var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }

    var isFlatObject: Bool {
        if case .object(let o) = self { return o.entries.allSatisfy { $0.value.isScalar } }
        return false
    }

    /// The value as compact JSON text.
    public var compactText: String {
        var out: [UInt8] = []
        JSONWriter.appendCompact(self, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
