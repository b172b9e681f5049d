/// A streaming XML scanner over bytes: start tags (with attributes), end tags and text, one at
/// a time, from a reader, holding only a block and the current token. It knows no DTD: a
/// `<!DOCTYPE` or `<!ENTITY` (any `<!` but a comment or CDATA) is refused, so an entity bomb
/// never expands. Names are compared by their local part (`x:c` is `c`), which covers the
/// prefixes that different writers and strict OOXML use. What a token exposes is valid until
/// the next call of `next()`.
final class XMLScanner {
    enum Event: Equatable { case start, end, text, endOfDocument }

    private let reader: any ByteReader
    private let part: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var pos = 0
    private var end = 0
    private var atEOF = false
    private var pendingEnd = false

    private var nameStart = 0, nameEnd = 0
    /// The local name's length and first seven bytes packed, for a one-load comparison.
    private var nameKey: UInt64 = 0
    private(set) var selfClosing = false
    /// (name start, name end, value start, value end) of each attribute of the start tag.
    private var attributes: [(Int, Int, Int, Int)] = []
    private var attributeCount = 0
    private var textStart = 0, textEnd = 0, textIsCDATA = false

    static let maxToken = 32 << 20

    init(_ reader: any ByteReader, part: String) {
        self.reader = reader
        self.part = part
        capacity = 256 << 10
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// The element's local name (start and end events).
    var name: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer + nameStart, count: nameEnd - nameStart) }

    /// The element's local name is `literal` (at most seven bytes: the names this reader asks
    /// about are short; a longer one compares its length and first seven bytes).
    @inline(__always) func nameIs(_ literal: StaticString) -> Bool {
        nameKey == XMLScanner.key(literal.utf8Start, literal.utf8CodeUnitCount)
    }

    @inline(__always) static func key(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var k = UInt64(truncatingIfNeeded: n) << 56
        for i in 0..<min(n, 7) { k |= UInt64(p[i]) << (UInt64(i) * 8) }
        return k
    }

    /// The raw value of the attribute with this local name (entities not decoded).
    @inline(__always) func attribute(_ literal: StaticString) -> UnsafeRawBufferPointer? {
        let l = literal.utf8Start, n = literal.utf8CodeUnitCount, buffer = self.buffer
        for k in 0..<attributeCount {
            let (ns, ne, vs, ve) = attributes[k]
            guard ne - ns >= n else { continue }
            let start = ne - n
            guard start == ns || buffer[start - 1] == UInt8(ascii: ":") else { continue }
            var same = true
            for i in 0..<n where buffer[start + i] != l[i] { same = false; break }
            if same { return UnsafeRawBufferPointer(start: buffer + vs, count: ve - vs) }
        }
        return nil
    }

    /// The attribute's value with entities decoded.
    func attributeString(_ literal: StaticString) -> String? {
        guard let raw = attribute(literal) else { return nil }
        var out: [UInt8] = []
        XMLScanner.decode(raw, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the text event's content, entities decoded.
    func appendText(to out: inout [UInt8]) {
        let raw = UnsafeRawBufferPointer(start: buffer + textStart, count: textEnd - textStart)
        if textIsCDATA { out.append(contentsOf: raw) } else { XMLScanner.decode(raw, into: &out) }
    }

    var rawText: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer + textStart, count: textEnd - textStart) }

    func next() throws -> Event {
        if pendingEnd {
            pendingEnd = false
            selfClosing = false
            attributeCount = 0
            return .end
        }
        while true {
            if pos >= end {
                if try !refill() { return .endOfDocument }
                continue
            }
            if buffer[pos] != UInt8(ascii: "<") {
                // Text up to the next tag.
                var i = pos
                while true {
                    if let found = XMLScanner.find(UInt8(ascii: "<"), buffer, from: i, to: end) { i = found; break }
                    let scanned = end - pos
                    if atEOF { i = end; break }
                    if try !refill() { i = end; break }
                    i = pos + scanned
                }
                textStart = pos
                textEnd = i
                textIsCDATA = false
                pos = i
                return .text
            }
            if let event = try tag() { return event }
        }
    }

    /// Skips the element whose start tag was just read, and everything inside it.
    func skipElement() throws {
        var depth = 1
        while depth > 0 {
            switch try next() {
            case .start: depth += 1
            case .end: depth -= 1
            case .endOfDocument: return
            case .text: break
            }
        }
    }

    /// Parses the markup at `pos`; nil for markup that is not an event (declarations, comments).
    private func tag() throws -> Event? {
        // Make sure the whole tag is in the buffer.
        var close = -1
        while true {
            close = tagEnd()
            if close >= 0 { break }
            if try !refill() { throw ReadError("the workbook part \(part) is cut short inside a tag") }
        }
        let start = pos
        pos = close + 1
        let buf = buffer
        let second = start + 1 < close ? buf[start + 1] : 0
        if second == UInt8(ascii: "?") { return nil }
        if second == UInt8(ascii: "!") {
            if matches(start, "<!--") { return nil }
            if matches(start, "<![CDATA[") {
                textStart = start + 9
                textEnd = close - 2
                textIsCDATA = true
                return .text
            }
            throw ReadError(
                "the workbook part \(part) declares a DTD or entities (<!DOCTYPE/<!ENTITY), which Intake refuses (entity expansion can exhaust memory)"
            )
        }
        var attrs: [(Int, Int, Int, Int)] = []
        swap(&attrs, &attributes)
        var count = 0
        defer {
            swap(&attrs, &attributes)
            attributeCount = count
        }
        var i = start + 1
        let isEnd = second == UInt8(ascii: "/")
        if isEnd { i += 1 }
        var qualifiedStart = i
        while i < close, !XMLScanner.isSpace(buf[i]), buf[i] != UInt8(ascii: "/"), buf[i] != UInt8(ascii: ">") {
            if buf[i] == UInt8(ascii: ":") { qualifiedStart = i + 1 }
            i += 1
        }
        nameStart = qualifiedStart
        nameEnd = i
        nameKey = XMLScanner.key(buf + qualifiedStart, i - qualifiedStart)
        if isEnd {
            selfClosing = false
            count = 0
            return .end
        }
        selfClosing = buf[close - 1] == UInt8(ascii: "/")
        let attributesEnd = selfClosing ? close - 1 : close
        // Attributes: name = "value" | 'value'.
        while i < attributesEnd {
            while i < attributesEnd, XMLScanner.isSpace(buf[i]) { i += 1 }
            guard i < attributesEnd else { break }
            let ns = i
            while i < attributesEnd, buf[i] != UInt8(ascii: "="), !XMLScanner.isSpace(buf[i]) { i += 1 }
            let ne = i
            while i < attributesEnd, buf[i] != UInt8(ascii: "\""), buf[i] != UInt8(ascii: "'") { i += 1 }
            guard i < attributesEnd else { break }
            let quote = buf[i]
            let vs = i + 1
            i = vs
            while i < attributesEnd, buf[i] != quote { i += 1 }
            if count < attrs.count { attrs[count] = (ns, ne, vs, i) } else { attrs.append((ns, ne, vs, i)) }
            count += 1
            i += 1
        }
        if selfClosing { pendingEnd = true }
        return .start
    }

    /// The offset of the `>` that ends the markup at `pos`, or -1 when it is not in the buffer.
    private func tagEnd() -> Int {
        let buffer = self.buffer, end = self.end, pos = self.pos
        let bang = pos + 1 < end && buffer[pos + 1] == UInt8(ascii: "!")
        if bang && matches(pos, "<!--") {
            var i = pos + 4
            while i + 2 < end {
                if buffer[i] == UInt8(ascii: "-") && buffer[i + 1] == UInt8(ascii: "-") && buffer[i + 2] == UInt8(ascii: ">") {
                    return i + 2
                }
                i += 1
            }
            return -1
        }
        if bang && matches(pos, "<![CDATA[") {
            var i = pos + 9
            while i + 2 < end {
                if buffer[i] == UInt8(ascii: "]") && buffer[i + 1] == UInt8(ascii: "]") && buffer[i + 2] == UInt8(ascii: ">") {
                    return i + 2
                }
                i += 1
            }
            return -1
        }
        var quote: UInt8 = 0
        var i = pos + 1
        while i < end {
            let b = buffer[i]
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: ">") {
                return i
            }
            i += 1
        }
        return -1
    }

    private func matches(_ at: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount, buffer = self.buffer, end = self.end
        // Not enough bytes yet: a partial match counts as a match only once complete.
        guard at + n <= end else { return false }
        for i in 0..<n where buffer[at + i] != literal.utf8Start[i] { return false }
        return true
    }

    /// Moves the unread bytes to the front and reads more. False at the end of the input.
    private func refill() throws -> Bool {
        if atEOF { return false }
        if pos > 0 {
            let left = end - pos
            if left > 0 { (buffer).update(from: buffer + pos, count: left) }
            // Offsets of a token being assembled are relative to pos: callers rescan.
            end = left
            pos = 0
        }
        if end == capacity {
            guard capacity < XMLScanner.maxToken else {
                throw ReadError(
                    "the workbook part \(part) has a single XML token longer than \(XMLScanner.maxToken >> 20) MiB, more than Intake reads")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        let n = try reader.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        if n == 0 {
            atEOF = true
            return end > pos
        }
        end += n
        return true
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The first offset of `byte` in `[from, to)`, eight bytes at a time.
    @inline(__always)
    static func find(_ byte: UInt8, _ p: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = from
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= to {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) ^ pattern
            if (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < to {
            if p[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// Decodes the five predefined entities and character references (anything else is kept),
    /// and normalizes line ends as XML 1.0 (2.11) says: CR LF and a lone CR are LF (a CR that
    /// matters is written `&#13;` or, in OOXML, `_x000D_`).
    static func decode(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard raw.contains(where: { $0 == UInt8(ascii: "&") || $0 == 0x0D }) else { out.append(contentsOf: raw); return }
        var i = 0
        let n = raw.count
        while i < n {
            let b = raw[i]
            if b == 0x0D {
                out.append(0x0A)
                i += i + 1 < n && raw[i + 1] == 0x0A ? 2 : 1
                continue
            }
            guard b == UInt8(ascii: "&") else { out.append(b); i += 1; continue }
            var j = i + 1
            while j < n, j - i <= 10, raw[j] != UInt8(ascii: ";") { j += 1 }
            guard j < n, raw[j] == UInt8(ascii: ";") else { out.append(b); i += 1; continue }
            let entity = Array(raw[(i + 1)..<j])
            switch entity {
            case Array("amp".utf8): out.append(UInt8(ascii: "&"))
            case Array("lt".utf8): out.append(UInt8(ascii: "<"))
            case Array("gt".utf8): out.append(UInt8(ascii: ">"))
            case Array("quot".utf8): out.append(UInt8(ascii: "\""))
            case Array("apos".utf8): out.append(UInt8(ascii: "'"))
            default:
                if entity.first == UInt8(ascii: "#"), let scalar = characterReference(entity.dropFirst()) {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                } else {
                    out.append(contentsOf: raw[i...j])
                }
            }
            i = j + 1
        }
    }

    private static func characterReference(_ digits: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var value: UInt32 = 0
        var d = digits
        var radix: UInt32 = 10
        if d.first == UInt8(ascii: "x") || d.first == UInt8(ascii: "X") { radix = 16; d = d.dropFirst() }
        guard !d.isEmpty else { return nil }
        for c in d {
            let v: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: v = UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: v = UInt32(c - 55)
            default: return nil
            }
            value = value * radix + v
            if value > 0x10FFFF { return nil }
        }
        return Unicode.Scalar(value)
    }
}
