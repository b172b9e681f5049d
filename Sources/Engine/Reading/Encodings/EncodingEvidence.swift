/// The lines of a file that hold bytes above 0x7F, from the whole file: what the encoding is
/// decided on. A file whose only accented name is on row 2,400 is judged by that name.
struct EncodingEvidence: Sendable {
    /// The lines, each ended by LF (a line end is never part of a character in the encodings
    /// Intake detects this way).
    var text: [UInt8] = []
    var lines = 0
    var nonASCII = 0
    /// Bytes read to find them; the whole file unless enough evidence came first.
    var scanned = 0
    var wholeFile = true
    /// Every line is valid UTF-8.
    var validUTF8 = true
    /// Lines (holding a byte above 0x7F) that are valid UTF-8.
    var utf8Lines = 0

    /// Enough to judge: more lines change no decision, and reading stops.
    static let enough = 64 << 10
    /// Of a longer line, the start (readings cost time in proportion to what they read).
    static let longestLine = 4 << 10

    /// Collects the evidence from `reader`, to its end or until there is enough.
    static func collect(_ reader: any ByteReader) throws -> EncodingEvidence {
        var evidence = EncodingEvidence()
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var pending: [UInt8] = []  // the start of a line the last block cut
        var ended = false
        while !ended && evidence.text.count < enough {
            let n = try block.withUnsafeMutableBytes { try reader.read(into: $0) }
            evidence.scanned += n
            var bytes = pending
            if n == 0 { ended = true } else { bytes.append(contentsOf: block[0..<n]) }
            // Whole lines only, unless the line never ends (or runs past a megabyte).
            var end = bytes.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }).map { $0 + 1 } ?? 0
            if ended || (end == 0 && bytes.count > 1 << 20) { end = bytes.count }
            let looked = evidence.take(bytes[0..<end])
            if looked < end {
                // Enough before the block's end (a file whose every line holds non-ASCII bytes
                // has a megabyte of them in each block): the rest is not read.
                evidence.scanned -= bytes.count - looked
                evidence.wholeFile = false
                return evidence
            }
            pending = Array(bytes[end...])
        }
        evidence.wholeFile = ended
        return evidence
    }

    /// Adds the lines of `bytes` that hold a byte above 0x7F, until there are `enough`. Returns
    /// how many bytes it looked at (all of them, unless it stopped there).
    @discardableResult
    mutating func take(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { raw in
            let n = raw.count
            var i = 0
            var taken = 0  // where the last line taken ended
            while i < n {
                if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
                if raw[i] < 0x80 { i += 1; continue }
                // A high byte: the whole line.
                var lineStart = i
                // Lines end at LF or CR (classic Mac files end theirs with CR alone).
                while lineStart > taken && raw[lineStart - 1] != 0x0A && raw[lineStart - 1] != 0x0D { lineStart -= 1 }
                var end = i
                while end < n && raw[end] != 0x0A && raw[end] != 0x0D { end += 1 }
                var line = UnsafeRawBufferPointer(rebasing: raw[lineStart..<end])
                if line.count > EncodingEvidence.longestLine {
                    // A long line (a huge quoted field) is judged by its start, cut after a byte
                    // below 0x30, which no multi-byte encoding uses inside a character.
                    var cut = EncodingEvidence.longestLine
                    while cut > 0 && line[cut - 1] >= 0x30 { cut -= 1 }
                    line = UnsafeRawBufferPointer(rebasing: line[0..<(cut > 0 ? cut : EncodingEvidence.longestLine)])
                }
                if UTF8Check.validPrefixLength(line) == line.count { utf8Lines += 1 } else { validUTF8 = false }
                text.append(contentsOf: line)
                text.append(0x0A)
                lines += 1
                for c in line where c >= 0x80 { nonASCII += 1 }
                i = end + 1
                taken = i
                if text.count >= EncodingEvidence.enough { return min(i, n) }
            }
            return n
        }
    }

    /// Each byte of `bytes` with the letter before and after it (within its token), one to a
    /// line: what two code pages that read those bytes differently are compared on, so that
    /// the letters they read alike, priced differently by their languages, weigh nothing.
    func letters(around bytes: Set<UInt8>) -> EncodingEvidence {
        var out = EncodingEvidence()
        out.scanned = scanned
        out.wholeFile = wholeFile
        func inToken(_ b: UInt8) -> Bool { b >= 0x80 || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) }
        for i in text.indices where text[i] >= 0x80 && bytes.contains(text[i]) {
            let from = i > 0 && inToken(text[i - 1]) ? i - 1 : i
            let to = i + 1 < text.count && inToken(text[i + 1]) ? i + 2 : i + 1
            out.text.append(contentsOf: text[from..<to])
            out.text.append(0x0A)
            out.lines += 1
            for c in text[from..<to] where c >= 0x80 { out.nonASCII += 1 }
        }
        return out
    }

    /// The tokens (runs between ASCII spaces, digits and punctuation) that hold one of `bytes`,
    /// one to a line: the words where two code pages read the file differently.
    func tokens(holding bytes: Set<UInt8>) -> EncodingEvidence {
        var out = EncodingEvidence()
        out.scanned = scanned
        out.wholeFile = wholeFile
        var start = 0
        var hit = false
        for i in 0...text.count {
            let b = i < text.count ? text[i] : 0x0A
            if b < 0x80 && !((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) {
                if hit {
                    out.text.append(contentsOf: text[start..<i])
                    out.text.append(0x0A)
                    out.lines += 1
                    for c in text[start..<i] where c >= 0x80 { out.nonASCII += 1 }
                }
                start = i + 1
                hit = false
            } else if b >= 0x80 && bytes.contains(b) {
                hit = true
            }
        }
        return out
    }
}
