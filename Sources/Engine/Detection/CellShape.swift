/// What a cell looks like at a glance, for detection: headers are words, data is often numbers
/// and dates. A cheap classifier on bytes, not a parser (the field types parse for real).
enum CellShape: Equatable {
    case empty, number, date, text

    static func of(_ bytes: UnsafeRawBufferPointer) -> CellShape {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == end { return .empty }
        var digits = 0, letters = 0, separators = 0, other = 0, groups = 0
        var inDigits = false
        for i in start..<end {
            let b = bytes[i]
            switch b {
            case 0x30...0x39:
                digits += 1
                if !inDigits { groups += 1; inDigits = true }
                continue
            case 0x2C, 0x2E, 0x2D, 0x2F, 0x3A, 0x20, 0x2B, 0x24, 0x25, 0x28, 0x29: separators += 1
            case 0x41...0x5A, 0x61...0x7A: letters += 1
            default: other += 1
            }
            inDigits = false
        }
        guard digits > 0 else { return .text }
        if letters == 0 && other == 0 {
            // 2024-01-31, 31/01/2024, 1.2.2024, 2024-01-31 10:00
            let first = bytes[start]
            if groups >= 3, first != 0x2D, first != 0x2B, first != 0x24,
               (0..<(end - start)).contains(where: { bytes[start + $0] == 0x2F || bytes[start + $0] == 0x2D }) || groups == 3 && countDots(bytes, start, end) == 2 {
                return .date
            }
            return .number
        }
        // Month names: "Jan 5, 2024", "5-Feb-2024", ISO with T.
        if letters <= 9 && digits >= 4 && other == 0 && groups >= 2 { return .date }
        if letters == 1 && digits > 0 && other == 0 && (bytes[end - 1] | 0x20 == UInt8(ascii: "e") || (start..<end).contains { bytes[$0] | 0x20 == UInt8(ascii: "e") }) {
            return .number  // 1e5
        }
        return .text
    }

    private static func countDots(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        (start..<end).reduce(0) { $0 + (bytes[$1] == 0x2E ? 1 : 0) }
    }
}
