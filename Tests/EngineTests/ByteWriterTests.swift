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
