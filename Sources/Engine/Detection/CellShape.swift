/// What a cell looks like at a glance, for detection: headers are words, data is often numbers
/// and dates. A cheap classifier on bytes, not a parser (the field types parse for real).
enum CellShape: Equatable {
    case empty, number, date, text

    /// The shape of a cell (UTF-8). A number may group its thousands with a space, a no-break
    /// space (U+00A0) or a narrow no-break space (U+202F), as statistical tables do: `18 080`,
    /// `1 234 567,5`.
    static func of(_ bytes: UnsafeRawBufferPointer) -> CellShape {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == end { return .empty }
        var digits = 0, letters = 0, separators = 0, other = 0, groups = 0
        // A space between digits separates thousands (`18 080`, `1 234 567,5`): the group before
        // the first such space has 1 to 3 digits and every group after one has exactly 3; else
        // the cell is not a number (`+44 20 7946 0958` is text).
        var run = 0, previousRun = 0
        var inDigits = false, spaceAfterDigits = false, spacedRun = false, spaced = false, thousands = true
        var i = start
        while i < end {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                if !inDigits {
                    groups += 1
                    inDigits = true
                    run = 0
                    spacedRun = spaceAfterDigits
                    if spacedRun && !spaced && previousRun > 3 { thousands = false }
                    if spacedRun { spaced = true }
                }
                run += 1
                digits += 1
                spaceAfterDigits = false
                i += 1
                continue
            }
            if inDigits {
                if spacedRun && run != 3 { thousands = false }
                previousRun = run
            }
            let space = spaceWidth(bytes, i, end)
            if space > 0 {
                separators += 1
                spaceAfterDigits = inDigits  // a second space in a row: no longer right after digits
                inDigits = false
                i += space
                continue
            }
            switch b {
            case 0x2C, 0x2E, 0x2D, 0x2F, 0x3A, 0x2B, 0x24, 0x25, 0x28, 0x29: separators += 1
            case 0x41...0x5A, 0x61...0x7A: letters += 1
            default: other += 1
            }
            inDigits = false
            spaceAfterDigits = false
            i += 1
        }
        if inDigits && spacedRun && run != 3 { thousands = false }
        guard digits > 0 else { return .text }
        if letters == 0 && other == 0 {
            // 2024-01-31, 31/01/2024, 1.2.2024, 2024-01-31 10:00, 31.01.2024 10:00
            let first = bytes[start]
            if groups >= 3, first != 0x2D, first != 0x2B, first != 0x24,
                (0..<(end - start)).contains(where: { bytes[start + $0] == 0x2F || bytes[start + $0] == 0x2D })
                    || countDots(bytes, start, end) == 2 && (groups == 3 || (start..<end).contains { bytes[$0] == 0x3A })
            {
                return .date
            }
            return thousands ? .number : .text
        }
        // Month names: "Jan 5, 2024", "5-Feb-2024", ISO with T.
        if letters <= 9 && digits >= 4 && other == 0 && groups >= 2 { return .date }
        if letters == 1 && digits > 0 && other == 0
            && (bytes[end - 1] | 0x20 == UInt8(ascii: "e") || (start..<end).contains { bytes[$0] | 0x20 == UInt8(ascii: "e") })
        {
            return .number  // 1e5
        }
        return .text
    }

    /// The length of the space at `i`: 1 for a space, 2 for a no-break space (U+00A0, `C2 A0`),
    /// 3 for a narrow no-break space (U+202F, `E2 80 AF`), 0 for anything else.
    @inline(__always)
    private static func spaceWidth(_ bytes: UnsafeRawBufferPointer, _ i: Int, _ end: Int) -> Int {
        switch bytes[i] {
        case 0x20: return 1
        case 0xC2 where i + 1 < end && bytes[i + 1] == 0xA0: return 2
        case 0xE2 where i + 2 < end && bytes[i + 1] == 0x80 && bytes[i + 2] == 0xAF: return 3
        default: return 0
        }
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
