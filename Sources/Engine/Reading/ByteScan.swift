/// Word-at-a-time search for the bytes that end a run of ordinary text (CSV delimiters, quotes,
/// line ends; what a JSON string must escape).
enum ByteScan {
    /// Where the first of `a`, `b`, `c` (and `d`) is, from `start`, eight bytes at a time (SWAR:
    /// plain 64-bit arithmetic, which every x86-64 and ARM64 has; no vector extension is
    /// assumed). Returns the position of the first of them within the whole words from `start`,
    /// or, when they hold none, where the whole words end (fewer than 8 bytes before `end`):
    /// the caller's byte loop takes that tail.
    @inline(__always)
    static func skip(
        _ text: UnsafePointer<UInt8>, from start: Int, to end: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8? = nil
    ) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let (wa, wb, wc, wd) = (UInt64(a) &* ones, UInt64(b) &* ones, UInt64(c) &* ones, UInt64(d ?? c) &* ones)
        // A byte of `x` that is zero sets its high bit here; a false one only ever sits above a true one.
        @inline(__always) func zeros(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        var j = start
        while j &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(text + j).loadUnaligned(as: UInt64.self))
            let found = zeros(word ^ wa) | zeros(word ^ wb) | zeros(word ^ wc) | zeros(word ^ wd)
            if found != 0 { return j &+ found.trailingZeroBitCount &>> 3 }
            j &+= 8
        }
        return j
    }

    /// `skip` for the bytes a JSON string escapes: a control character (below 0x20), `"` or `\`.
    @inline(__always)
    static func skipJSONPlain(_ text: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let (quote, backslash, below) = (UInt64(0x22) &* ones, UInt64(0x5C) &* ones, UInt64(0x20) &* ones)
        @inline(__always) func zeros(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        @inline(__always) func special(_ word: UInt64) -> UInt64 {
            // Bytes below 0x20 set their high bit in `(word - 0x20…) & ~word`, as zeros do above.
            zeros(word ^ quote) | zeros(word ^ backslash) | ((word &- below) & ~word & highs)
        }
        var j = start
        while j &+ 8 <= end {
            let found = special(UInt64(littleEndian: (text + j).loadUnaligned(as: UInt64.self)))
            if found != 0 { return j &+ found.trailingZeroBitCount &>> 3 }
            j &+= 8
        }
        guard j < end else { return j }
        // The last few bytes in one word as well (most cells are short): the word that ends the
        // text, its first bytes already known plain, or the bytes set into a word of plain `a`s.
        var last: UInt64 = 0x6161_6161_6161_6161
        let from = end >= 8 ? end &- 8 : j
        if end >= 8 {
            last = UInt64(littleEndian: (text + from).loadUnaligned(as: UInt64.self))
        } else {
            withUnsafeMutableBytes(of: &last) { $0.baseAddress!.copyMemory(from: text + j, byteCount: end &- j) }
            last = UInt64(littleEndian: last)
        }
        let found = special(last)
        return found == 0 ? end : Swift.max(j, from &+ found.trailingZeroBitCount &>> 3)
    }
}
