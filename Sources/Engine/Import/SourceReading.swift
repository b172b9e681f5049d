/// What the first bytes say about a file, before any schema: its format, encoding and dialect,
/// and a sample of its rows. Shared by `intake import` and `intake inspect`.
public struct SourceDecisions: Sendable {
    public var format: String
    public var encoding: TextEncoding
    var bomLength: Int
    public var dialect: Dialect
    public var dialectCandidates: [DialectCandidate]
    /// The first rows (up to `sampleRows`), tokenized.
    public var sample: RowBatch
    /// The sample holds the whole file.
    public var sampleComplete: Bool

    static let sampleBytes = 256 << 10
    static let sampleRows = 1000

    /// Reads the start of `source`. Throws `ImportFailure` for what Intake cannot read.
    public static func read(_ source: any ByteSource, delimiter: String? = nil, limits: ReadLimits = ReadLimits()) throws -> SourceDecisions {
        let head = try source.prefix(sampleBytes)
        let complete = head.count < sampleBytes
        if head.isEmpty { throw ImportFailure("EMPTY_DATA", "The file is empty (0 bytes): there is nothing to import. Check the export that made it and drop the file again.") }
        try FormatSniffer.check(head)
        var (encoding, bom) = TextEncoding.detect(head)
        var text = decode(head, encoding: encoding, bomLength: bom, complete: complete)
        if text == nil { (encoding, bom) = (.windows1252, 0); text = decode(head, encoding: .windows1252, bomLength: 0, complete: complete) }
        let utf8 = text ?? []
        try FormatSniffer.checkText(utf8)
        let forced = delimiter.flatMap { $0.utf8.first }
        let (dialect, candidates) = DialectDetector.detect(utf8, complete: complete, forcedDelimiter: forced)
        let sample = try DelimitedReader.sampleChecked(utf8, dialect: dialect, maxRows: sampleRows, complete: complete, limits: limits)
        return SourceDecisions(format: "csv", encoding: encoding, bomLength: bom, dialect: dialect, dialectCandidates: candidates,
                               sample: sample, sampleComplete: complete)
    }

    static func decode(_ bytes: [UInt8], encoding: TextEncoding, bomLength: Int, complete: Bool) -> [UInt8]? {
        let decoder = TextDecoder(reader: MemoryReader(bytes), encoding: encoding, bomLength: bomLength)
        var out: [UInt8] = []
        var block: [UInt8] = []
        do {
            while try decoder.next(into: &block) { out.append(contentsOf: block) }
        } catch {
            // A sequence cut by the sample's end is not an error; a real invalid byte is.
            if let e = error as? NotUTF8, !complete, e.offset >= bytes.count - 4 { return out }
            return nil
        }
        return out
    }

    /// Reads every row of the file as these decisions say, batch by batch. When a file that
    /// looked like UTF-8 in its sample turns out not to be, `restart` is called (to drop what
    /// was done with the rows so far) and the rows are read again as Windows-1252.
    /// Returns the encoding the rows were finally read in.
    @discardableResult
    public func forEachBatch(_ source: any ByteSource, limits: ReadLimits = ReadLimits(), restart: () throws -> Void = {},
                             _ body: (RowBatch) throws -> Void) throws -> TextEncoding {
        try forEachBatch(source, limits: limits, restart: restart, reading: { reader in
            while let batch = try reader() { try body(batch) }
        })
    }

    /// The same, giving `reading` a function that returns the next batch (nil at the end).
    @discardableResult
    func forEachBatch(_ source: any ByteSource, limits: ReadLimits, restart: () throws -> Void,
                      reading: (() throws -> RowBatch?) throws -> Void) throws -> TextEncoding {
        var encoding = self.encoding
        var bom = bomLength
        while true {
            do {
                let reader = try DelimitedReader(source: source, encoding: encoding, bomLength: bom, dialect: dialect, limits: limits)
                try reading { try reader.next() }
                return encoding
            } catch is NotUTF8 where encoding == .utf8 {
                try restart()
                encoding = .windows1252
                bom = 0
            }
        }
    }

    /// The rows after the header, column by column, as text (for value matching and date order).
    func columnSamples(headerRecord: Int, width: Int, limit: Int = 200) -> [[String]] {
        var columns = [[String]](repeating: [], count: width)
        var taken = 0
        for r in 0..<sample.count where sample.rowRecords[r] > headerRecord && !sample.isBlank(row: r) {
            for c in 0..<width { columns[c].append(sample.string(row: r, column: c)) }
            taken += 1
            if taken >= limit { break }
        }
        return columns
    }
}

/// Recognizes the formats Intake does not read as text, by content (contract §11).
enum FormatSniffer {
    static func check(_ head: [UInt8]) throws {
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            let text = String(decoding: head.prefix(64 << 10), as: UTF8.self)
            if text.contains("xl/") {
                throw ImportFailure("UNSUPPORTED_FORMAT", "This is an Excel workbook (.xlsx), which this version of Intake does not read yet. Save the sheet as CSV (UTF-8) and drop that file instead.")
            }
            if text.contains("opendocument.spreadsheet") {
                throw ImportFailure("UNSUPPORTED_FORMAT", "This is an OpenDocument spreadsheet (.ods), which Intake does not read. Save it as .xlsx or CSV and drop that file instead.")
            }
            throw ImportFailure("UNSUPPORTED_FORMAT", "This is a zip archive, not a spreadsheet Intake reads. Intake reads CSV, TSV and other delimited text; unzip it and drop the data file itself.")
        }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw ImportFailure("UNSUPPORTED_FORMAT", "This is a legacy Excel workbook (.xls) or an encrypted workbook, which Intake does not read. Save it as .xlsx or CSV (without a password) and drop that file instead.")
        }
        if starts(Array("%PDF".utf8)) {
            throw ImportFailure("UNSUPPORTED_FORMAT", "This is a PDF document, not a spreadsheet. Intake reads CSV, TSV and other delimited text; export the data as CSV and drop that file instead.")
        }
        if starts([0x1F, 0x8B]) {
            throw ImportFailure("UNSUPPORTED_FORMAT", "This is a gzip-compressed file. Intake reads CSV, TSV and other delimited text; decompress it and drop the data file itself.")
        }
        var i = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < head.count, head[i] == 0x20 || head[i] == 0x0A || head[i] == 0x0D || head[i] == 0x09 { i += 1 }
        if i < head.count, head[i] == UInt8(ascii: "{") || head[i] == UInt8(ascii: "[") {
            var j = i + 1
            while j < head.count, head[j] == 0x20 || head[j] == 0x0A || head[j] == 0x0D || head[j] == 0x09 { j += 1 }
            if head[i] == UInt8(ascii: "{") || (j < head.count && (head[j] == UInt8(ascii: "{") || head[j] == UInt8(ascii: "]"))) {
                throw ImportFailure("UNSUPPORTED_FORMAT", "This is a JSON document, which this version of Intake does not read as a data file yet. Send the rows as CSV, or put them in a sidecar's initial_data.")
            }
        }
    }

    /// Text with many control characters is binary data under a text name.
    static func checkText(_ text: [UInt8]) throws {
        var control = 0
        for b in text.prefix(64 << 10) where b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C {
            control += 1
        }
        let n = min(text.count, 64 << 10)
        if n > 0 && control * 20 > n {
            throw ImportFailure("UNREADABLE_FILE", "The file looks like binary data, not text: \(control) of its first \(n) bytes (as text) are control characters. Intake reads CSV, TSV and other delimited text; check that the right file was sent.")
        }
    }
}
