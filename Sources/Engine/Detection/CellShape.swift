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

extension CellShape {
    /// Whether a cell looks like a value of a known kind — empty, a number, a date or time, a URL,
    /// an e-mail address, or plain words — rather than a fragment of something else (a cell that
    /// still starts with a quote, holds another delimiter, or keeps an escape). CleverCSV's type
    /// score: the right dialect makes most cells look like values.
    static func looksLikeValue(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == end { return true }
        let cell = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        switch of(cell) {
        case .empty, .number, .date: return true
        case .text: break
        }
        if startsWith(cell, "http://") || startsWith(cell, "https://") || startsWith(cell, "www.") {
            return !cell.contains(0x20) && !cell.contains(0x22)
        }
        if let at = cell.firstIndex(of: 0x40), at > 0, cell[(at + 1)...].contains(0x2E), !cell.contains(0x20), !cell.contains(0x2C) {
            return true  // an e-mail address
        }
        // Still wrapped in quotes: quoting this dialect did not read.
        if cell.count >= 2, cell[0] == cell[cell.count - 1], cell[0] == 0x22 || cell[0] == 0x27 { return false }
        // Words: letters and digits (any script), joined by single spaces and a few marks (a
        // quote inside is text: `Ada "Countess" Lovelace`; a backslash is an escape left unread).
        var previousSpace = false
        for b in cell {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x80...0xFF: previousSpace = false
            case 0x20:
                if previousSpace { return false }
                previousSpace = true
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "'"), UInt8(ascii: "&"),
                 UInt8(ascii: "/"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ":"), UInt8(ascii: "#"),
                 UInt8(ascii: "+"), UInt8(ascii: "%"), UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "?"),
                 UInt8(ascii: "\""):
                previousSpace = false
            default: return false
            }
        }
        return true
    }

    private static func startsWith(_ cell: UnsafeRawBufferPointer, _ prefix: String) -> Bool {
        var i = 0
        for p in prefix.utf8 {
            guard i < cell.count, cell[i] | 0x20 == p | 0x20 else { return false }
            i += 1
        }
        return true
    }
}
