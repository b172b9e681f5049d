/// What the first bytes say about a file, before any schema: its format, encoding and dialect,
/// and a sample of its rows. Shared by `intake import` and `intake inspect`.
public struct SourceDecisions: Sendable {
    public var format: String
    public var encoding: TextEncoding
    var bomLength: Int
    /// How the encoding of a delimited file was decided (nil for workbooks and JSON).
    public var encodingDecision: EncodingDecision? = nil
    public var dialect: Dialect
    public var dialectCandidates: [DialectCandidate]
    /// The first rows (up to `sampleRows`), tokenized.
    public var sample: RowBatch
    /// The sample holds the whole file.
    public var sampleComplete: Bool
    /// Workbooks: every sheet in the workbook's order, the choice, and the chosen sheet's name.
    public var sheets: [SheetSummary] = []
    public var sheetChoice: SheetChoice? = nil
    public var sheet: String? = nil
    var workbook: Workbook? = nil
    /// Columns left of this one are empty in the chosen sheet (shrink-wrapped away).
    var leftColumn = 0
    var json: JSONRows? = nil

    static let sampleBytes = 256 << 10
    static let sampleRows = 1000

    /// Reads the start of `source`. Throws `ImportFailure` for what Intake cannot read.
    /// Workbooks: `sheet` (settings.uploadStep.sheetOverride) names the sheet, else the choice
    /// uses `fields` (the schema's) to compare sheets; when no sheet can be chosen, the
    /// decisions have no sheet (`sheetChoice.index == nil`) and an empty sample.
    /// `encoding` (settings.encoding, a resolution) names the encoding of delimited text, `namedBy`
    /// says where; `wholeFile` checks a file whose start is ASCII to its end (inspect), where an
    /// import finds out only if a later byte is not UTF-8.
    public static func read(
        _ source: any ByteSource, delimiter: String? = nil, limits: ReadLimits = ReadLimits(), sheet: String? = nil,
        fields: [Field] = [], encoding named: TextEncoding? = nil, namedBy: String = "settings.encoding",
        wholeFile: Bool = false
    ) throws -> SourceDecisions {
        let head = try source.prefix(sampleBytes)
        let complete = head.count < sampleBytes
        if head.isEmpty {
            throw ImportFailure(
                "EMPTY_DATA",
                "The file is empty (0 bytes): there is nothing to import. Check the export that made it and drop the file again.")
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return try readWorkbook(source, head: head, sheet: sheet, fields: fields, limits: limits)
        }
        if head.starts(with: CompoundFile.magic) { throw CompoundFile.failure(source) }
        if JSONRows.looksLikeJSON(head) {
            let bytes = try JSONRows.load(source)
            let (rows, sample, count) = try JSONRows.read(bytes, sampleRows: sampleRows)
            return SourceDecisions(
                format: "json", encoding: .utf8, bomLength: 0, dialect: .rfc4180, dialectCandidates: [], sample: sample,
                sampleComplete: count < sampleRows, json: rows)
        }
        try FormatSniffer.check(head)
        var decision: EncodingDecision
        if let named {
            decision = .named(named, head: head, by: namedBy)
        } else if let start = EncodingDetector.fromStart(head, complete: complete), !(wholeFile && start.method == "ascii" && !complete) {
            decision = start
        } else {
            decision = try EncodingDetector.detect(source)
        }
        guard let utf8 = try decode(head, encoding: decision.encoding, bomLength: decision.bomLength, complete: complete) else {
            throw ImportFailure(
                "UNREADABLE_FILE",
                "The file is not \(decision.encoding.rawValue) as \(namedBy) says: a byte in its first \(head.count) bytes is not part of any \(decision.encoding.rawValue) character. Correct \(namedBy), or leave it out to let Intake decide."
            )
        }
        try FormatSniffer.checkText(utf8)
        let forced = delimiter.flatMap { $0.utf8.first }
        let (dialect, candidates) = DialectDetector.detect(utf8, complete: complete, forcedDelimiter: forced)
        let sample = try DelimitedReader.sampleChecked(utf8, dialect: dialect, maxRows: sampleRows, complete: complete, limits: limits)
        return SourceDecisions(
            format: "csv", encoding: decision.encoding, bomLength: decision.bomLength, encodingDecision: decision,
            dialect: dialect, dialectCandidates: candidates, sample: sample, sampleComplete: complete)
    }

    static func decode(_ bytes: [UInt8], encoding: TextEncoding, bomLength: Int, complete: Bool) throws -> [UInt8]? {
        let decoder = try TextDecoder(reader: MemoryReader(bytes), encoding: encoding, bomLength: bomLength)
        var out: [UInt8] = []
        var block: [UInt8] = []
        do {
            while try decoder.next(into: &block) { out.append(contentsOf: block) }
        } catch let e as NotUTF8 {
            // A sequence cut by the sample's end is not an error; a real invalid byte is.
            if !complete, e.offset >= bytes.count - 4 { return out }
            return nil
        }
        return out
    }

    /// Reads every row of the file as these decisions say, batch by batch. When a file that
    /// looked like UTF-8 in its sample turns out not to be, `restart` is called (to drop what
    /// was done with the rows so far) and the rows are read again in the encoding the whole
    /// file says (`EncodingDetector`). Returns the encoding the rows were finally read in.
    @discardableResult
    public func forEachBatch(
        _ source: any ByteSource, limits: ReadLimits = ReadLimits(), restart: () throws -> Void = {},
        _ body: (RowBatch) throws -> Void
    ) throws -> TextEncoding {
        try forEachBatch(
            source, limits: limits, restart: restart,
            reading: { reader in
                while let batch = try reader() { try body(batch) }
            }
        ).encoding
    }

    /// How a pass over the file ended: the encoding it was read in, and the last record of a
    /// delimited file when no line end closed it (nil when the reading stopped before the end).
    struct PassEnd {
        var encoding: TextEncoding
        /// How the encoding was decided, when the pass decided it again (a late surprise).
        var encodingDecision: EncodingDecision? = nil
        var unterminated: UnterminatedRecord?
        /// The records that did not become rows of the table (set by the reader that filters).
        var leftOut = LeftOut()
    }

    /// The same, giving `reading` a function that returns the next batch (nil at the end).
    @discardableResult
    func forEachBatch(
        _ source: any ByteSource, limits: ReadLimits, restart: () throws -> Void,
        reading: (() throws -> RowBatch?) throws -> Void
    ) throws -> PassEnd {
        if let workbook, let index = sheetChoice?.index {
            let reader = try workbook.rows(ofSheet: index, limits: limits, leftColumn: leftColumn)
            try reading { try reader.next() }
            return PassEnd(encoding: encoding)
        }
        if let json {
            // The document is in memory already (bounded, §14): its batches are made up front.
            var batches: [RowBatch] = []
            try json.forEachBatch(try JSONRows.load(source)) { batches.append($0) }
            var next = 0
            try reading {
                defer { next += 1 }
                return next < batches.count ? batches[next] : nil
            }
            return PassEnd(encoding: encoding)
        }
        var unterminated: UnterminatedRecord?
        let decision = try withEncoding(source, restart: restart) { encoding, bom in
            let reader = try DelimitedReader(source: source, encoding: encoding, bomLength: bom, dialect: dialect, limits: limits)
            try reading { try reader.next() }
            unterminated = reader.unterminated
        }
        return PassEnd(encoding: decision?.encoding ?? encoding, encodingDecision: decision, unterminated: unterminated)
    }

    /// Delimited text in an encoding with one byte per line end can be cut into chunks and read
    /// on several threads (`ChunkedPass`).
    var chunkable: Bool { format == "csv" && encoding.cutsAtLineEnds }

    /// The main pass of a `chunkable` file on `width` threads: `processor`'s rows of the table
    /// `header` starts, in order. Restarts like `forEachBatch`; returns the encoding read in.
    func forEachChunk(
        _ source: any ByteSource, limits: ReadLimits, header: HeaderDecision, processor: RowProcessor, width: Int,
        chunkSize: Int = ChunkedPass.defaultChunkSize, restart: () throws -> Void,
        _ consume: (ProcessedBatch) throws -> Void
    ) throws -> PassEnd {
        var end: (UnterminatedRecord?, LeftOut) = (nil, LeftOut())
        let decision = try withEncoding(source, restart: restart) { encoding, bom in
            if encoding.cutsAtLineEnds {
                let pass = ChunkedPass(
                    dialect: dialect, encoding: encoding, bomLength: bom, limits: limits, header: header, processor: processor,
                    chunkSize: chunkSize)
                end = try pass.run(source, width: width, consume: consume)
            } else {
                // Decided again as an encoding that is not cut in chunks: one batch after another.
                let reader = try DelimitedReader(source: source, encoding: encoding, bomLength: bom, dialect: dialect, limits: limits)
                var filter = TableFilter(header, format: "csv")
                while let batch = try reader.next() {
                    let processed = processor.process(filter.filter(batch))
                    if processed.count > 0 { try consume(processed) }
                }
                filter.finish()
                end = (reader.unterminated, filter.takeLeftOut())
            }
        }
        return PassEnd(encoding: decision?.encoding ?? encoding, encodingDecision: decision, unterminated: end.0, leftOut: end.1)
    }

    /// Runs `body` in the file's encoding; when UTF-8 turns out wrong (and no one named it),
    /// calls `restart`, decides the encoding from the whole file and runs it again. Returns the
    /// new decision, or nil when the first one held.
    private func withEncoding(
        _ source: any ByteSource, restart: () throws -> Void,
        _ body: (TextEncoding, Int) throws -> Void
    ) throws -> EncodingDecision? {
        do {
            try body(encoding, bomLength)
            return nil
        } catch let e as NotUTF8 where encoding == .utf8 {
            if let named = encodingDecision, named.method == "named" {
                throw ImportFailure(
                    "UNREADABLE_FILE",
                    "The file is not UTF-8 as \(named.note.dropFirst("named in ".count)) says: the byte at offset \(e.offset) is not part of any UTF-8 character. Correct the setting, or leave it out to let Intake decide."
                )
            }
            try restart()
            var decision = try EncodingDetector.detect(source, notUTF8: true)
            if decision.encoding == .utf8 {
                // Cannot happen (a byte that is not UTF-8 is evidence); were it to, one byte per character reads any file.
                decision = EncodingDecision(
                    .windows1252, method: "language models", confidence: 0.5, note: "not UTF-8, and no evidence of another encoding")
                decision.unsure = true
            }
            try body(decision.encoding, decision.bomLength)
            return decision
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

/// Recognizes the formats Intake does not read, by content (contract §11).
enum FormatSniffer {
    static func check(_ head: [UInt8]) throws {
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts(Array("%PDF".utf8)) {
            throw ImportFailure(
                "UNSUPPORTED_FORMAT",
                "This is a PDF document, not a spreadsheet. Intake reads CSV, TSV and other delimited text; export the data as CSV and drop that file instead."
            )
        }
        if starts([0x1F, 0x8B]) {
            throw ImportFailure(
                "UNSUPPORTED_FORMAT",
                "This is a gzip-compressed file. Intake reads CSV, TSV and other delimited text; decompress it and drop the data file itself."
            )
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
            throw ImportFailure(
                "UNREADABLE_FILE",
                "The file looks like binary data, not text: \(control) of its first \(n) bytes (as text) are control characters. Intake reads CSV, TSV and other delimited text; check that the right file was sent."
            )
        }
    }
}
