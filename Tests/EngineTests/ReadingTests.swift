@testable import Engine
import Foundation
import Testing

/// A source that makes its bytes as it goes: a huge file without the memory.
struct GeneratedSource: ByteSource {
    let size: Int?
    let byte: UInt8
    let prefix: [UInt8]
    func open() throws -> any ByteReader { Reader(total: size!, byte: byte, prefix: prefix) }

    final class Reader: ByteReader {
        var remaining: Int
        let byte: UInt8
        var prefix: [UInt8]
        init(total: Int, byte: UInt8, prefix: [UInt8]) { remaining = total; self.byte = byte; self.prefix = prefix }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            if !prefix.isEmpty {
                let n = min(prefix.count, buffer.count)
                buffer.copyBytes(from: prefix[0..<n])
                prefix.removeFirst(n)
                remaining -= n
                return n
            }
            let n = min(remaining, buffer.count)
            if n > 0 { memset(buffer.baseAddress!, Int32(byte), n) }
            remaining -= n
            return n
        }
    }
}

struct ReadingTests {
    /// csv-spectrum's 11 cases (Tests/Fixtures/corpus/csv-spectrum/README.md).
    static let spectrum = FixtureTests.root.appendingPathComponent("corpus/csv-spectrum")

    static var spectrumCases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: spectrum.appendingPathComponent("csvs").path)) ?? [])
            .filter { $0.hasSuffix(".csv") }.sorted()
    }

    /// The table as `inspect --csv` writes it, parsed back into rows of strings.
    static func table(_ bytes: [UInt8]) throws -> [[String]] {
        var out: [UInt8] = []
        try Inspector.writeCSV(MemorySource(bytes)) { out.append(contentsOf: $0) }
        let batch = DelimitedReader.sample(out, dialect: .rfc4180, maxRows: .max, complete: true)
        return (0..<batch.count).map { batch.strings(row: $0) }
    }

    @Test func everyCSVSpectrumCaseIsThere() {
        #expect(ReadingTests.spectrumCases.count == 11, "\(ReadingTests.spectrum.path)")
    }

    @Test(arguments: ReadingTests.spectrumCases)
    func csvSpectrumCaseReadsAsItsExpectedJSON(_ name: String) throws {
        let csv = try [UInt8](Data(contentsOf: ReadingTests.spectrum.appendingPathComponent("csvs/\(name)")))
        let json = try [UInt8](Data(contentsOf: ReadingTests.spectrum.appendingPathComponent("json/\(name.dropLast(4)).json")))
        let expected = try #require(JSONParser.parse(json).arrayValue)
        let rows = try ReadingTests.table(csv)
        let header = rows.first ?? []
        let records: [JSONValue] = rows.dropFirst().map { row in
            .object(JSONObject(zip(header, row).map { (key: $0, value: .string($1)) }))
        }
        #expect(records == expected)
    }

    @Test func rowsAreTheSameWhateverTheBlockBoundaries() throws {
        // A quote followed by spaces and then text is text (`"p"  q"`): held across blocks.
        let text = Array("a,\"b\r\nc\",\"d\"\"e\"\r\n\r\nf,g,h\r\"p\"  q\",r\nlast,\"unclosed".utf8)
        var whole = CSVTokenizer(dialect: .rfc4180)
        try text.withUnsafeBytes { try whole.feed($0) }
        try whole.finish()
        var pieces = CSVTokenizer(dialect: .rfc4180)
        var collected: [[String]] = []
        for b in text {
            try [b].withUnsafeBytes { try pieces.feed($0) }
            try [UInt8]().withUnsafeBytes { try pieces.feed($0) }
            let batch = pieces.takeFinishedRows()
            collected += (0..<batch.count).map { batch.strings(row: $0) }
        }
        try pieces.finish()
        let tail = pieces.takeFinishedRows()
        collected += (0..<tail.count).map { tail.strings(row: $0) }
        let expected = (0..<whole.batch.count).map { whole.batch.strings(row: $0) }
        #expect(collected == expected)
        #expect(expected == [["a", "b\r\nc", "d\"e"], [""], ["f", "g", "h"], ["p\"  q", "r"], ["last", "unclosed"]])
        #expect(whole.batch.rowLines == [1, 3, 4, 5, 6])
    }

    @Test(
        arguments: [
            ("utf-8 BOM", [0xEF, 0xBB, 0xBF] + Array("name\nZoë\n".utf8), TextEncoding.utf8, "Zoë"),
            ("utf-16 LE", [0xFF, 0xFE] + Array("name\nZoë\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, .utf16LE, "Zoë"),
            ("utf-16 BE", [0xFE, 0xFF] + Array("name\nZoë\n".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, .utf16BE, "Zoë"),
            ("windows-1252", Array("name\n".utf8) + [0x5A, 0x6F, 0xEB, 0x80, 0x0A], .windows1252, "Zoë€"),
        ] as [(String, [UInt8], TextEncoding, String)])
    func encodingsAreDetectedAndDecodedToUTF8(_ label: String, _ bytes: [UInt8], _ encoding: TextEncoding, _ value: String) throws {
        let d = try SourceDecisions.read(MemorySource(bytes))
        #expect(d.encoding == encoding, "\(label)")
        #expect(try ReadingTests.table(bytes) == [["name"], [value]], "\(label)")
    }

    @Test func aFileThatStopsBeingUTF8LateIsReadAsWindows1252() throws {
        // 300 KB of ASCII rows (past the sample), then one Windows-1252 byte.
        var bytes = Array("name,email\n".utf8)
        for i in 0..<20_000 { bytes += Array("person\(i),p\(i)@example.com\n".utf8) }
        bytes += Array("Ren".utf8) + [0xE9] + Array(",renee@example.com\n".utf8)
        let schema = Schema(fields: [Field(key: "name"), Field(key: "email", type: FieldType(.email))])
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: schema, filename: "late.csv"), source: MemorySource(bytes), workspace: workspace)
        #expect(outcome.status == .successful)
        let results = try #require(workspace.text("results.json"))
        #expect(results.hasSuffix("{\"name\":\"René\",\"email\":\"renee@example.com\"}\n]\n"))
        #expect(workspace.text("metadata.json")?.contains("\"encoding\": \"windows-1252\"") == true)
    }

    @Test func dialectsAreDetected() throws {
        let cases: [(String, UInt8, UInt8?, Dialect.Escape)] = [
            ("a;b;c\n1;2,5;3\n4;5,5;6\n", UInt8(ascii: ";"), UInt8(ascii: "\""), .doubled),
            ("a\tb\tc\n1\t2\t3\n", UInt8(ascii: "\t"), UInt8(ascii: "\""), .doubled),
            ("a|b|c\n1|2|3\n", UInt8(ascii: "|"), UInt8(ascii: "\""), .doubled),
            ("a,b\n'x, y',2\n'z',3\n", UInt8(ascii: ","), UInt8(ascii: "'"), .doubled),
            ("a,b\n\"x \\\"y\\\"\",2\n\"z\",3\n", UInt8(ascii: ","), UInt8(ascii: "\""), .backslash),
            ("id value when\n1 2.5 2024-01-01\n2 3.5 2024-01-02\n3 4.5 2024-01-03\n", UInt8(ascii: " "), UInt8(ascii: "\""), .doubled),
            ("a, b, c\n1, \"x, y\", 3\n2, \"z\", 4\n", UInt8(ascii: ","), UInt8(ascii: "\""), .doubled),
            ("name,size\n\"Boots, 10\"\",4\n\"Boxer, 5\" Inseam\",2\n\"Hat\",1\n", UInt8(ascii: ","), UInt8(ascii: "\""), .none),
            ("Notes for March\nsee the sheet below\nand more text here\n", UInt8(ascii: ","), UInt8(ascii: "\""), .doubled),
        ]
        for (text, delimiter, quote, escape) in cases {
            let d = try SourceDecisions.read(MemorySource(text))
            #expect(d.dialect.delimiter == delimiter, "\(text)")
            #expect(d.dialect.quote == quote, "\(text)")
            #expect(d.dialect.escape == escape, "\(text)")
        }
    }

    @Test(
        arguments: [
            ("a, b, c\n1, \"x, y\", 3\n", [["a", "b", "c"], ["1", "x, y", "3"]]),
            ("name,size\n\"Boxer, 5\" Inseam\",2\n\"Hat\" ,1\n", [["name", "size"], ["Boxer, 5\" Inseam", "2"], ["Hat", "1"]]),
            ("name|path\n\"a \\\"b\\\"\"|\"C:\\data\"\n", [["name", "path"], ["a \"b\"", "C:\\data"]]),
        ] as [(String, [[String]])])
    func cellsReadAsWritten(_ text: String, _ rows: [[String]]) throws {
        #expect(try ReadingTests.table(Array(text.utf8)) == rows, "\(text)")
    }

    @Test func theHeaderIsFoundBelowTitlesAndBlankLines() throws {
        let text =
            "Quarterly customers\nExported by ACME\n\n,,\nid,name,email\n1,Ada,ada@example.com\n2,Alan,alan@example.com\n3,Grace,grace@example.com\n"
        let d = try SourceDecisions.read(MemorySource(text))
        let fields = [Field(key: "id"), Field(key: "name"), Field(key: "email")]
        #expect(HeaderDetector.detect(d.sample, fields: fields, override: nil).chosen == 4)
        #expect(HeaderDetector.detect(d.sample, fields: [], override: nil).chosen == 4)
    }

    @Test(.timeLimit(.hangGuard))
    func aHundredThousandColumnsIsAClearFailure() throws {
        let row = Array(repeating: "c", count: 100_000).joined(separator: ",")
        let bytes = Array("\(row)\n\(row)\n".utf8)
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: Schema(fields: [Field(key: "c")]), filename: "wide.csv"),
            source: MemorySource(bytes), workspace: MemoryWorkspace())
        #expect(outcome.status == .failed)
        #expect(outcome.failure?.code == "UNREADABLE_FILE")
        #expect(outcome.failure?.message.contains("more than 16384 columns") == true)
    }

    @Test(.timeLimit(.hangGuard))
    func aGigabyteLineWithoutANewlineIsAClearFailureInBoundedMemory() throws {
        let source = GeneratedSource(size: 1 << 30, byte: UInt8(ascii: "x"), prefix: Array("name\n".utf8))
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: Schema(fields: [Field(key: "name")]), filename: "long.csv"),
            source: source, workspace: MemoryWorkspace())
        #expect(outcome.status == .failed)
        #expect(outcome.failure?.code == "UNREADABLE_FILE")
        #expect(outcome.failure?.message.contains("longer than 32 MiB") == true)
    }
}

/// The tokenizer's word-at-a-time scan stops where a byte loop would: on the first of its
/// bytes, never past it, wherever it sits in a word and whatever the bytes around it.
@Test(arguments: [UInt8(0x2C), 0x3B, 0x09, 0x80, 0xFF])
func theWordScanStopsAtTheFirstByteItLooksFor(_ delimiter: UInt8) {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
        let count = Int.random(in: 0..<40, using: &generator)
        // Mostly ordinary bytes (high ones too, and ones a borrow could confuse: 0x01, 0x80, 0x81).
        let alphabet: [UInt8] = [0x61, 0x00, 0x01, 0x80, 0x81, 0xFE, 0x0B, 0x0C, 0x2B, 0x2D]
        var bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
        if count > 0, Bool.random(using: &generator) {
            bytes[Int.random(in: 0..<count, using: &generator)] = [delimiter, 0x0A, 0x0D].randomElement(using: &generator)!
        }
        let start = count == 0 ? 0 : Int.random(in: 0...count, using: &generator)
        let expected = bytes[start...].firstIndex { $0 == delimiter || $0 == 0x0A || $0 == 0x0D } ?? count
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 8)!
            let stop = ByteScan.skip(base, from: start, to: count, delimiter, 0x0A, 0x0D)
            #expect(stop <= expected, "\(bytes) from \(start)")
            // What the scan skipped holds none of the bytes; the byte loop takes it from there.
            #expect(stop == expected || count - stop < 8, "\(bytes) from \(start): stopped at \(stop), first at \(expected)")
        }
    }
}

/// JSON strings escaped eight bytes at a time say the same as byte by byte: every control
/// character, quote and backslash escaped wherever it sits in a word, everything else as is.
@Test func jsonStringsAreEscapedAsByteByByte() {
    var generator = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = [0x61, 0x22, 0x5C, 0x00, 0x1F, 0x20, 0x0A, 0x09, 0x7F, 0x80, 0xC3, 0xA9, 0x21, 0x5B, 0x5D]
    for _ in 0..<3_000 {
        let bytes = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        var expected: [UInt8] = [0x22]
        for b in bytes {
            switch b {
            case 0x22: expected += [0x5C, 0x22]
            case 0x5C: expected += [0x5C, 0x5C]
            case 0x0A: expected += [0x5C, UInt8(ascii: "n")]
            case 0x0D: expected += [0x5C, UInt8(ascii: "r")]
            case 0x09: expected += [0x5C, UInt8(ascii: "t")]
            case 0..<0x20: expected += Array(String(format: "\\u%04x", Int(b)).utf8)
            default: expected.append(b)
            }
        }
        expected.append(0x22)
        var out: [UInt8] = []
        bytes.withUnsafeBytes { JSONWriter.appendString($0, to: &out) }
        #expect(out == expected, "\(bytes)")
    }
}
