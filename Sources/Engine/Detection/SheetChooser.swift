/// A sheet of a workbook as the choice saw it (`report.json` `sheets`, `intake inspect`).
public struct SheetSummary: Sendable, Equatable {
    public var name: String
    /// `visible`, `hidden`, `veryHidden`.
    public var state: String
    /// `worksheet`, `chartsheet`, …
    public var kind: String
    /// Rows with a value (the header too); from the sheet's declared dimension when the sheet
    /// is longer than the sample.
    public var rows: Int
    public var columns: Int
    /// How well its header matches the schema's fields (0–1), when sheets were compared.
    public var score: Double?
    /// The sheet's first rows, for a person choosing the sheet (`report.json`, `review.html`).
    public var preview: [[String]] = []

    public var json: JSONValue {
        [
            "name": .string(name), "rows": .number(rows), "columns": .number(columns),
            "score": score.map { .number(ColumnMapper.round2($0)) } ?? .null,
        ]
    }
}

/// How the sheet was chosen: `override` (uploadStep.sheetOverride), `only` (the only visible
/// worksheet with data), `header` (its header matches the schema best by a clear margin),
/// `first` (inspect without a schema: the first with data); nil when no sheet could be chosen.
public struct SheetChoice: Sendable {
    public var index: Int?
    public var method: String?
    /// Why no sheet was chosen (for the report), when `index` is nil.
    public var problem: String?
}

/// Chooses the sheet of a workbook to import (contract §11): the override, else the only
/// visible worksheet with data, else the one whose header clearly matches the schema best.
enum SheetChooser {
    static let minimumScore = 0.5
    static let margin = 0.2

    /// `samples[i]` is the sample of sheet i (nil for sheets that are not data: hidden sheets,
    /// chartsheets). Scores are written into `summaries`.
    static func choose(
        sheets: [WorkbookSheet], samples: [RowBatch?], summaries: inout [SheetSummary], override: String?,
        fields: [Field]
    ) -> SheetChoice {
        if let override {
            let exact = sheets.firstIndex { $0.name == override && $0.kind == "worksheet" }
            let loose = sheets.firstIndex { $0.name.lowercased() == override.lowercased() && $0.kind == "worksheet" }
            if let i = exact ?? loose { return SheetChoice(index: i, method: "override") }
            let names = sheets.filter { $0.kind == "worksheet" }.map { "\"\($0.name)\"" }.joined(separator: ", ")
            return SheetChoice(
                index: nil, method: nil,
                problem:
                    "settings.uploadStep.sheetOverride names the sheet \"\(override)\", which the workbook does not have (its worksheets: \(names))"
            )
        }
        let withData = samples.indices.filter { samples[$0].map { $0.count > 0 } ?? false }
        if withData.count == 1 { return SheetChoice(index: withData[0], method: "only") }
        guard withData.count > 1 else { return SheetChoice(index: nil, method: nil, problem: nil) }
        if fields.isEmpty { return SheetChoice(index: withData[0], method: "first") }
        var scored: [(index: Int, score: Double)] = []
        for i in withData {
            let score = self.score(samples[i]!, fields: fields)
            summaries[i].score = score
            scored.append((i, score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        if scored[0].score >= minimumScore && scored[0].score - scored[1].score >= margin {
            return SheetChoice(index: scored[0].index, method: "header")
        }
        let list = scored.map { "\"\(sheets[$0.index].name)\" \(ColumnMapper.round2($0.score))" }.joined(separator: ", ")
        return SheetChoice(
            index: nil, method: nil,
            problem: "the workbook has \(withData.count) sheets with data and none matches the schema clearly best (scores: \(list))")
    }

    /// The share of the schema's (visible) fields that the sheet's header maps.
    static func score(_ sample: RowBatch, fields: [Field]) -> Double {
        let header = HeaderDetector.detect(sample, fields: fields, override: nil)
        let record = header.chosen ?? header.candidates.first?.row
        guard let record, let row = sample.rowRecords.firstIndex(of: record) else { return 0 }
        let headers = sample.strings(row: row)
        var columns = [[String]](repeating: [], count: headers.count)
        for r in 0..<sample.count where sample.rowRecords[r] > record {
            for c in headers.indices { columns[c].append(sample.string(row: r, column: c)) }
            if columns.first?.count ?? 0 >= 200 { break }
        }
        let mapping = ColumnMapper.map(headers: headers, samples: columns, fields: fields, fuzzy: true)
        let mappable = fields.filter { !$0.hidden }.count
        return mappable == 0 ? 0 : Double(mapping.fieldColumns.count) / Double(mappable)
    }
}
