/// Reads a delimited text file as batches of rows: decode (to UTF-8) then tokenize, one block
/// at a time, so memory holds a block and a batch however large the file is.
final class DelimitedReader {
    private let decoder: TextDecoder
    private var tokenizer: CSVTokenizer
    private var block: [UInt8] = []
    private var done = false
    /// Rows per batch: enough to amortize the per-batch work, small enough to stay in cache.
    private let batchRows: Int

    init(
        source: any ByteSource, encoding: TextEncoding, bomLength: Int, dialect: Dialect,
        limits: ReadLimits = ReadLimits(), batchRows: Int = 4096
    ) throws {
        self.decoder = try TextDecoder(reader: try source.open(), encoding: encoding, bomLength: bomLength)
        self.tokenizer = CSVTokenizer(dialect: dialect, limits: limits)
        self.batchRows = batchRows
    }

    /// The file's last record when no line end closed it, once the end was read.
    var unterminated: UnterminatedRecord? { tokenizer.unterminated }

    /// The next batch of finished rows, or nil at the end of the file.
    /// Throws `ReadError` for an unreadable row, `NotUTF8` when UTF-8 turns out wrong.
    func next() throws -> RowBatch? {
        while !done && tokenizer.finishedRows < batchRows {
            if try decoder.next(into: &block) {
                try block.withUnsafeBytes { try tokenizer.feed($0) }
            } else {
                try tokenizer.finish()
                done = true
            }
        }
        if tokenizer.finishedRows == 0 { return nil }
        var rows = tokenizer.takeFinishedRows()
        // Where a row is in the text is where it is in the file only when the text is the file's bytes.
        if decoder.encoding != .utf8 { rows.rowSpans.removeAll() }
        return rows
    }

    /// Every row of `bytes` up to `maxRows` (for samples and small files). A row that breaks a
    /// limit ends the sample: the rows before it are still a sample (detection tries dialects
    /// that may well split a line into too many columns).
    static func sample(_ bytes: [UInt8], dialect: Dialect, maxRows: Int, complete: Bool) -> RowBatch {
        (try? sampleChecked(bytes, dialect: dialect, maxRows: maxRows, complete: complete, limits: ReadLimits())) ?? RowBatch()
    }

    /// The same, but a row that breaks a limit is an error: for the dialect that was chosen.
    static func sampleChecked(
        _ bytes: [UInt8], dialect: Dialect, maxRows: Int, complete: Bool, limits: ReadLimits
    ) throws(ReadError) -> RowBatch {
        var tokenizer = CSVTokenizer(dialect: dialect, limits: limits)
        var failure: ReadError?
        bytes.withUnsafeBytes { buffer in
            var start = 0
            // Feed in slices so a sample that already holds enough rows stops early.
            while start < buffer.count && tokenizer.finishedRows < maxRows {
                let end = min(buffer.count, start + 16 << 10)
                do { try tokenizer.feed(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) } catch {
                    failure = error as? ReadError ?? ReadError("unreadable")
                    return
                }
                start = end
            }
        }
        if let failure { throw failure }
        if complete || tokenizer.finishedRows == 0 { try tokenizer.finish() }
        var batch = tokenizer.batch
        if batch.count > maxRows { batch.truncate(rows: maxRows) }
        return batch
    }
}

extension RowBatch {
    /// Keeps the first `rows` finished rows.
    mutating func truncate(rows: Int) {
        guard rows < count else { return }
        let cells = rows == 0 ? 0 : rowCellEnds[rows - 1]
        let bytesEnd = cells == 0 ? 0 : cellEnds[cells - 1]
        rowCellEnds.removeSubrange(rows...)
        rowLines.removeSubrange(rows...)
        rowRecords.removeSubrange(rows...)
        if rowSpans.count > rows { rowSpans.removeSubrange(rows...) }
        cellEnds.removeSubrange(cells...)
        bytes.removeSubrange(bytesEnd...)
    }
}
