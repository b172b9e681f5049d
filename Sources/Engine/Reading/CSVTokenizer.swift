/// How a delimited text file is written.
public struct Dialect: Sendable, Equatable, Hashable {
    public enum Escape: String, Sendable, Hashable {
        /// `""` inside a quoted field is one quote (RFC 4180).
        case doubled = "\"\""
        /// `\"` inside a quoted field is one quote, `\\` one backslash; any other backslash is text.
        case backslash = "\\"
        /// Quotes inside a quoted field are not escaped at all: `"24"",` is `24"`.
        case none = ""
    }

    public var delimiter: UInt8
    /// nil when the file uses no quoting at all.
    public var quote: UInt8?
    public var escape: Escape
    /// Spaces at the start of a cell are not part of it: the `, ` dialect (`a, b, "c, d"`), read
    /// as `,` followed by spaces that are skipped, so a row written `a,b` still reads the same.
    public var skipInitialSpace: Bool

    public init(delimiter: UInt8, quote: UInt8? = UInt8(ascii: "\""), escape: Escape = .doubled, skipInitialSpace: Bool = false) {
        self.delimiter = delimiter
        self.quote = quote
        self.escape = escape
        self.skipInitialSpace = skipInitialSpace
    }

    public static let rfc4180 = Dialect(delimiter: UInt8(ascii: ","))

    /// The delimiter as written in the file: `, ` when spaces after it are skipped.
    public var delimiterText: String {
        String(UnicodeScalar(delimiter)) + (skipInitialSpace && delimiter != 0x20 ? " " : "")
    }
    public var quoteText: String? { quote.map { String(UnicodeScalar($0)) } }
}

/// Limits that keep a hostile file from taking the machine (contract §11).
public struct ReadLimits: Sendable {
    public var maxColumns = 16_384
    public var maxRowBytes = 32 << 20
    public init() {}
}

/// A problem in the file's bytes that makes it unreadable (UNREADABLE_FILE).
public struct ReadError: Error, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Rows as the tokenizer produces them: all cell contents of the batch in one byte array
/// (unquoted, unescaped), and offsets. No String and no allocation per cell.
public struct RowBatch: Sendable {
    public internal(set) var bytes: [UInt8] = []
    /// End offset in `bytes` of each finished cell; a cell starts where the previous one ended.
    var cellEnds: [Int] = []
    /// For each finished row, the index in `cellEnds` just past its last cell.
    var rowCellEnds: [Int] = []
    /// For each finished row, the 1-based line where it starts.
    public internal(set) var rowLines: [Int] = []
    /// For each finished row, its 0-based record number in the file (blank records count).
    public internal(set) var rowRecords: [Int] = []
    /// For each finished row, where its text is in what was tokenized (its line end included),
    /// when the reader knows (delimited text; a row can then be read again alone).
    var rowSpans: [Range<Int>] = []
    /// Offset of the first cell of row 0 in `cellEnds` (cells before belong to dropped rows).
    private var firstCell = 0
    private var firstByte = 0

    public init() {}

    public var count: Int { rowCellEnds.count }
    /// The number of cells in the finished rows.
    public var totalCells: Int { rowCellEnds.last ?? 0 }

    @inline(__always) func cellRange(row: Int) -> Range<Int> {
        (row == 0 ? 0 : rowCellEnds[row - 1])..<rowCellEnds[row]
    }

    public func cellCount(row: Int) -> Int { cellRange(row: row).count }

    @inline(__always) func byteRange(cell c: Int) -> Range<Int> {
        (c == 0 ? 0 : cellEnds[c - 1])..<cellEnds[c]
    }

    /// Calls `body` with the bytes of cell `column` of `row` (empty when the row is shorter).
    @inline(__always)
    public func withCell<R>(row: Int, column: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withRow(row) { try body($0[column]) }
    }

    /// Calls `body` with a view of `row`'s cells: for code that looks at several cells of a row
    /// (the table filter asks of every row), one borrow of the storage instead of one per cell.
    @inline(__always)
    func withRow<R>(_ row: Int, _ body: (RowCells) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { b in
            try cellEnds.withUnsafeBufferPointer { ends in try body(rowCells(row, bytes: b, ends: ends)) }
        }
    }

    /// The view of `row`'s cells within `bytes` and `ends` (this batch's, borrowed by the caller
    /// for all its rows).
    @inline(__always)
    func rowCells(_ row: Int, bytes: UnsafeRawBufferPointer, ends: UnsafeBufferPointer<Int>) -> RowCells {
        let cells = cellRange(row: row)
        return RowCells(bytes: bytes, ends: ends, first: cells.lowerBound, count: cells.count)
    }

    public func string(row: Int, column: Int) -> String {
        withCell(row: row, column: column) { String(decoding: $0, as: UTF8.self) }
    }

    public func strings(row: Int) -> [String] {
        (0..<cellCount(row: row)).map { string(row: row, column: $0) }
    }

    /// A blank row: no cell holds anything but spaces.
    public func isBlank(row: Int) -> Bool {
        let cells = cellRange(row: row)
        return bytes.withUnsafeBytes { buf in
            for c in cells {
                for i in byteRange(cell: c) where buf[i] != 0x20 && buf[i] != 0x09 { return false }
            }
            return true
        }
    }

    /// Numbers the rows `lines` lines and `records` records further on.
    mutating func shift(lines: Int, records: Int, offset: Int = 0) {
        if lines != 0 { for i in rowLines.indices { rowLines[i] += lines } }
        if records != 0 { for i in rowRecords.indices { rowRecords[i] += records } }
        if offset != 0 { for i in rowSpans.indices { rowSpans[i] = (rowSpans[i].lowerBound + offset)..<(rowSpans[i].upperBound + offset) } }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        cellEnds.removeAll(keepingCapacity: true)
        rowCellEnds.removeAll(keepingCapacity: true)
        rowLines.removeAll(keepingCapacity: true)
        rowRecords.removeAll(keepingCapacity: true)
        rowSpans.removeAll(keepingCapacity: true)
    }
}

/// The cells of one row of a `RowBatch`, borrowed (`RowBatch.withRow`).
struct RowCells {
    let bytes: UnsafeRawBufferPointer
    let ends: UnsafeBufferPointer<Int>
    let first: Int
    let count: Int

    /// The bytes of cell `column` (empty when the row is shorter).
    @inline(__always)
    subscript(column: Int) -> UnsafeRawBufferPointer {
        guard column < count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let c = first + column
        let start = c == 0 ? 0 : ends[c - 1]
        return UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + start }, count: ends[c] - start)
    }
}

/// An RFC 4180 tokenizer, lenient where files break the rules: inside a quoted field, a quote
/// that is not followed by a delimiter or a line end (spaces aside) is text, not the field's end
/// (`"5" Inseam"` is `5" Inseam`), and `skipInitialSpace` drops the spaces that open a cell. It
/// runs over UTF-8 blocks
/// as they arrive and appends finished rows to a batch; a row cut by a block boundary is
/// finished by the next block. Line ends may be LF, CRLF or CR.
struct CSVTokenizer {
    private enum State { case cellStart, unquoted, quoted, quoteInQuoted, spacesAfterQuote, escapeInQuoted }

    let dialect: Dialect
    let limits: ReadLimits
    private var state = State.cellStart
    private var afterCR = false
    private var line = 1
    private var record = 0
    private var rowStartLine = 1
    private var rowStartByte = 0
    /// Bytes fed before the current block, and where the row in progress starts among them.
    private var fed = 0
    private var rowStartOffset = 0
    private var rowStartCell = 0
    /// Spaces read after a quote inside a quoted field, not yet known to be text.
    private var pendingSpaces = 0
    /// The finished rows and the one in progress.
    var batch = RowBatch()

    /// `line` and `record`: where the text fed first starts in the file (a chunk after the first).
    init(dialect: Dialect, limits: ReadLimits = ReadLimits(), line: Int = 1, record: Int = 0, offset: Int = 0) {
        self.dialect = dialect
        self.limits = limits
        self.line = line
        self.rowStartLine = line
        self.record = record
        self.fed = offset
        self.rowStartOffset = offset
    }

    /// Sizes the batch for about `bytes` of text at once (a cell per 8 bytes, a row per 64), so
    /// its arrays are not grown by doubling.
    mutating func reserve(forBytes bytes: Int) {
        batch.bytes.reserveCapacity(bytes)
        batch.cellEnds.reserveCapacity(bytes / 8)
        batch.rowCellEnds.reserveCapacity(bytes / 64)
        batch.rowLines.reserveCapacity(bytes / 64)
        batch.rowRecords.reserveCapacity(bytes / 64)
        batch.rowSpans.reserveCapacity(bytes / 64)
    }

    /// The line and record the next row starts on.
    var position: (line: Int, record: Int) { (line, record) }

    /// Between rows: the last row fed was finished and nothing of the next one has come. A chunk
    /// whose tokenizer is not between rows at its end was cut inside a row (a quoted line end).
    /// A CR just read would still swallow an LF right after it: `ChunkCutter` never cuts between
    /// the two, so a chunk that ends with a CR (a file with CR line ends) ends between rows.
    var betweenRows: Bool {
        state == .cellStart && pendingSpaces == 0 && batch.bytes.count == rowStartByte && batch.cellEnds.count == rowStartCell
    }

    /// Numbers the rows from `lines` lines and `records` records further on (a chunk's rows, once
    /// the chunks before it are counted). Only for a tokenizer with no finished rows.
    mutating func shift(lines: Int, records: Int, offset: Int) {
        line += lines
        rowStartLine += lines
        record += records
        fed += offset
        rowStartOffset += offset
    }

    /// Rows finished so far, leaving the partial row in place.
    var finishedRows: Int { batch.count }

    mutating func feed(_ block: UnsafeRawBufferPointer) throws(ReadError) {
        // Cells come out no longer than the text they are read from (plus a quote and spaces
        // held from the block before): the batch's bytes are sized once for the block, written
        // through a pointer, and cut to what was written. Appending them cell by cell to the
        // array was a tenth of the tokenizer's time.
        var bytes: [UInt8] = []
        swap(&bytes, &batch.bytes)
        var fill = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: block.count + pendingSpaces + 2))
        defer {
            bytes.removeLast(bytes.count - fill)
            swap(&bytes, &batch.bytes)
        }
        try bytes.withUnsafeMutableBufferPointer { (out) throws(ReadError) in
            try feed(block, into: out.baseAddress!, fill: &fill)
            precondition(fill <= out.count, "the tokenizer wrote past the room it made")
        }
    }

    private mutating func feed(_ block: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>, fill: inout Int) throws(ReadError) {
        let delimiter = dialect.delimiter
        let quote = dialect.quote ?? 0xFF  // 0xFF never occurs in UTF-8
        let backslash = dialect.escape == .backslash
        let skipSpace = dialect.skipInitialSpace
        let n = block.count
        guard let text = block.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        /// A run of the block's bytes into the cell.
        func copy(_ run: Range<Int>) {
            (out + fill).initialize(from: text + run.lowerBound, count: run.count)
            fill += run.count
        }
        var i = 0
        while i < n {
            let b = block[i]
            if afterCR {
                afterCR = false
                // The LF of a CR LF: the next row starts after it.
                if b == 0x0A { i += 1; rowStartOffset += 1; continue }
            }
            switch state {
            case .cellStart, .unquoted:
                if b == delimiter {
                    try endCell(at: fill)
                    state = .cellStart
                } else if b == 0x0A || b == 0x0D {
                    try endLine(b, at: i, fill: fill)
                } else if b == quote && state == .cellStart {
                    state = .quoted
                } else if b == 0x20 && skipSpace && state == .cellStart {
                    // `, ` dialect: the spaces after a delimiter are not part of the cell.
                } else {
                    // Copy a run of ordinary bytes at once.
                    var j = ByteScan.skip(text, from: i + 1, to: n, delimiter, 0x0A, 0x0D)
                    while j < n {
                        let c = block[j]
                        if c == delimiter || c == 0x0A || c == 0x0D { break }
                        j += 1
                    }
                    copy(i..<j)
                    state = .unquoted
                    i = j
                    continue
                }
            case .quoted:
                if b == quote {
                    state = .quoteInQuoted
                } else if backslash && b == 0x5C {
                    state = .escapeInQuoted
                } else {
                    var j = ByteScan.skip(text, from: i + 1, to: n, quote, backslash ? 0x5C : quote, 0x0A, 0x0D)
                    while j < n {
                        let c = block[j]
                        if c == quote || (backslash && c == 0x5C) || c == 0x0A || c == 0x0D { break }
                        j += 1
                    }
                    if b == 0x0A || (b == 0x0D && !(i + 1 < n && block[i + 1] == 0x0A)) { line += 1 }
                    copy(i..<j)
                    i = j
                    try checkRowSize(fill)
                    continue
                }
            case .quoteInQuoted:
                if b == quote && dialect.escape == .doubled {
                    out[fill] = b; fill += 1
                    state = .quoted
                } else if b == delimiter {
                    try endCell(at: fill)
                    state = .cellStart
                } else if b == 0x0A || b == 0x0D {
                    try endLine(b, at: i, fill: fill)
                } else if b == 0x20 {
                    pendingSpaces = 1
                    state = .spacesAfterQuote
                } else {
                    // Neither a delimiter nor a line end follows: the quote was text (`"5" Inseam"`,
                    // `'won't'`). Read `b` again inside the field: a quote there may close it.
                    out[fill] = quote; fill += 1
                    state = .quoted
                    continue
                }
            case .spacesAfterQuote:
                // `"abc"  ,` closes the field (the spaces are dropped); `"5"  Inseam"` does not.
                if b == 0x20 {
                    pendingSpaces += 1
                } else if b == delimiter {
                    pendingSpaces = 0
                    try endCell(at: fill)
                    state = .cellStart
                } else if b == 0x0A || b == 0x0D {
                    pendingSpaces = 0
                    try endCell(at: fill)
                    line += 1
                    endRow(end: fed + i + 1, fill: fill)
                    afterCR = b == 0x0D
                    state = .cellStart
                } else {
                    out[fill] = quote; fill += 1
                    (out + fill).initialize(repeating: 0x20, count: pendingSpaces); fill += pendingSpaces
                    pendingSpaces = 0
                    state = .quoted
                    continue
                }
            case .escapeInQuoted:
                // `\"` is a quote and `\\` a backslash; before anything else the backslash is
                // text (`"C:\data"`, `8\'9\"`).
                if b == 0x0A || (b == 0x0D) { line += 1 }
                if b != quote && b != 0x5C { out[fill] = 0x5C; fill += 1 }
                out[fill] = b; fill += 1
                state = .quoted
            }
            i += 1
        }
        fed += n
        try checkRowSize(fill)
    }

    /// Ends the input: a last row without a line end is finished. An unclosed quote keeps
    /// what it holds (the row is reported as it stands).
    mutating func finish() throws(ReadError) {
        afterCR = false
        pendingSpaces = 0
        let hasPartial = batch.bytes.count > rowStartByte || batch.cellEnds.count > rowStartCell || state != .cellStart
        if hasPartial {
            let inQuotes = endedInQuotes
            let line = rowStartLine
            try endCell(at: batch.bytes.count)
            endRow(end: fed, fill: batch.bytes.count)
            let row = batch.count - 1
            unterminated = UnterminatedRecord(
                line: line, cells: batch.cellCount(row: row), inQuotes: inQuotes,
                blank: !inQuotes && batch.isBlank(row: row))
        }
        state = .cellStart
    }

    /// The last record, when the text ended without a line end after it (set by `finish`).
    private(set) var unterminated: UnterminatedRecord?

    /// True when the input ended inside a quoted field.
    var endedInQuotes: Bool { state == .quoted || state == .escapeInQuoted }

    /// A line end outside quotes ends the cell and the row (CR LF counts once).
    @inline(__always)
    private mutating func endLine(_ b: UInt8, at i: Int, fill: Int) throws(ReadError) {
        try endCell(at: fill)
        line += 1
        endRow(end: fed + i + 1, fill: fill)
        afterCR = b == 0x0D
        state = .cellStart
    }

    @inline(__always)
    /// `fill`: where the cell's bytes end (the batch's bytes while a block is fed).
    private mutating func endCell(at fill: Int) throws(ReadError) {
        batch.cellEnds.append(fill)
        if batch.cellEnds.count - rowStartCell > limits.maxColumns {
            throw ReadError("line \(rowStartLine) has more than \(limits.maxColumns) columns, the most Intake reads")
        }
    }

    @inline(__always)
    private mutating func checkRowSize(_ fill: Int) throws(ReadError) {
        if fill - rowStartByte > limits.maxRowBytes {
            throw ReadError(
                "the row that starts on line \(rowStartLine) is longer than \(limits.maxRowBytes >> 20) MiB, the most Intake reads in one row (is a quote left open?)"
            )
        }
    }

    @inline(__always)
    private mutating func endRow(end: Int, fill: Int) {
        batch.rowSpans.append(rowStartOffset..<end)
        rowStartOffset = end
        batch.rowCellEnds.append(batch.cellEnds.count)
        batch.rowLines.append(rowStartLine)
        batch.rowRecords.append(record)
        record += 1
        rowStartLine = line
        rowStartByte = fill
        rowStartCell = batch.cellEnds.count
    }

    /// Hands the finished rows to the caller and keeps the partial row for the next block.
    mutating func takeFinishedRows() -> RowBatch {
        var finished = RowBatch()
        swap(&finished, &batch)
        // Move the partial row (if any) into the fresh batch. No slice of `finished` outlives
        // the statement that uses it: the removals below then work in place (a live slice made
        // them copy the whole batch).
        batch.bytes.append(contentsOf: finished.bytes[rowStartByte...])
        for end in finished.cellEnds[rowStartCell...] { batch.cellEnds.append(end - rowStartByte) }
        finished.bytes.removeSubrange(rowStartByte...)
        finished.cellEnds.removeSubrange(rowStartCell...)
        rowStartByte = 0
        rowStartCell = 0
        return finished
    }
}

/// A file's last record that no line end closed: what tells a file cut short (an upload that
/// stopped half-way) from one whose last line merely lacks its line break (contract §11).
struct UnterminatedRecord: Sendable, Equatable {
    /// The line it starts on.
    var line: Int
    var cells: Int
    /// The text ended inside a quoted value.
    var inQuotes: Bool
    /// Only spaces: a trailing blank line, nothing cut.
    var blank: Bool

    /// Cut short, for a table `width` columns wide: a quoted value left open, or fewer cells
    /// than the table has columns.
    func isCut(width: Int) -> Bool { !blank && (inQuotes || cells < width) }
}
