import CZlib
@testable import Engine

/// A workbook written by hand for a test: only the parts a case needs, zipped in memory (deflate
/// through the system zlib, the CRC-32 and both headers of APPNOTE 4.3.7 and 4.3.12). Entry
/// names are written exactly as given, so a test can write `xl\workbook.xml` as Windows tools do.
struct TestWorkbook {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// Part name → content, in the order they go into the zip.
    var parts: [(name: String, bytes: [UInt8])]

    /// One visible worksheet holding `rows` (the `<row>` elements of `sheetData`), the workbook's
    /// `workbookPr` and anything after its `sheets` (`extLst`), and custom number formats: the
    /// cell style `s="k"` (k ≥ 1) has the format `formats[k - 1]`.
    init(rows: String, workbookProperties: String = "", afterSheets: String = "", formats: [String] = []) {
        let sheet = "<?xml version=\"1.0\"?><worksheet xmlns=\"\(Self.main)\"><sheetData>\(rows)</sheetData></worksheet>"
        self.init(sheet: Array(sheet.utf8), workbookProperties: workbookProperties, afterSheets: afterSheets, formats: formats)
    }

    init(sheet: [UInt8], workbookProperties: String = "", afterSheets: String = "", formats: [String] = []) {
        let packageRels = "http://schemas.openxmlformats.org/package/2006/relationships"
        var workbookRels = "<Relationship Id=\"rId1\" Type=\"\(Self.relationships)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
        var parts: [(String, String)] = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\"?><Relationships xmlns=\"\(packageRels)\"><Relationship Id=\"rId1\" "
                    + "Type=\"\(Self.relationships)/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
            (
                "xl/workbook.xml",
                "<?xml version=\"1.0\"?><workbook xmlns=\"\(Self.main)\" xmlns:r=\"\(Self.relationships)\">\(workbookProperties)"
                    + "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets>\(afterSheets)</workbook>"
            ),
        ]
        if !formats.isEmpty {
            workbookRels += "<Relationship Id=\"rId2\" Type=\"\(Self.relationships)/styles\" Target=\"styles.xml\"/>"
            let numFmts = formats.enumerated().map { "<numFmt numFmtId=\"\(164 + $0.offset)\" formatCode=\"\($0.element)\"/>" }.joined()
            let xfs = "<xf numFmtId=\"0\"/>" + formats.indices.map { "<xf numFmtId=\"\(164 + $0)\" applyNumberFormat=\"1\"/>" }.joined()
            parts.append(
                (
                    "xl/styles.xml",
                    "<?xml version=\"1.0\"?><styleSheet xmlns=\"\(Self.main)\"><numFmts>\(numFmts)</numFmts><cellXfs>\(xfs)</cellXfs></styleSheet>"
                ))
        }
        parts.append(
            ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"\(packageRels)\">\(workbookRels)</Relationships>")
        )
        self.parts = parts.map { ($0.0, Array($0.1.utf8)) } + [("xl/worksheets/sheet1.xml", sheet)]
    }

    /// The same parts with every `/` of their names written as `\`.
    var withBackslashNames: TestWorkbook {
        var copy = self
        copy.parts = parts.map { (String($0.name.map { $0 == "/" ? "\\" : $0 }), $0.bytes) }
        return copy
    }

    /// The zip file's bytes: each part deflated at zlib's best compression.
    var zipped: [UInt8] {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for (name, bytes) in parts {
            let deflated = TestWorkbook.deflate(bytes)
            let crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            let nameBytes = Array(name.utf8)
            let offset = out.count
            // Local header: version 20, no flags, deflate, a fixed time and date.
            out.le(0x0403_4B50, 4); out.le(20, 2); out.le(0, 2); out.le(8, 2); out.le(0, 2); out.le(0x5021, 2)
            out.le(Int(crc), 4); out.le(deflated.count, 4); out.le(bytes.count, 4); out.le(nameBytes.count, 2); out.le(0, 2)
            out += nameBytes + deflated
            directory.le(0x0201_4B50, 4); directory.le(20, 2); directory.le(20, 2); directory.le(0, 2); directory.le(8, 2)
            directory.le(0, 2); directory.le(0x5021, 2); directory.le(Int(crc), 4); directory.le(deflated.count, 4)
            directory.le(bytes.count, 4); directory.le(nameBytes.count, 2); directory.le(0, 2); directory.le(0, 2)
            directory.le(0, 2); directory.le(0, 2); directory.le(0, 4); directory.le(offset, 4)
            directory += nameBytes
        }
        let directoryOffset = out.count
        out += directory
        out.le(0x0605_4B50, 4); out.le(0, 2); out.le(0, 2); out.le(parts.count, 2); out.le(parts.count, 2)
        out.le(directory.count, 4); out.le(directoryOffset, 4); out.le(0, 2)
        return out
    }

    /// Raw deflate (`deflateInit2(3)` with negative window bits), level 9.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(
            deflateInit2_(&stream, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
                == Z_OK)
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { inBuffer in
            out.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                precondition(CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(out[..<written])
    }

    /// What an import of this workbook with `schema` gives: the outcome and `results.json`.
    func run(_ schema: Schema) throws -> (outcome: ImportOutcome, results: String) {
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "t", schema: schema, filename: "input.xlsx"), source: MemorySource(zipped), workspace: workspace)
        return (outcome, String(decoding: workspace.files["results.json"] ?? [], as: UTF8.self))
    }

    /// The sheet's rows as the text cells Intake hands to the mapping.
    func cells() throws -> [[String]] {
        try WorkbookCorpusTests.rows(MemorySource(zipped)).map(\.cells)
    }
}

private extension Array where Element == UInt8 {
    /// Appends `value` little-endian in `count` bytes.
    mutating func le(_ value: Int, _ count: Int) {
        for i in 0..<count { append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
}
