/// Reads a worksheet's rows as a stream, into the same `RowBatch` the CSV tokenizer fills:
/// each cell as text (see `ExcelValue`), placed by its reference (`B7`; a cell without one
/// follows the previous), rows by their number (a row without one follows the previous).
/// `rowLines` holds the sheet's row number (1-based), `rowRecords` the 0-based row index.
/// Rows without any value are left out (blank rows are skipped everywhere); columns left of
/// `leftColumn` are dropped (the table is shrink-wrapped to its used range).
final class SheetReader {
    private let scanner: XMLScanner
    private let strings: SharedStrings
    private let styles: [CellFormat]
    private let date1904: Bool
    private let limits: ReadLimits
    let leftColumn: Int
    private var done = false
    private var previousRow = 0
    private var buffers = Buffers()
    /// The `<dimension ref>` the sheet declares: its first column (0-based), when given.
    private(set) var declaredFirstColumn: Int?
    /// The number of rows the `<dimension ref>` spans, when given as a range.
    private(set) var declaredRows: Int?
    /// The smallest column (0-based, before `leftColumn`) that held a value so far.
    private(set) var minimumColumn = Int.max
    private(set) var widest = 0

    init(_ scanner: XMLScanner, workbook: Workbook, limits: ReadLimits, leftColumn: Int) {
        self.scanner = scanner
        self.strings = workbook.strings
        self.styles = workbook.styles
        self.date1904 = workbook.date1904
        self.limits = limits
        self.leftColumn = leftColumn
    }

    /// The next batch of up to `maxRows` rows, or nil at the end of the sheet.
    func next(maxRows: Int = 4096) throws -> RowBatch? {
        // The hot state lives in locals (class properties cost an exclusivity check per access).
        var batch = RowBatch()
        var buffers = Buffers()
        swap(&buffers, &self.buffers)
        defer { swap(&buffers, &self.buffers) }
        while !done && batch.count < maxRows {
            switch try scanner.next() {
            case .endOfDocument:
                done = true
            case .start:
                if scanner.nameIs("row") {
                    try readRow(&batch, &buffers)
                } else if scanner.nameIs("dimension"), let ref = scanner.attribute("ref") {
                    declaredFirstColumn = SheetReader.column(ofReference: ref)
                    if let colon = ref.firstIndex(of: UInt8(ascii: ":")),
                        let first = SheetReader.row(ofReference: UnsafeRawBufferPointer(rebasing: ref[..<colon])),
                        let last = SheetReader.row(ofReference: UnsafeRawBufferPointer(rebasing: ref[(colon + 1)...])), last >= first
                    {
                        declaredRows = last - first + 1
                    }
                } else if scanner.nameIs("sheetData") && scanner.selfClosing {
                    done = true
                }
            case .end:
                if scanner.nameIs("sheetData") { done = true }
            case .text:
                break
            }
        }
        return batch.count == 0 ? nil : batch
    }

    struct Buffers {
        var value: [UInt8] = []
        var inline: [UInt8] = []
    }

    private func readRow(_ batch: inout RowBatch, _ buffers: inout Buffers) throws {
        let number = scanner.attribute("r").flatMap { SheetReader.integer($0) } ?? previousRow + 1
        previousRow = number
        if scanner.selfClosing { _ = try scanner.next(); return }
        var cells = 0
        var nextColumn = 0
        let rowStartCell = batch.cellEnds.count
        while true {
            switch try scanner.next() {
            case .start where scanner.nameIs("c"):
                var column = nextColumn
                if let ref = scanner.attribute("r") {
                    guard let c = SheetReader.column(ofReference: ref) else {
                        throw ReadError(
                            "row \(number) has a cell with the reference \"\(String(decoding: ref, as: UTF8.self))\", which is not a cell reference"
                        )
                    }
                    column = c
                }
                nextColumn = column + 1
                if column >= limits.maxColumns {
                    throw ReadError("row \(number) has a cell in column \(column + 1), past the \(limits.maxColumns) columns Intake reads")
                }
                guard try readCell(&batch, &buffers) else { continue }
                if column < minimumColumn { minimumColumn = column }
                let position = column - leftColumn
                guard position >= 0 else {
                    throw ReadError(
                        "row \(number) has a value in column \(column + 1), left of where the sheet's table starts (its dimension is wrong); save the sheet again in Excel"
                    )
                }
                guard position >= cells else {
                    batch.bytes.removeSubrange((batch.cellEnds.last ?? 0)...)
                    continue  // a cell repeated or out of order: the first one stands
                }
                while cells < position {
                    batch.cellEnds.append(batch.cellEnds.last ?? 0)
                    cells += 1
                }
                batch.cellEnds.append(batch.bytes.count)
                cells += 1
            case .start:
                try scanner.skipElement()
            case .end where scanner.nameIs("row"):
                if cells > 0 {
                    batch.rowCellEnds.append(batch.cellEnds.count)
                    batch.rowLines.append(number)
                    batch.rowRecords.append(number - 1)
                    widest = max(widest, cells)
                } else {
                    batch.cellEnds.removeSubrange(rowStartCell...)
                }
                return
            case .endOfDocument:
                throw ReadError("the sheet's XML ends inside row \(number); the workbook is damaged")
            default:
                break
            }
        }
    }

    /// Reads the cell at the scanner (its start tag just read) and appends its text to the
    /// batch's bytes. False when the cell holds no value (nothing appended).
    private func readCell(_ batch: inout RowBatch, _ buffers: inout Buffers) throws -> Bool {
        let type =
            scanner.attribute("t").map {
                $0.isEmpty ? UInt8(ascii: "n") : $0[0] == UInt8(ascii: "i") ? UInt8(ascii: "I") : $0.count == 3 ? UInt8(ascii: "S") : $0[0]
            } ?? UInt8(ascii: "n")
        let style = scanner.attribute("s").flatMap { SheetReader.integer($0) } ?? 0
        buffers.value.removeAll(keepingCapacity: true)
        buffers.inline.removeAll(keepingCapacity: true)
        if scanner.selfClosing { _ = try scanner.next(); return false }
        var inValue = false, inInline = false, inText = false
        var phonetic = 0
        loop: while true {
            switch try scanner.next() {
            case .start:
                if scanner.nameIs("v") {
                    inValue = true
                } else if scanner.nameIs("is") {
                    inInline = true
                } else if scanner.nameIs("t") {
                    inText = inInline && phonetic == 0
                } else if scanner.nameIs("rPh") {
                    phonetic += 1
                }
            case .text:
                if inValue { scanner.appendText(to: &buffers.value) } else if inText { scanner.appendText(to: &buffers.inline) }
            case .end:
                if scanner.nameIs("c") { break loop }
                if scanner.nameIs("v") {
                    inValue = false
                } else if scanner.nameIs("t") {
                    inText = false
                } else if scanner.nameIs("is") {
                    inInline = false
                } else if scanner.nameIs("rPh") {
                    phonetic -= 1
                }
            case .endOfDocument:
                throw ReadError("the sheet's XML ends inside a cell; the workbook is damaged")
            }
        }
        let before = batch.bytes.count
        switch type {
        case UInt8(ascii: "s"):
            if let index = buffers.value.withUnsafeBytes({ SheetReader.integer($0) }) { _ = strings.append(index, to: &batch.bytes) }
        case UInt8(ascii: "I"):
            OOXMLText.unescape(buffers.inline.isEmpty ? buffers.value : buffers.inline, into: &batch.bytes)
        case UInt8(ascii: "S"):  // str: a formula's text
            OOXMLText.unescape(buffers.value, into: &batch.bytes)
        case UInt8(ascii: "b"):
            guard !buffers.value.isEmpty else { return false }
            batch.bytes.append(
                contentsOf: buffers.value == [UInt8(ascii: "1")] || buffers.value == Array("true".utf8)
                    ? Array("TRUE".utf8) : Array("FALSE".utf8))
        case UInt8(ascii: "e"):
            batch.bytes.append(contentsOf: buffers.value)
        case UInt8(ascii: "d"):
            let format = style < styles.count ? styles[style] : .date
            buffers.value.withUnsafeBytes { ExcelValue.appendISODate($0, format: format, date1904: date1904, to: &batch.bytes) }
        default:
            guard !buffers.value.isEmpty else { return false }
            let format = style < styles.count ? styles[style] : .number
            if format != .number, let serial = Double(String(decoding: buffers.value, as: UTF8.self)),
                ExcelValue.appendDate(serial, format: format, date1904: date1904, to: &batch.bytes)
            {
                break
            }
            buffers.value.withUnsafeBytes { ExcelValue.appendNumber($0, to: &batch.bytes) }
        }
        return batch.bytes.count > before
    }

    /// The 0-based column of a reference like `AB12` (or `$AB$12`).
    static func column(ofReference ref: UnsafeRawBufferPointer) -> Int? {
        var column = 0
        var letters = 0
        for b in ref {
            if b == UInt8(ascii: "$") { continue }
            let u = b & ~0x20
            guard u >= UInt8(ascii: "A"), u <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(u - UInt8(ascii: "A") + 1)
            letters += 1
            if letters > 7 { return nil }
        }
        return letters == 0 ? nil : column - 1
    }

    /// The 1-based row of a reference like `AB12`.
    static func row(ofReference ref: UnsafeRawBufferPointer) -> Int? {
        guard let start = ref.firstIndex(where: { $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return integer(UnsafeRawBufferPointer(rebasing: ref[start...]))
    }

    @inline(__always) static func integer(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard !raw.isEmpty, raw.count <= 18 else { return nil }
        var v = 0
        for b in raw {
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }
}
