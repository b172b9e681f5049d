@testable import Engine
import Foundation
import Testing

/// `Tests/Fixtures/corpus/xlsx/expectations.json`: facts about the readxl and calamine test
/// workbooks, each checked against what Intake reads. Rows are compared as the text cells
/// Intake hands to the mapping (numbers `69`, booleans `TRUE`, dates `1947-01-08`).
struct WorkbookCorpusTests {
    static let corpus = FixtureTests.root.appendingPathComponent("corpus/xlsx")

    static var entries: [String] {
        guard let data = try? Data(contentsOf: corpus.appendingPathComponent("expectations.json")),
            let list = try? JSONParser.parse([UInt8](data)).arrayValue
        else { return [] }
        return list.compactMap { e in e["file"]?.stringValue.map { "\(e["source"]?.stringValue ?? "")/\($0)" } }
    }

    static func entry(_ id: String) throws -> JSONValue {
        let data = try Data(contentsOf: corpus.appendingPathComponent("expectations.json"))
        let list = try #require(try JSONParser.parse([UInt8](data)).arrayValue)
        return try #require(list.first { "\($0["source"]?.stringValue ?? "")/\($0["file"]?.stringValue ?? "")" == id })
    }

    static func source(_ id: String) throws -> MemorySource {
        let parts = id.split(separator: "/")
        return MemorySource(try [UInt8](Data(contentsOf: corpus.appendingPathComponent("\(parts[0])/\(parts[1])"))))
    }

    /// Every row of a sheet: (sheet row number, cells as text).
    static func rows(_ source: MemorySource, sheet: String? = nil) throws -> [(number: Int, cells: [String])] {
        let d = try SourceDecisions.read(source, sheet: sheet)
        var out: [(Int, [String])] = []
        try d.forEachBatch(source) { batch in
            for r in 0..<batch.count { out.append((batch.rowLines[r], batch.strings(row: r))) }
        }
        return out
    }

    static func text(_ v: JSONValue?) -> String {
        switch v {
        case .string(let s)?: return s
        case .number(let n)?:
            var out: [UInt8] = [];
            n.utf8CString.dropLast().map { UInt8(bitPattern: $0) }.withUnsafeBytes { ExcelValue.appendNumber($0, to: &out) };
            return String(decoding: out, as: UTF8.self)
        case .bool(let b)?: return b ? "TRUE" : "FALSE"
        default: return ""
        }
    }

    static func trimmed(_ row: [String]) -> [String] {
        var r = row
        while r.last == "" { r.removeLast() }
        return r
    }

    /// The rows after the row numbered `header`, up to `count`.
    static func after(_ rows: [(number: Int, cells: [String])], header: Int) -> [[String]] {
        rows.filter { $0.number > header }.map { trimmed($0.cells) }
    }

    @Test func everyEntryHasItsWorkbook() {
        let entries = WorkbookCorpusTests.entries
        #expect(entries.count == 35, "\(WorkbookCorpusTests.corpus.path)/expectations.json")
        for id in entries {
            #expect(FileManager.default.fileExists(atPath: WorkbookCorpusTests.corpus.appendingPathComponent(id).path), "\(id)")
        }
    }

    @Test(arguments: WorkbookCorpusTests.entries)
    func corpusWorkbookReadsAsExpected(_ id: String) throws {
        let e = try WorkbookCorpusTests.entry(id)
        let source = try WorkbookCorpusTests.source(id)
        let d = try SourceDecisions.read(source)
        let names = d.sheets.map(\.name)
        let T = WorkbookCorpusTests.self

        if let sheets = e["sheets"]?.arrayValue { #expect(names == sheets.map { T.text($0) }) }
        if let meta = e["sheets_metadata"]?.arrayValue {
            #expect(
                d.sheets.map { [$0.name, $0.kind, $0.state] }
                    == meta.map { [T.text($0["name"]), T.text($0["type"]), T.text($0["visible"])] })
            #expect(d.sheet == "Visible")
        }
        if let worksheets = e["worksheets"]?.arrayValue, let charts = e["chartsheets"]?.arrayValue {
            #expect(d.sheets.filter { $0.kind == "worksheet" }.map(\.name) == worksheets.map { T.text($0) })
            #expect(d.sheets.filter { $0.kind == "chartsheet" }.map(\.name) == charts.map { T.text($0) })
        }
        // Data rows × columns per sheet (the header is row 1).
        var dims: [(String?, JSONValue)] = []
        if let o = e["dims"]?.objectValue { dims = o.map { ($0.key, $0.value) } } else if let a = e["dims"] { dims = [(nil, a)] }
        for (sheet, dim) in dims {
            let rows = try T.rows(source, sheet: sheet)
            let a = try #require(dim.arrayValue)
            #expect(rows.count - 1 == a[0].intValue, "\(sheet ?? "") rows")
            #expect(rows.map { T.trimmed($0.cells).count }.max() == a[1].intValue, "\(sheet ?? "") columns")
        }
        if id == "readxl/extdata__geometry.xlsx" {
            // This entry's header and rows are geometry.xlsx's; this file's cells hold their own
            // addresses (readxl's extdata/geometry.xlsx). What it checks, the shrink-wrap to
            // B3:D6, holds: row 3 is first and column B is column 0.
            let rows = try T.rows(source)
            #expect(rows.map(\.number) == [3, 4, 5, 6])
            #expect(rows.map(\.cells) == (3...6).map { r in ["B", "C", "D"].map { "\($0)\(r)" } })
        } else if let header = e["header"]?.arrayValue, e["rows"] != nil || e["used_range"] != nil || e["sheet1_used_range"] != nil {
            let rows = try T.rows(source, sheet: names.first)
            #expect(rows.first.map { T.trimmed($0.cells) } == header.map { T.text($0) })
            if let expected = e["rows"]?.arrayValue {
                #expect(rows.dropFirst().map { T.trimmed($0.cells) } == expected.map { ($0.arrayValue ?? []).map { T.text($0) } })
            }
            if let range = (e["used_range"] ?? e["sheet1_used_range"])?.stringValue {
                #expect(rows.first?.number == Int(range.dropFirst().prefix { $0.isNumber }), "the table starts at \(range)")
            }
        }
        try checkSpecifics(id, e, source, d)
    }

    func checkSpecifics(_ id: String, _ e: JSONValue, _ source: MemorySource, _ d: SourceDecisions) throws {
        let T = WorkbookCorpusTests.self
        switch id.split(separator: "/").last.map(String.init) ?? "" {
        case "extdata__deaths.xlsx":
            let columns = (e["columns"]?.arrayValue ?? []).map { T.text($0) }
            let fields = columns.map { Field(key: $0.lowercased().replacingOccurrences(of: " ", with: "_"), label: $0) }
            for sheet in ["arts", "other"] {
                let s = try SourceDecisions.read(source, sheet: sheet)
                let header = HeaderDetector.detect(s.sample, fields: fields, override: nil)
                #expect(header.chosen == 4, "\(sheet): header at Excel row 5")
                let rows = try T.rows(source, sheet: sheet)
                #expect(rows.first { $0.number == 5 }.map { T.trimmed($0.cells) } == columns)
                #expect(rows.filter { (6...15).contains($0.number) }.count == 10)
            }
            let first = try T.rows(source, sheet: "arts").first { $0.number == 6 }
            #expect(first?.cells == (e["first_data_row_arts"]?.arrayValue ?? []).map { T.text($0) })
        case "skipping.xlsx":
            let table = try #require(e["expected_table_all_sheets"])
            let fields = [Field(key: "var1", label: "var1"), Field(key: "var2", label: "var2")]
            for sheet in d.sheets.map(\.name) {
                let s = try SourceDecisions.read(source, sheet: sheet)
                #expect(HeaderDetector.detect(s.sample, fields: fields, override: nil).chosen == 2, "\(sheet): header at row 3")
                let rows = try T.rows(source, sheet: sheet)
                #expect(rows.first { $0.number == 3 }?.cells == (table["header"]?.arrayValue ?? []).map { T.text($0) })
                // Blank rows are skipped (contract 14); the rows with values are the same.
                let expected = (table["rows"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { T.text($0) } }.filter {
                    $0.contains { !$0.isEmpty }
                }
                #expect(T.after(rows, header: 3) == expected)
            }
        case "empty-sheets.xlsx":
            #expect(try T.rows(source, sheet: "empty").isEmpty)
            #expect(try T.rows(source, sheet: "header_only").map(\.cells) == [["var1", "var2"]])
        case "sheet-xml-lookup.xlsx":
            for sheet in d.sheets.map(\.name) {
                let rows = try T.rows(source, sheet: sheet)
                let column = try #require(rows.first?.cells.firstIndex(of: "continent"))
                #expect(rows.dropFirst().first?.cells[column] == sheet)
            }
        case "unnamed-duplicated-columns.xlsx", "names-need-repair-xlsx.xlsx":
            let header = try T.rows(source).first?.cells ?? []
            let expected = (e["raw_header"]?.arrayValue ?? []).map { T.text($0) }
            #expect(header + Array(repeating: "", count: max(0, expected.count - header.count)) == expected)
        case "no-yes-col-names.xlsx":
            for (sheet, facts) in e["per_sheet"]?.objectValue ?? [:] {
                let rows = try T.rows(source, sheet: sheet).map { T.trimmed($0.cells) }
                let data = (facts["rows"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { T.text($0) } }
                if let header = facts["header"]?.arrayValue {
                    #expect(rows == [header.map { T.text($0) }] + data)
                } else {
                    #expect(Array(rows.suffix(data.count)) == data, "\(sheet)")
                }
            }
        case "types.xlsx":
            let guess = try T.rows(source, sheet: "guess_me")
            #expect(guess.first?.cells == (e["per_sheet"]?["guess_me"]?["header"]?.arrayValue ?? []).map { T.text($0) })
            let values = try T.rows(source, sheet: "guess_max").dropFirst().map { $0.cells.first ?? "" }
            #expect(values == ["1", "2", "ab"])
        case "blanks.xlsx":
            let rows = try T.rows(source, sheet: "different_rows")
            let x = try #require(rows.first?.cells.firstIndex(of: "x")), y = try #require(rows.first?.cells.firstIndex(of: "y"))
            let cell = { (r: [String], c: Int) in c < r.count ? r[c] : "" }
            #expect(rows.dropFirst().map { cell($0.cells, x) } == ["", "1"])
            #expect(rows.dropFirst().map { cell($0.cells, y) } == ["a", ""])
        case "whitespace-xlsx.xlsx":
            let rows = try T.rows(source, sheet: "whitespace")
            #expect(
                rows.contains { $0.cells.contains { $0.hasPrefix(" ") || $0.hasSuffix(" ") || $0.contains("\t") } },
                "cells keep their spaces")
        case "dates-1900-LibreOffice.xlsx":
            // readxl reads it without column names: X1 is the first column.
            let value = try T.rows(source).first?.cells.first ?? ""
            #expect(value == "2000-01-01T00:00:00" || value == "2000-01-01")
        case "datetime-rounding.xlsx", "dates-leap-year-1900-xlsx.xlsx":
            let rows = try T.rows(source, sheet: d.sheets.first?.name)
            let h = rows.first?.cells ?? []
            let dttm = try #require(h.firstIndex(of: "dttm")), string = try #require(h.firstIndex(of: "dttm_string"))
            let success = h.firstIndex(of: "expect_success")
            var checked = 0
            for row in rows.dropFirst() {
                let read = row.cells[dttm].replacingOccurrences(of: "T", with: " ")
                if let s = success, row.cells[s] == "FALSE" {
                    // The phantom 1900-02-29: written as such, and no date field takes it.
                    #expect(read == "1900-02-29 08:00:00")
                    #expect(Array("1900-02-29".utf8).withUnsafeBytes { DateValue.parse($0, order: .monthFirst) } == nil)
                } else {
                    #expect(read == row.cells[string], "row \(row.number)")
                }
                checked += 1
            }
            #expect(checked >= 4)
        case "currency-formats-xlsx.xlsx":
            let rows = try T.rows(source)
            let header = rows.first?.cells ?? []
            for name in ["cost_EUR", "cost_CHF", "cost_mixed"] {
                let c = try #require(header.firstIndex(of: name))
                for row in rows.dropFirst() where c < row.cells.count && !row.cells[c].isEmpty {
                    #expect(Double(row.cells[c]) != nil, "\(name): \(row.cells[c])")
                }
            }
        case "inlineStr.xlsx", "no-styles-or-sharedStrings-parts.xlsx":
            let expected = try #require(e["expected"]?.objectValue?.entries.first)
            let rows = try T.rows(source)
            let c = try #require(rows.first?.cells.firstIndex(of: String(expected.key.dropLast(6))))
            #expect(rows.dropFirst().first?.cells[c] == T.text(expected.value))
        case "los-angeles-arrests-xlsx.xlsx", "minimal_package.xlsx":
            #expect(try T.rows(source).count > 1)
        case "header-row.xlsx":
            let rows = try T.rows(source)
            let header = try #require(e["real_header"])
            #expect(
                rows.first { $0.number == (header["row"]?.intValue ?? 0) + 1 }?.cells
                    == (header["values"]?.arrayValue ?? []).map { T.text($0) })
            #expect(T.after(rows, header: 9) == (e["data_rows"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { T.text($0) } })
            #expect(rows.first?.number == 3 && rows.first?.cells == ["", "", "Note 1"], "the stray note in C3")
        case "temperature.xlsx":
            let rows = try T.rows(source)
            #expect(rows.first?.cells == ["label", "value"])
            #expect(rows.reduce(0) { $0 + $1.cells.count } == e["cell_count"]?.intValue)
        case "temperature-in-middle.xlsx":
            let rows = try T.rows(source)
            #expect(
                rows.map(\.cells) == [["label", "value"]] + (e["rows"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { T.text($0) } })
            #expect(rows.first?.number == 4)
        case "no-header.xlsx":
            let expected = (e["rows_from_row0"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { T.text($0) } }.filter {
                $0.contains { !$0.isEmpty }
            }
            #expect(try T.rows(source).map(\.cells) == expected)
        case "date.xlsx", "date_1904.xlsx":
            let rows = try T.rows(source)
            #expect(rows.first?.cells.first?.hasPrefix(e["values"]?["A1"]?["as_date"]?.stringValue ?? "?") == true)
            if let duration = e["values"]?["A3"]?["as_duration"]?.stringValue { #expect(rows[2].cells.first == duration) }
            #expect(d.workbook?.date1904 == e["date1904"]?.boolValue)
        case "string-ref.xlsx":
            for (sheet, expected) in e["per_sheet"]?.objectValue ?? [:] {
                #expect(
                    try T.rows(source, sheet: sheet).map(\.cells)
                        == (expected.arrayValue ?? []).map { ($0.arrayValue ?? []).map { T.text($0) } })
            }
        case "table-multiple.xlsx":
            let rows = try T.rows(source, sheet: "Sheet3")
            #expect(rows.map(\.number) == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11], "two stacked tables, the empty row between them skipped")
        case "merged_range.xlsx":
            let rows = try T.rows(source, sheet: d.sheets.first?.name)
            let cell = { (row: Int, column: Int) -> String in
                guard let r = rows.first(where: { $0.number == row }), column < r.cells.count else { return "" }
                return r.cells[column]
            }
            for region in (e["merged_regions_sheet1_partial"]?.arrayValue ?? []).compactMap(\.stringValue) {
                let parts = region.split(separator: ":").map { ref -> (Int, Int) in
                    let col = Int(ref.first!.asciiValue! - 65)
                    return (Int(ref.dropFirst())!, col)
                }
                for row in parts[0].0...parts[1].0 {
                    for column in parts[0].1...parts[1].1 where (row, column) != parts[0] {
                        #expect(cell(row, column) == "", "\(region): only the top-left cell holds the value")
                    }
                }
            }
        case "strict_iso_paths.xlsx":
            #expect(d.sheets.map(\.name).contains("ml_out"))
            #expect(try T.rows(source, sheet: "ml_out").count > 1)
        default:
            break
        }
    }
}
