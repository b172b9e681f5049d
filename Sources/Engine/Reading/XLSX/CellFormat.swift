/// What a cell style's number format makes of a number: itself, or a date, a time of day, a
/// date with a time, or an elapsed duration (`[h]:mm:ss`). Excel stores all of them as numbers
/// (days since the epoch); only the format tells them apart.
enum CellFormat: Sendable, Equatable {
    case number, date, time, dateTime, duration

    /// The formats of `cellXfs` in `styles.xml`, by style index (a cell's `s`).
    static func read(_ scanner: XMLScanner) throws -> [CellFormat] {
        var custom: [Int: CellFormat] = [:]
        var formats: [CellFormat] = []
        var inCellXfs = false
        while true {
            switch try scanner.next() {
            case .endOfDocument:
                return formats
            case .start:
                if scanner.nameIs("numFmt"), let id = scanner.attributeString("numFmtId").flatMap({ Int($0) }) {
                    custom[id] = classify(scanner.attributeString("formatCode") ?? "")
                } else if scanner.nameIs("cellXfs") {
                    inCellXfs = true
                } else if inCellXfs && scanner.nameIs("xf") {
                    let id = scanner.attributeString("numFmtId").flatMap { Int($0) } ?? 0
                    formats.append(custom[id] ?? builtIn(id))
                }
            case .end:
                if scanner.nameIs("cellXfs") { inCellXfs = false }
            case .text:
                break
            }
        }
    }

    /// The built-in formats (ECMA-376 18.8.30): 14–17 dates, 18–21 times, 22 date and time,
    /// 45–47 minutes and seconds / elapsed hours, and the East Asian date formats 27–36, 50–58.
    static func builtIn(_ id: Int) -> CellFormat {
        switch id {
        case 14...17, 27...31, 34...36, 50...58: .date
        case 18...21, 32, 33, 45, 47: .time
        case 22: .dateTime
        case 46: .duration
        default: .number
        }
    }

    /// A custom format code: date tokens (y, m, d, h, s, e) outside quotes, brackets and escapes
    /// make it a date or time; `[h]`, `[m]`, `[s]` make it a duration. Only the first section
    /// (positive numbers) counts.
    static func classify(_ code: String) -> CellFormat {
        let bytes = Array(code.utf8)
        var tokens: [UInt8] = []  // the date/time letters in order, one per run ("yyyy" → y)
        var elapsed = false
        var i = 0
        func upper(_ n: Int) -> String { String(decoding: bytes[i..<min(bytes.count, i + n)], as: UTF8.self).uppercased() }
        scan: while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: ";"):
                break scan
            case UInt8(ascii: "\""):
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
            case UInt8(ascii: "\\"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                i += 1
            case UInt8(ascii: "["):
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "]") { j += 1 }
                let inside = bytes[(i + 1)..<min(j, bytes.count)].map { $0 | 0x20 }
                if let first = inside.first, inside.allSatisfy({ $0 == first }),
                    [UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s")].contains(first)
                {
                    elapsed = true
                    tokens.append(first)
                }
                i = j
            default:
                if upper(7) == "GENERAL" { i += 7; continue }
                if upper(5) == "AM/PM" { tokens.append(UInt8(ascii: "a")); i += 5; continue }
                if upper(3) == "A/P" { tokens.append(UInt8(ascii: "a")); i += 3; continue }
                let l = b | 0x20
                if l == UInt8(ascii: "e"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "+") || bytes[i + 1] == UInt8(ascii: "-") {
                    i += 2  // scientific: 0.00E+00
                    continue
                }
                if [UInt8(ascii: "y"), UInt8(ascii: "d"), UInt8(ascii: "e"), UInt8(ascii: "m"), UInt8(ascii: "h"), UInt8(ascii: "s")]
                    .contains(l)
                {
                    tokens.append(l)
                    while i + 1 < bytes.count, bytes[i + 1] | 0x20 == l { i += 1 }
                } else if l == UInt8(ascii: "b"), i + 1 < bytes.count,
                    bytes[i + 1] == UInt8(ascii: "1") || bytes[i + 1] == UInt8(ascii: "2")
                {
                    tokens.append(UInt8(ascii: "y"))  // Buddhist / Hijri year
                    i += 1
                }
            }
            i += 1
        }
        var date = false, time = false
        for (k, t) in tokens.enumerated() {
            switch t {
            case UInt8(ascii: "y"), UInt8(ascii: "d"), UInt8(ascii: "e"): date = true
            case UInt8(ascii: "h"), UInt8(ascii: "s"), UInt8(ascii: "a"): time = true
            case UInt8(ascii: "m"):
                // Minutes after hours or before seconds; a month otherwise.
                let after = k > 0 && tokens[k - 1] == UInt8(ascii: "h")
                let before = k + 1 < tokens.count && tokens[k + 1] == UInt8(ascii: "s")
                if after || before { time = true } else { date = true }
            default: break
            }
        }
        if elapsed { return .duration }
        if date && time { return .dateTime }
        if date { return .date }
        if time { return .time }
        return .number
    }
}
