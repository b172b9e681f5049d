/// A single-byte encoding: bytes below 0x80 are ASCII, each byte above is one character, so
/// any piece of a file decodes on its own. Decoding is a table lookup per byte (the tables are
/// generated from Python's codecs: `CodePages.swift`).
struct CodePage: Sendable {
    let name: String
    /// The Unicode scalars of 0x80...0xFF; 0 where the page leaves the byte undefined.
    let scalars: [UInt32]
    /// The UTF-8 of 0x80...0xFF, packed: up to three bytes in the low bytes, the length in the
    /// top byte. An undefined byte reads as the C1 control of the same value, as browsers do.
    let utf8: [UInt32]

    init(name: String, scalars: [UInt32]) {
        self.name = name
        self.scalars = scalars
        self.utf8 = scalars.enumerated().map { i, s in CodePage.pack(s == 0 ? UInt32(0x80 + i) : s) }
    }

    static let named: [String: CodePage] = {
        var pages: [String: CodePage] = [:]
        for (name, scalars) in tables { pages[name] = CodePage(name: name, scalars: scalars) }
        return pages
    }()

    private static func pack(_ v: UInt32) -> UInt32 {
        switch v {
        case 0..<0x80: 1 << 24 | v
        case 0x80..<0x800: 2 << 24 | (0x80 | v & 0x3F) << 8 | (0xC0 | v >> 6)
        default: 3 << 24 | (0x80 | v & 0x3F) << 16 | (0x80 | v >> 6 & 0x3F) << 8 | (0xE0 | v >> 12)
        }
    }

    /// `bytes` as UTF-8, appended to `out`. ASCII runs are copied eight bytes at a time.
    func append(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let n = bytes.count
        guard n > 0 else { return }
        let start = out.count
        // Each byte becomes at most three; four are written at a time (one spare).
        let decoded = [UInt8](unsafeUninitializedCapacity: n * 3 + 8) { buffer, count in
            let dst = UnsafeMutableRawPointer(buffer.baseAddress!)
            var i = 0, o = 0
            utf8.withUnsafeBufferPointer { table in
                while i < n {
                    if i + 8 <= n {
                        let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        if word & 0x8080_8080_8080_8080 == 0 {
                            dst.storeBytes(of: word, toByteOffset: o, as: UInt64.self)
                            i += 8; o += 8
                            continue
                        }
                    }
                    let b = bytes[i]
                    if b < 0x80 {
                        dst.storeBytes(of: b, toByteOffset: o, as: UInt8.self)
                        o += 1
                    } else {
                        let packed = table[Int(b &- 0x80)]
                        dst.storeBytes(of: (packed & 0xFF_FFFF).littleEndian, toByteOffset: o, as: UInt32.self)
                        o += Int(packed >> 24)
                    }
                    i += 1
                }
            }
            count = o
        }
        if start == 0 { out = decoded } else { out.append(contentsOf: decoded) }
    }
}
