import Testing
@testable import Engine

/// The hot path's byte buffer: what is appended comes out whole, across growth, and a finished
/// block stays as it was while the writer goes on.
struct ByteWriterTests {
    @Test func appendsSurviveGrowthAndTruncation() {
        let writer = ByteWriter(capacity: 16)
        var expected: [UInt8] = []
        for i in 0..<1000 {
            let piece = Array("cell \(i),".utf8)
            piece.withUnsafeBytes { writer.append(bytes: $0) }
            writer.append(0x0A)
            expected += piece + [0x0A]
        }
        let mark = writer.count
        writer.append(contentsOf: "dropped".utf8)
        writer.truncate(to: mark)
        #expect(writer.count == expected.count)
        #expect(Array(writer.bytes(0..<6)) == Array("cell 0".utf8))
        let block = writer.finish()
        #expect(block.withUnsafeBytes { Array($0) } == expected)
        // The writer starts again; the block it handed over does not change.
        writer.append(contentsOf: "next".utf8)
        #expect(writer.count == 4)
        #expect(block.count == expected.count)
    }

    /// JSON strings are scanned eight bytes at a time, the last few in one word too: every
    /// string of 0 to 20 bytes with one special byte (`"`, `\`, a control, `é`) at each place,
    /// read from inside a larger buffer, is escaped as a byte-by-byte escaper does it.
    @Test func jsonStringsEscapeEachSpecialByteWhereverItIs() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for b in bytes {
                switch b {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case ..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
                default: out.append(b)
                }
            }
            return out + [0x22]
        }
        var failures: [String] = []
        for length in 0...20 {
            for position in -1..<length {
                for special in [[0x22], [0x5C], [0x01], [0x0A], [0x1F], [0xC3, 0xA9]] as [[UInt8]] {
                    var text = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    if position >= 0 { text.replaceSubrange(position..<(position + 1), with: special) }
                    // Special bytes just before and after the string in the buffer it is read from.
                    let buffer: [UInt8] = [0x22, 0x5C] + text + [0x22, 0x01]
                    var out: [UInt8] = []
                    buffer.withUnsafeBytes { JSONWriter.appendString(UnsafeRawBufferPointer(rebasing: $0[2..<(2 + text.count)]), to: &out) }
                    if out != reference(text) { failures.append(String(decoding: text, as: UTF8.self)) }
                }
            }
        }
        let count = failures.count
        #expect(count == 0, "\(failures.prefix(10))")
    }

    @Test func jsonAndDatesWriteTheSameBytesIntoEitherSink() throws {
        let writer = ByteWriter()
        var array: [UInt8] = []
        let cell: [UInt8] = Array("say \"hi\"\n\u{01}é".utf8)
        cell.withUnsafeBytes { JSONWriter.appendString($0, to: &array) }
        var sink = writer
        cell.withUnsafeBytes { JSONWriter.appendString($0, to: &sink) }
        let pattern = try DateFormatPattern("EEEE d MMMM yyyy 'at' HH:mm")
        let date = CivilDate(year: 2026, month: 11, day: 29), time = CivilTime(hour: 9, minute: 5, second: 0, nanosecond: 0)
        pattern.append(date: date, time: time, utcOffsetSeconds: nil, to: &array)
        pattern.append(date: date, time: time, utcOffsetSeconds: nil, to: &sink)
        #expect(writer.finish().withUnsafeBytes { Array($0) } == array)
        #expect(String(decoding: array, as: UTF8.self) == #""say \"hi\"\n\u0001é"Sunday 29 November 2026 at 09:05"#)
    }
}
