// libFuzzer entry for Intake's readers (issue 9). Built by `scripts/fuzz`, not by SwiftPM:
// swiftc -sanitize=fuzzer,address over Sources/Engine and Sources/Watcher, then this file.
// The target is chosen with the environment variable INTAKE_FUZZ_TARGET:
//
//   csv      the bytes as a dropped file: format detection, CSV/TSV/JSON reading, mapping,
//            validation and every output, through `Importer.run` (in memory)
//   xlsx     a workbook: raw bytes when they start with "PK", else the bytes are the parts of a
//            workbook (sheet XML, shared strings, styles, workbook XML, separated by a line
//            "#####") zipped here with right CRCs, so mutations reach the XML readers instead
//            of stopping at the zip's checks
//   sidecar  `Sidecar.parse`, then the inline schema it carries through `SchemaLoader`
//   schema   `SchemaLoader.load(bytes:)`, then an import of a small CSV with the schema
//
// A finding is a crash (trap, precondition, sanitizer report), a hang (-timeout) or memory
// over -rss_limit_mb. An error thrown by the Engine is an outcome, not a finding.

import Engine
import Glibc
import Watcher

enum Target: String {
    case csv, xlsx, sidecar, schema
}

let target: Target = {
    guard let name = getenv("INTAKE_FUZZ_TARGET").map({ String(cString: $0) }), let t = Target(rawValue: name) else {
        print("INTAKE_FUZZ_TARGET must be one of csv, xlsx, sidecar, schema")
        exit(2)
    }
    return t
}()

let fuzzSchema: Schema = {
    let json = #"""
    {"name": "Fuzz", "fields": [
      {"label": "Email", "key": "email", "type": "email", "validators": [{"validate": "required"}, {"validate": "unique"}]},
      {"label": "Name", "key": "name", "validators": [{"validate": "regex_match", "regex": "^[A-Za-z ]*$"}]},
      {"label": "Amount", "key": "amount", "type": "number"},
      {"label": "Joined", "key": "joined", "type": "date"},
      {"label": "Active", "key": "active", "type": "checkbox"},
      {"label": "Plan", "key": "plan", "type": "select", "selectOptions": [{"label": "Basic", "value": "basic"}, {"label": "Pro", "value": "pro"}]}
    ], "settings": {"invalidDataBehavior": "REMOVE_INVALID_ROWS"}}
    """#
    guard let schema = SchemaLoader.load(bytes: Array(json.utf8)).schema else { fatalError("fuzz schema") }
    return schema
}()

let smallCSV = Array("email,name,amount,joined,active,plan\na@b.co,Ann,\"1,234.50\",2024-02-09,yes,Pro\nc@d.co,Bob,x,13/02/2024,no,basic\n,,,,,\n".utf8)

func importBytes(_ bytes: [UInt8], schema: Schema) {
    let request = ImportRequest(id: "00000000-0000-4000-8000-000000000000", schema: schema, filename: "fuzz")
    _ = try? Importer.run(request, source: MemorySource(bytes), workspace: MemoryWorkspace())
}

// MARK: A stored zip, for the xlsx target

let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
}

func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
}

func zipStored(_ entries: [(String, [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    func u32(_ v: UInt32, _ a: inout [UInt8]) { for s in stride(from: 0, to: 32, by: 8) { a.append(UInt8((v >> UInt32(s)) & 0xFF)) } }
    for (name, data) in entries {
        let offset = UInt32(out.count)
        let crc = crc32(data)
        let nameBytes = Array(name.utf8)
        u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0, &out)
        u32(crc, &out); u32(UInt32(data.count), &out); u32(UInt32(data.count), &out)
        u16(nameBytes.count, &out); u16(0, &out); out += nameBytes; out += data
        u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
        u32(crc, &central); u32(UInt32(data.count), &central); u32(UInt32(data.count), &central)
        u16(nameBytes.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central); u32(0, &central)
        u32(offset, &central); central += nameBytes
    }
    let centralOffset = UInt32(out.count)
    out += central
    u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(entries.count, &out); u16(entries.count, &out)
    u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(0, &out)
    return out
}

let defaultParts: [String] = [
    #"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a@b.co</t></is></c><c r="B2" t="inlineStr"><is><t>Ann</t></is></c><c r="C2"><v>12.5</v></c><c r="D2" s="1"><v>45000</v></c></row></sheetData></worksheet>"#,
    #"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>email</t></si><si><r><t>amo</t></r><r><t>unt</t></r></si></sst>"#,
    #"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#,
    #"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="false"/><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
]

func workbook(from bytes: [UInt8]) -> [UInt8] {
    var parts: [[UInt8]] = []
    let separator = Array("\n#####\n".utf8)
    var start = 0
    var i = 0
    while i + separator.count <= bytes.count && parts.count < 3 {
        if bytes[i] == separator[0] && Array(bytes[i..<i + separator.count]) == separator {
            parts.append(Array(bytes[start..<i]))
            i += separator.count
            start = i
        } else {
            i += 1
        }
    }
    parts.append(Array(bytes[start...]))
    for k in parts.count..<defaultParts.count { parts.append(Array(defaultParts[k].utf8)) }
    let contentTypes = #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#
    let rels = #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
    let wbRels = #"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#
    return zipStored([
        ("[Content_Types].xml", Array(contentTypes.utf8)), ("_rels/.rels", Array(rels.utf8)),
        ("xl/workbook.xml", parts[3]), ("xl/_rels/workbook.xml.rels", Array(wbRels.utf8)),
        ("xl/worksheets/sheet1.xml", parts[0]), ("xl/sharedStrings.xml", parts[1]), ("xl/styles.xml", parts[2]),
    ])
}

// MARK: The entry point

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch target {
    case .csv:
        importBytes(bytes, schema: fuzzSchema)
    case .xlsx:
        importBytes(bytes.starts(with: [0x50, 0x4B]) ? bytes : workbook(from: bytes), schema: fuzzSchema)
    case .sidecar:
        if case .success(let sidecar) = Sidecar.parse(bytes, name: "fuzz.import.json") {
            let json = sidecar.schemaJSON { _ in .success(["name": "Saved", "fields": [["key": "email"]]]) }
            if case .success(let j) = json, let schema = SchemaLoader.load(j).schema { importBytes(smallCSV, schema: schema) }
        }
    case .schema:
        if let schema = SchemaLoader.load(bytes: bytes).schema { importBytes(smallCSV, schema: schema) }
    }
    return 0
}
