/// The scratch files' record format: little-endian integers and length-prefixed bytes, written
/// and read back in order.
enum Spill {
    @inline(__always)
    static func put(_ v: UInt32, _ out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8 & 0xFF)); out.append(UInt8(v >> 16 & 0xFF)); out.append(UInt8(v >> 24))
    }

    @inline(__always)
    static func put64(_ v: UInt64, _ out: inout [UInt8]) {
        put(UInt32(truncatingIfNeeded: v), &out)
        put(UInt32(truncatingIfNeeded: v >> 32), &out)
    }

    static func patch(_ v: UInt32, at i: Int, _ out: inout [UInt8]) {
        out[i] = UInt8(v & 0xFF); out[i + 1] = UInt8(v >> 8 & 0xFF); out[i + 2] = UInt8(v >> 16 & 0xFF); out[i + 3] = UInt8(v >> 24)
    }
}

/// Reads a scratch file back in order, a large block at a time.
final class SpillReader {
    private let reader: any ByteReader
    /// Read bytes are `buffer[position..<end]`; the buffer keeps its size between reads.
    private var buffer: [UInt8] = []
    private var position = 0
    private var end = 0
    private var eof = false

    init(_ reader: any ByteReader) { self.reader = reader }

    /// True when `n` more bytes are there (reading more as needed).
    private func ensure(_ n: Int) throws -> Bool {
        if end - position >= n { return true }
        if eof { return false }
        // What is left moves to the front; the rest of the buffer is read into.
        let keep = end - position
        let size = Swift.max(n, 1 << 20)
        if buffer.count < size {
            var bigger = [UInt8](repeating: 0, count: size)
            bigger.withUnsafeMutableBytes { to in
                buffer.withUnsafeBytes { to.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: keep) }
            }
            buffer = bigger
        } else if keep > 0 {
            buffer.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: keep) }
        }
        position = 0
        end = keep
        while end < n && !eof {
            let got = try buffer.withUnsafeMutableBytes { try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
            if got == 0 { eof = true } else { end += got }
        }
        return end >= n
    }

    private func u32(_ at: Int) -> Int {
        Int(buffer[at]) | Int(buffer[at + 1]) << 8 | Int(buffer[at + 2]) << 16 | Int(buffer[at + 3]) << 24
    }

    private func need(_ n: Int) throws {
        guard try ensure(n) else { preconditionFailure("a scratch file ended inside a record") }
    }

    /// An error record: row, sourceRow, the errors as JSON lines.
    func nextErrors() throws -> (row: Int, sourceRow: Int, payload: ArraySlice<UInt8>)? {
        guard try ensure(12) else { return nil }
        let row = u32(position), sourceRow = u32(position + 4), length = u32(position + 8)
        try need(12 + length)
        let payload = buffer[(position + 12)..<(position + 12 + length)]
        position += 12 + length
        return (row, sourceRow, payload)
    }

    /// A rejected row: row, sourceRow, the `_errors` text, the raw cells as CSV.
    func nextReject() throws -> (row: Int, sourceRow: Int, payload: ArraySlice<UInt8>, second: ArraySlice<UInt8>)? {
        guard try ensure(12) else { return nil }
        let row = u32(position), sourceRow = u32(position + 4), length = u32(position + 8)
        try need(16 + length)
        let second = u32(position + 12 + length)
        try need(16 + length + second)
        let payload = buffer[(position + 12)..<(position + 12 + length)]
        let raw = buffer[(position + 16 + length)..<(position + 16 + length + second)]
        position += 16 + length + second
        return (row, sourceRow, payload, raw)
    }

    /// Four integers (a duplicate: row, line, slot, other line).
    func nextQuad() throws -> (row: Int, line: Int, slot: Int, other: Int)? {
        guard try ensure(16) else { return nil }
        let r = (u32(position), u32(position + 4), u32(position + 8), u32(position + 12))
        position += 16
        return r
    }

    /// A value of a unique slot (DuplicateFinder's partitions): slot, hash, row, line.
    func nextUnique() throws -> DuplicateFinder.Entry? {
        guard try ensure(DuplicateFinder.entrySize) else { return nil }
        let e = buffer.withUnsafeBytes { DuplicateFinder.entry(at: position, in: $0) }
        position += DuplicateFinder.entrySize
        return e
    }

    /// A late row: row, sourceRow, flags, then three length-prefixed byte strings.
    func nextLate() throws -> (row: Int, sourceRow: Int, flags: Int, a: [UInt8], b: [UInt8], c: [UInt8])? {
        guard try ensure(16) else { return nil }
        let row = u32(position), sourceRow = u32(position + 4), flags = u32(position + 8)
        var p = 12
        var parts: [[UInt8]] = []
        for _ in 0..<3 {
            try need(p + 4)
            let n = u32(position + p)
            try need(p + 4 + n)
            parts.append(Array(buffer[(position + p + 4)..<(position + p + 4 + n)]))
            p += 4 + n
        }
        position += p
        return (row, sourceRow, flags, parts[0], parts[1], parts[2])
    }

    /// An offsets record: where a row's JSON is in the results scratch file.
    func nextOffset() throws -> (offset: Int, length: Int, row: Int)? {
        guard try ensure(16) else { return nil }
        let offset = u32(position) | u32(position + 4) << 32
        let length = u32(position + 8), row = u32(position + 12)
        position += 16
        return (offset, length, row)
    }

    /// A span record: where a row's text is in the source (offset, length).
    func nextSpan() throws -> Range<Int>? {
        guard try ensure(12) else { return nil }
        let offset = u32(position) | u32(position + 4) << 32
        let length = u32(position + 8)
        position += 12
        return offset..<(offset + length)
    }

    func skip(_ n: Int) throws {
        var left = n
        while left > 0 {
            let have = end - position
            if have == 0 { guard try ensure(Swift.min(left, 1 << 20)) else { return }; continue }
            let step = Swift.min(have, left)
            position += step
            left -= step
        }
    }

    /// Hands the next `n` bytes to `out`, a large piece at a time.
    func copy(_ n: Int, to out: BufferedOutput) throws {
        var left = n
        while left > 0 {
            if end == position { try need(Swift.min(left, 1 << 20)) }
            let step = Swift.min(end - position, left)
            try buffer.withUnsafeBytes { try out.append(UnsafeRawBufferPointer(rebasing: $0[position..<(position + step)])) }
            position += step
            left -= step
        }
    }

    func take(_ n: Int) throws -> [UInt8] {
        try need(n)
        let out = Array(buffer[position..<(position + n)])
        position += n
        return out
    }
}
