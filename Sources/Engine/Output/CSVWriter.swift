/// RFC 4180 output for the CSV files Intake writes (`rejected.csv`, `inspect --csv`): every
/// field quoted, quotes doubled. Cells that a spreadsheet would run as a formula (starting with
/// `=`, `+`, `-`, `@`, tab or CR) get a leading `'` when `escapeFormulas` is on (contract §12).
public enum CSVWriter {
    @inline(__always)
    public static func appendField(_ bytes: UnsafeRawBufferPointer, escapeFormulas: Bool, to out: inout [UInt8]) {
        out.append(0x22)
        if escapeFormulas, let first = bytes.first,
            first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
                || first == 0x09 || first == 0x0D
        {
            out.append(UInt8(ascii: "'"))
        }
        for b in bytes {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }

    public static func appendField(_ text: String, escapeFormulas: Bool, to out: inout [UInt8]) {
        var s = text
        s.withUTF8 { appendField(UnsafeRawBufferPointer($0), escapeFormulas: escapeFormulas, to: &out) }
    }

    /// A row of `batch` as one CSV line without its line end: every cell quoted, joined by commas.
    static func appendRow(_ batch: RowBatch, row: Int, escapeFormulas: Bool, to out: inout [UInt8]) {
        for c in 0..<batch.cellCount(row: row) {
            if c > 0 { out.append(UInt8(ascii: ",")) }
            batch.withCell(row: row, column: c) { appendField($0, escapeFormulas: escapeFormulas, to: &out) }
        }
    }

    /// One record: fields joined by commas, ended with CRLF as RFC 4180 says.
    public static func appendRecord(_ fields: [String], escapeFormulas: Bool, to out: inout [UInt8]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendField(f, escapeFormulas: escapeFormulas, to: &out)
        }
        out.append(contentsOf: [0x0D, 0x0A])
    }
}
