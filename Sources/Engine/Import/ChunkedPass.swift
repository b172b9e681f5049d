/// The main pass over delimited text on every core (DESIGN "Chunks in parallel"). The calling
/// thread cuts the file into chunks of about a MB after a line end; a worker decodes, tokenizes,
/// filters and validates each chunk; the calling thread takes the results back in file order,
/// numbers their rows and writes them.
///
/// Two things cannot be known from a chunk alone, so a worker assumes the usual case and the
/// calling thread checks it, in order, and redoes the chunk itself when it was wrong:
/// - that the chunk starts between rows. A line end inside a quoted field looks like any other;
///   a chunk that ends inside a row says so (its tokenizer is not `betweenRows`), and the next
///   chunk is then tokenized again continuing that row.
/// - that the table is in its steady state (data came before, no notes are held back, the table
///   has not ended: `TableFilter.isSteady`). A chunk after held notes is filtered again.
/// A file with multi-line quoted fields or notes between its rows is still read right, with
/// more of it on the calling thread.
struct ChunkedPass {
    static let defaultChunkSize = 1 << 20

    struct Chunk: Sendable {
        var bytes: [UInt8]
        /// Where the chunk starts in the file.
        var offset: Int
        var first: Bool
        var last: Bool
    }

    /// A chunk as a worker left it. Lines and records are counted from the chunk's start.
    struct Worked: Sendable {
        var first = false
        var last = false
        /// Where the chunk's text starts in the file.
        var base = 0
        /// The chunk as UTF-8 (for redoing it).
        var text: [UInt8] = []
        var rows = RowBatch()
        var tokenizer: CSVTokenizer?
        var filter: TableFilter?
        var processed = ProcessedBatch()
        var failure: (any Error)?
    }

    let dialect: Dialect
    let encoding: TextEncoding
    let bomLength: Int
    let limits: ReadLimits
    let header: HeaderDecision
    let processor: RowProcessor
    var chunkSize = ChunkedPass.defaultChunkSize

    /// Reads `source` to its end and hands each chunk's rows of the table to `consume`, in
    /// order. Throws `NotUTF8` when a chunk is not UTF-8 after all. Returns how the file ended:
    /// the records left out (rows past where the table ends are read only to be counted), and
    /// the last record when no line end closed it.
    func run(_ source: any ByteSource, width: Int, consume: (ProcessedBatch) throws -> Void) throws -> (UnterminatedRecord?, LeftOut) {
        let cutter = ChunkCutter(reader: try source.open(), size: chunkSize, encoding: encoding)
        // Each worker validates with plans of its own: threads that share objects contend for
        // their reference counts (that was a fifth of an import's time). Rows past the first
        // chunk have no header before them (the header is in the sample, which the first chunk
        // holds: see ChunkCutter).
        let own = (0..<max(1, width)).map { _ in processor.copy() }
        let rest = own.map { $0.continuing() }
        var filter = TableFilter(header, format: "csv")
        // The tokenizer of a chunk that ended inside a row, numbered from the file's start.
        var carry: CSVTokenizer?
        var line = 1, record = 0
        var unterminated: UnterminatedRecord?
        var leftOut = LeftOut()
        /// The last chunk's unclosed record, numbered from the file's start.
        func keepEnd(of tokenizer: CSVTokenizer, lines: Int) {
            guard var end = tokenizer.unterminated else { return }
            end.line += lines
            unterminated = end
        }
        /// After a chunk a worker tokenized from its start: where the next chunk starts, or (the
        /// chunk was cut inside a row) the tokenizer to continue, numbered from the file's start.
        func advance(past tokenizer: CSVTokenizer, base: Int) {
            if tokenizer.betweenRows {
                line += tokenizer.position.line - 1
                record += tokenizer.position.record
            } else {
                var t = tokenizer
                t.shift(lines: line - 1, records: record, offset: base)
                carry = t
            }
        }
        try OrderedPipeline.run(
            width: width, next: { try cutter.next() },
            process: { [self] chunk, worker in work(chunk, processor: chunk.first ? own[worker] : rest[worker]) }
        ) { worked in
            if let failure = worked.failure, !(failure is ReadError) { throw failure }
            var processed: ProcessedBatch
            if carry == nil, worked.failure == nil, worked.first || filter.isSteady, let tokenizer = worked.tokenizer,
                var after = worked.filter
            {
                // As the worker assumed: its rows, numbered from where the chunk starts.
                processed = worked.processed
                processed.shift(lines: line - 1, offset: worked.base)
                after.shift(lines: line - 1, records: record, offset: worked.base)
                filter = after
                keepEnd(of: tokenizer, lines: line - 1)
                advance(past: tokenizer, base: worked.base)
            } else {
                var rows: RowBatch
                if carry == nil, worked.failure == nil, let tokenizer = worked.tokenizer {
                    // Only the table's state differs: the worker's rows, filtered here.
                    rows = worked.rows
                    rows.shift(lines: line - 1, records: record, offset: worked.base)
                    keepEnd(of: tokenizer, lines: line - 1)
                    advance(past: tokenizer, base: worked.base)
                } else {
                    // Tokenized again, continuing the row the last chunk was cut in (or to
                    // report a bad row with its line in the file).
                    var tokenizer = carry ?? CSVTokenizer(dialect: dialect, limits: limits, line: line, record: record, offset: worked.base)
                    try worked.text.withUnsafeBytes { try tokenizer.feed($0) }
                    if worked.last {
                        try tokenizer.finish()
                        keepEnd(of: tokenizer, lines: 0)
                    }
                    rows = tokenizer.takeFinishedRows()
                    if tokenizer.betweenRows {
                        carry = nil
                        (line, record) = tokenizer.position
                    } else {
                        carry = tokenizer
                    }
                }
                processed = processor.process(filter.filter(rows))
            }
            // Offsets in the text are offsets in the file only when the text is the file's bytes.
            if encoding != .utf8 { processed.sourceSpans = [] }
            if processed.count > 0 { try consume(processed) }
            leftOut.append(filter.takeLeftOut())
        }
        filter.finish()
        leftOut.append(filter.takeLeftOut())
        return (unterminated, leftOut)
    }

    /// A worker's part: decode, tokenize, filter (as in the steady state) and validate.
    private func work(_ chunk: Chunk, processor: RowProcessor) -> Worked {
        var worked = Worked(first: chunk.first, last: chunk.last, base: chunk.offset + (chunk.first ? bomLength : 0))
        do {
            worked.text = try TextDecoder.decodeWhole(
                chunk.bytes, encoding: encoding, bomLength: chunk.first ? bomLength : 0, offset: chunk.offset)
            var tokenizer = CSVTokenizer(dialect: dialect, limits: limits)
            tokenizer.reserve(forBytes: worked.text.count)
            try worked.text.withUnsafeBytes { try tokenizer.feed($0) }
            if chunk.last { try tokenizer.finish() }
            worked.rows = tokenizer.takeFinishedRows()
            var filter = chunk.first ? TableFilter(header, format: "csv") : TableFilter(continuing: header)
            worked.processed = processor.process(filter.filter(worked.rows))
            worked.tokenizer = tokenizer
            worked.filter = filter
        } catch {
            worked.failure = error
        }
        return worked
    }
}

extension ChunkedPass {
    /// Reads rows again alone, by where their text is in the file (`spans`, in row order: see
    /// `ResultWriter.rowSpans`), instead of reading the whole file again: for the rows that
    /// turned invalid late. `wanted` is asked about rows in increasing order, up to `last`.
    static func reread(
        _ source: any ByteSource, dialect: Dialect, limits: ReadLimits, spans: SpillReader, wanted: (Int) -> Bool, last: Int,
        visit: (Int, [String]) throws -> Void
    ) throws {
        let file = SpillReader(try source.open())
        var position = 0
        var row = 0
        while row <= last, let span = try spans.nextSpan() {
            if wanted(row) {
                try file.skip(span.lowerBound - position)
                let text = try file.take(span.count)
                position = span.upperBound
                var tokenizer = CSVTokenizer(dialect: dialect, limits: limits)
                try text.withUnsafeBytes { try tokenizer.feed($0) }
                try tokenizer.finish()
                try visit(row, tokenizer.batch.count > 0 ? tokenizer.batch.strings(row: 0) : [])
            }
            row += 1
        }
    }
}

/// Cuts a file into chunks of about `size` bytes, each ending after a line end (LF, or a CR not
/// followed by LF). A stretch with no line end at all is cut anyway, on a character boundary
/// (the chunk then ends inside a row). The first chunk is read at least `SourceDecisions.sampleBytes`
/// long, so it holds the header. The last chunk says so (it may be empty).
final class ChunkCutter {
    private let reader: any ByteReader
    private let size: Int
    private var leftover: [UInt8] = []
    private var offset = 0
    private var ended = false
    private var done = false

    private let encoding: TextEncoding

    init(reader: any ByteReader, size: Int, encoding: TextEncoding = .utf8) {
        self.reader = reader
        self.size = size
        self.encoding = encoding
    }

    func next() throws -> ChunkedPass.Chunk? {
        guard !done else { return nil }
        let size = offset == 0 ? max(self.size, SourceDecisions.sampleBytes + 1) : self.size
        // Read straight into the chunk's memory, not zeroed first (a memset of every chunk was
        // 1% of an import's instructions).
        let capacity = max(size, leftover.count + (64 << 10))
        var bytes = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            _ = buffer.initialize(fromContentsOf: leftover)
            initialized = leftover.count
            while initialized < capacity && !ended {
                let n = try reader.read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[initialized...])))
                if n == 0 { ended = true } else { initialized += n }
            }
        }
        let filled = bytes.count
        let cut =
            ended ? filled : bytes.withUnsafeBytes { ChunkCutter.cut(UnsafeRawBufferPointer(rebasing: $0[0..<filled]), encoding: encoding) }
        leftover = Array(bytes[cut..<filled])
        bytes.removeSubrange(cut...)
        let chunk = ChunkedPass.Chunk(bytes: bytes, offset: offset, first: offset == 0, last: ended && leftover.isEmpty)
        offset += cut
        done = chunk.last
        return chunk
    }

    /// Where to cut `bytes` (which do not end the file, and start a character): after its last
    /// line end.
    static func cut(_ bytes: UnsafeRawBufferPointer, encoding: TextEncoding = .utf8) -> Int {
        var i = bytes.count - 1
        while i >= 0 && bytes[i] != 0x0A { i -= 1 }
        if i >= 0 { return i + 1 }
        // No LF: a lone CR (one with a byte after it that is not LF).
        i = bytes.count - 2
        while i >= 0 && !(bytes[i] == 0x0D && bytes[i + 1] != 0x0A) { i -= 1 }
        if i >= 0 { return i + 1 }
        // No line end: before the last character that starts, and not between a CR and an LF.
        // A multi-byte encoding's second byte may look like a character of its own (Shift_JIS
        // 田 is 0x93 0x63): its characters are walked from the start.
        var end = bytes.count - 1
        if encoding.iconvName != nil {
            var at = 0
            while at < bytes.count {
                let next = at + encoding.characterLength(lead: bytes[at], next: at + 1 < bytes.count ? bytes[at + 1] : 0)
                if next >= bytes.count { break }
                at = next
            }
            end = at
        } else {
            while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        }
        if end > 0 && bytes[end - 1] == 0x0D { end -= 1 }
        return max(end, 1)
    }
}
