extension RowBatch {
    /// A copy with the cells of some rows replaced (row → its new cells), for hooks that change
    /// values. Rows not named keep their cells.
    func replacingRows(_ replacements: [Int: [String]]) -> RowBatch {
        guard !replacements.isEmpty else { return self }
        var out = RowBatch()
        out.bytes.reserveCapacity(bytes.count)
        for r in 0..<count {
            if let cells = replacements[r] {
                for cell in cells {
                    out.bytes.append(contentsOf: cell.utf8)
                    out.cellEnds.append(out.bytes.count)
                }
            } else {
                for c in cellRange(row: r) {
                    out.bytes.append(contentsOf: bytes[byteRange(cell: c)])
                    out.cellEnds.append(out.bytes.count)
                }
            }
            out.rowCellEnds.append(out.cellEnds.count)
            out.rowLines.append(rowLines[r])
            out.rowRecords.append(rowRecords[r])
        }
        return out
    }
}
