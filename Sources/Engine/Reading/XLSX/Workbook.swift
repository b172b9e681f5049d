/// One sheet of a workbook as `workbook.xml` lists it, in the workbook's order.
public struct WorkbookSheet: Sendable, Equatable {
    public var name: String
    /// `visible`, `hidden` or `veryHidden`.
    public var state: String
    /// `worksheet`, `chartsheet`, `dialogsheet`, `macrosheet`.
    public var kind: String
    /// The sheet's XML part in the zip (resolved through the relationships), when it has one.
    var part: String?

    /// A sheet that can hold an import's rows: a visible worksheet.
    public var isData: Bool { kind == "worksheet" && state == "visible" }
}

/// An XLSX/XLSM workbook (ECMA-376, transitional and strict): its sheets in order, the date
/// system, the number formats of its cell styles and its shared strings. Sheets are read as
/// streams by `SheetReader`; only the shared strings are held in memory (as compact bytes).
struct Workbook: Sendable {
    let archive: ZipArchive
    let sheets: [WorkbookSheet]
    let date1904: Bool
    let styles: [CellFormat]
    let strings: SharedStrings

    init(_ archive: ZipArchive) throws {
        self.archive = archive
        let budget = InflateBudget()
        // The package's relationships name the workbook part (strict files use other paths).
        var workbookPart = "xl/workbook.xml"
        if let rels = archive.entry("_rels/.rels") {
            let relationships = try Workbook.relationships(archive, rels, base: "", budget: budget)
            if let office = relationships.values.first(where: { $0.type.hasSuffix("/officeDocument") }) { workbookPart = office.target }
        }
        if workbookPart.lowercased().hasSuffix(".bin") {
            throw ImportFailure(
                "UNSUPPORTED_FORMAT",
                "This is an Excel binary workbook (.xlsb), which Intake does not read. Open it in Excel and save it as .xlsx or CSV (UTF-8), then drop that file instead."
            )
        }
        guard let workbookEntry = archive.entry(workbookPart) else {
            if archive.entry("[Content_Types].xml") != nil && archive.entry("xl/workbook.xml") == nil && archive.entry("_rels/.rels") != nil
            {
                throw ImportFailure(
                    "UNSUPPORTED_FORMAT",
                    "This is an Office document that is not an Excel workbook (a Word or PowerPoint file?). Intake reads .xlsx, CSV/TSV and JSON data; export the table as one of those and drop it again."
                )
            }
            throw ImportFailure(
                "UNSUPPORTED_FORMAT",
                "This is a zip archive, not a spreadsheet Intake reads. Intake reads .xlsx workbooks, CSV/TSV and JSON data; unzip it and drop the data file itself."
            )
        }
        // Once the zip is known to be a workbook (another zip stays UNSUPPORTED_FORMAT).
        try archive.checkDeclaredSizes()
        let folder = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
        let fileName = workbookPart.split(separator: "/").last.map(String.init) ?? "workbook.xml"
        let relsPath = (folder.isEmpty ? "" : folder + "/") + "_rels/" + fileName + ".rels"
        let relationships = try archive.entry(relsPath).map { try Workbook.relationships(archive, $0, base: folder, budget: budget) } ?? [:]

        // workbook.xml: the sheets in order, and the date system.
        let scanner = XMLScanner(try archive.open(workbookEntry, budget: budget), part: workbookPart)
        var sheets: [WorkbookSheet] = []
        var date1904 = false
        while true {
            let event = try scanner.next()
            if event == .endOfDocument { break }
            guard event == .start else { continue }
            if scanner.nameIs("extLst") {
                // Extensions repeat names of the workbook's own elements (`x15:workbookPr`, without
                // `date1904`): they are not the workbook's properties.
                try scanner.skipElement()
            } else if scanner.nameIs("workbookPr") {
                let value = scanner.attributeString("date1904")
                date1904 = value == "1" || value == "true"
            } else if scanner.nameIs("sheet") {
                let name = scanner.attributeString("name") ?? "Sheet\(sheets.count + 1)"
                let state = scanner.attributeString("state") ?? "visible"
                let rel = scanner.attributeString("id").flatMap { relationships[$0] }
                var kind = "worksheet"
                if let type = rel?.type {
                    for k in ["chartsheet", "dialogsheet", "macrosheet", "worksheet"] where type.hasSuffix("/" + k) { kind = k }
                    if type.hasSuffix("/xlMacrosheet") || type.hasSuffix("/xlIntlMacrosheet") { kind = "macrosheet" }
                }
                sheets.append(WorkbookSheet(name: name, state: state, kind: kind, part: rel?.target))
            }
        }
        self.sheets = sheets
        self.date1904 = date1904

        let stylesPart = relationships.values.first { $0.type.hasSuffix("/styles") }?.target
        self.styles =
            try stylesPart.flatMap { archive.entry($0) }.map {
                try CellFormat.read(XMLScanner(archive.open($0, budget: budget), part: $0.name))
            } ?? []
        let stringsPart = relationships.values.first { $0.type.hasSuffix("/sharedStrings") }?.target
        self.strings =
            try stringsPart.flatMap { archive.entry($0) }.map {
                try SharedStrings.read(XMLScanner(archive.open($0, budget: budget), part: $0.name))
            } ?? SharedStrings()
    }

    /// A reader of the rows of sheet `index`.
    func rows(ofSheet index: Int, limits: ReadLimits, leftColumn: Int = 0, budget: InflateBudget = InflateBudget()) throws -> SheetReader {
        let sheet = sheets[index]
        guard let part = sheet.part, let entry = archive.entry(part) else {
            throw ReadError("the sheet \"\(sheet.name)\" has no worksheet part in the zip; the workbook is damaged")
        }
        return SheetReader(
            XMLScanner(try archive.open(entry, budget: budget), part: part), workbook: self, limits: limits, leftColumn: leftColumn)
    }

    struct Relationship {
        var type: String
        var target: String
    }

    /// A `.rels` part: Id → (Type, Target resolved against `base`). External targets are dropped.
    static func relationships(
        _ archive: ZipArchive, _ entry: ZipEntry, base: String, budget: InflateBudget
    ) throws -> [String: Relationship] {
        let scanner = XMLScanner(try archive.open(entry, budget: budget), part: entry.name)
        var out: [String: Relationship] = [:]
        while true {
            let event = try scanner.next()
            if event == .endOfDocument { break }
            guard event == .start, scanner.nameIs("Relationship") else { continue }
            if scanner.attributeString("TargetMode") == "External" { continue }
            guard let id = scanner.attributeString("Id"), let target = scanner.attributeString("Target") else { continue }
            out[id] = Relationship(type: scanner.attributeString("Type") ?? "", target: resolve(target, base: base))
        }
        return out
    }

    /// A relationship target as a zip entry name: absolute (`/xl/…`) or relative to `base`,
    /// with `..` resolved inside the package (it can never leave it: names are not paths).
    static func resolve(_ target: String, base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for p in target.split(separator: "/") {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        let joined = parts.joined(separator: "/")
        return joined.removingPercentEncodingOfSpaces
    }
}

extension String {
    /// Targets sometimes escape spaces (`sheet%201.xml`); entry names do not.
    var removingPercentEncodingOfSpaces: String {
        contains("%20") ? split(separator: "%20", omittingEmptySubsequences: false).joined(separator: " ") : self
    }
}
