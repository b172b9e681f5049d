/// Thrown when a file that looked like UTF-8 in its sample turns out not to be: the caller
/// decides the encoding again from the whole file (`EncodingDetector`) and starts the pass again.
struct NotUTF8: Error {
    let offset: Int
}

enum UTF8Check {
    /// The length of the longest valid UTF-8 prefix.
    static func validPrefixLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        let n = bytes.count
        var i = 0
        while i < n {
            // ASCII fast path, eight bytes at a time.
            if i + 8 <= n {
                let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            }
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return i
            }
            if i + need >= n { return i }
            let b1 = bytes[i + 1]
            if b1 < lower || b1 > upper { return i }
            var k = 2
            while k <= need {
                let b = bytes[i + k]
                if b < 0x80 || b > 0xBF { return i }
                k += 1
            }
            i += need + 1
        }
        return n
    }

    /// True when `tail` is empty or is the start of a valid multi-byte sequence cut short.
    static func isTruncatedSequence(_ tail: ArraySlice<UInt8>) -> Bool {
        guard let first = tail.first else { return true }
        let need: Int
        switch first {
        case 0xC2...0xDF: need = 1
        case 0xE0...0xEF: need = 2
        case 0xF0...0xF4: need = 3
        default: return false
        }
        return tail.count <= need && tail.dropFirst().allSatisfy { $0 & 0xC0 == 0x80 }
    }
}

/// Turns a byte stream in a known encoding into UTF-8 blocks. UTF-8 passes through (validated:
/// an invalid byte throws `NotUTF8`); the others are transcoded, with sequences cut by a block
/// boundary carried to the next block.
final class TextDecoder {
    let encoding: TextEncoding
    private let reader: any ByteReader
    private let page: CodePage?
    private let iconv: Iconv?
    private var raw: [UInt8]
    private var carry: [UInt8] = []
    private var skip: Int
    private var consumed = 0
    private var finished = false

    static let blockSize = 1 << 20

    init(reader: any ByteReader, encoding: TextEncoding, bomLength: Int) throws {
        self.reader = reader
        self.encoding = encoding
        self.skip = bomLength
        self.page = encoding.codePage
        self.iconv = try encoding.iconvName.map { try TextDecoder.converter($0, for: encoding) }
        self.raw = [UInt8](repeating: 0, count: TextDecoder.blockSize)
    }

    static func converter(_ name: String, for encoding: TextEncoding) throws -> Iconv {
        guard let converter = Iconv(from: name) else {
            throw ImportFailure(
                "UNREADABLE_FILE",
                "The file is written in \(encoding.rawValue), which this machine cannot decode (the C library's iconv has no \(name) converter; on Debian and Ubuntu it comes with libc6). Save the file as UTF-8 and drop it again."
            )
        }
        return converter
    }

    /// Replaces `out` with the next block of UTF-8. Returns false at the end.
    func next(into out: inout [UInt8]) throws -> Bool {
        out.removeAll(keepingCapacity: true)
        while out.isEmpty {
            if finished {
                if carry.isEmpty { return false }
                switch encoding {
                case .utf8: throw NotUTF8(offset: consumed - carry.count)
                default:
                    if let iconv {
                        _ = carry.withUnsafeBytes { iconv.append($0, final: true, to: &out) }
                    } else {
                        out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    }
                    carry.removeAll()
                }
                return true
            }
            let n = try raw.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { finished = true; continue }
            var start = 0
            if skip > 0 { let s = min(skip, n); skip -= s; start = s }
            consumed += n
            var chunk = carry
            chunk.append(contentsOf: raw[start..<n])
            carry.removeAll(keepingCapacity: true)
            try decode(chunk, into: &out)
        }
        return true
    }

    /// A whole piece of a file whose line ends cut no character (`TextEncoding.cutsAtLineEnds`)
    /// as UTF-8: a chunk cut after a line end. UTF-8 is checked, not copied. `offset`: where the
    /// piece starts in the file (for `NotUTF8`).
    static func decodeWhole(_ bytes: [UInt8], encoding: TextEncoding, bomLength: Int, offset: Int) throws -> [UInt8] {
        precondition(encoding.cutsAtLineEnds, "only encodings with one byte per line end are cut in chunks")
        if let page = encoding.codePage {
            var out: [UInt8] = []
            bytes.withUnsafeBytes { page.append(UnsafeRawBufferPointer(rebasing: $0[bomLength...]), to: &out) }
            return out
        }
        if let name = encoding.iconvName {
            // A converter per piece: iconv's state is the piece's alone (opening one costs microseconds).
            let converter = try converter(name, for: encoding)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 2)
            _ = bytes.withUnsafeBytes { converter.append(UnsafeRawBufferPointer(rebasing: $0[bomLength...]), final: true, to: &out) }
            return out
        }
        let valid = bytes.withUnsafeBytes { UTF8Check.validPrefixLength($0) }
        if valid < bytes.count { throw NotUTF8(offset: offset + valid) }
        return bomLength == 0 ? bytes : Array(bytes[bomLength...])
    }

    private func decode(_ chunk: [UInt8], into out: inout [UInt8]) throws {
        if let page {
            chunk.withUnsafeBytes { page.append($0, to: &out) }
            return
        }
        if let iconv {
            let left = chunk.withUnsafeBytes { iconv.append($0, final: false, to: &out) }
            carry.append(contentsOf: chunk[(chunk.count - left)...])
            return
        }
        switch encoding {
        case .utf8:
            let valid = chunk.withUnsafeBytes { UTF8Check.validPrefixLength($0) }
            if valid < chunk.count {
                let tail = chunk[valid...]
                guard UTF8Check.isTruncatedSequence(tail) else { throw NotUTF8(offset: consumed - chunk.count + valid) }
                carry.append(contentsOf: tail)
            }
            out.append(contentsOf: chunk[..<valid])
        case .utf32LE, .utf32BE:
            let little = encoding == .utf32LE
            var i = 0
            while i + 3 < chunk.count {
                let (a, b, c, d) = (UInt32(chunk[i]), UInt32(chunk[i + 1]), UInt32(chunk[i + 2]), UInt32(chunk[i + 3]))
                let v = little ? a | b << 8 | c << 16 | d << 24 : a << 24 | b << 16 | c << 8 | d
                TextDecoder.appendScalar(v > 0x10FFFF || (v >= 0xD800 && v < 0xE000) ? 0xFFFD : v, to: &out)
                i += 4
            }
            carry.append(contentsOf: chunk[i...])
        default:
            let little = encoding == .utf16LE
            var i = 0
            while i + 1 < chunk.count {
                let unit = little ? UInt32(chunk[i]) | UInt32(chunk[i + 1]) << 8 : UInt32(chunk[i]) << 8 | UInt32(chunk[i + 1])
                if unit >= 0xD800 && unit < 0xDC00 {
                    guard i + 3 < chunk.count else { break }
                    let low = little ? UInt32(chunk[i + 2]) | UInt32(chunk[i + 3]) << 8 : UInt32(chunk[i + 2]) << 8 | UInt32(chunk[i + 3])
                    if low >= 0xDC00 && low < 0xE000 {
                        TextDecoder.appendScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), to: &out)
                        i += 4
                    } else {
                        TextDecoder.appendScalar(0xFFFD, to: &out)
                        i += 2
                    }
                    continue
                }
                TextDecoder.appendScalar(unit >= 0xDC00 && unit < 0xE000 ? 0xFFFD : unit, to: &out)
                i += 2
            }
            carry.append(contentsOf: chunk[i...])
        }
    }

    @inline(__always)
    static func appendScalar(_ v: UInt32, to out: inout [UInt8]) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
