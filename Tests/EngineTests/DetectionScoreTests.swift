@testable import Engine
import Foundation
import Testing

/// Pollock's score (Vitagliano et al., VLDB 2023) over its polluted files, computed on what
/// `intake inspect` reads: for each file, 1 for loading it without an error, then precision,
/// recall and F1 of the header cells, of the records and of the data cells, each compared with
/// the clean table as multisets — 10 at most. See docs/DETECTION.md for the method and figures.
struct DetectionScoreTests {
    /// 82 of Pollock's polluted files and their clean tables (Tests/Fixtures/corpus/pollock/README.md).
    static let corpus = FixtureTests.root.appendingPathComponent("corpus/pollock")

    struct FileScore {
        var file: String
        var success = 0.0
        var header = (p: 0.0, r: 0.0, f: 0.0)
        var records = (p: 0.0, r: 0.0, f: 0.0)
        var cells = (p: 0.0, r: 0.0, f: 0.0)
        var total: Double {
            success + header.p + header.r + header.f + records.p + records.r + records.f + cells.p + cells.r + cells.f
        }
        /// `file_header_multirow_2.csv` → `file_header_multirow`, `row_extra_quote10_col8.csv` → `row_extra_quote`.
        var category: String {
            let name = file.replacingOccurrences(of: ".csv", with: "")
            if name.hasPrefix("file_") { return name }
            return String(name.prefix { !$0.isNumber }).trimmingCharacters(in: CharacterSet(charactersIn: "_")).replacingOccurrences(
                of: "_row", with: "")
        }
    }

    /// Precision, recall and F1 of `loaded` against `expected`, as multisets (Pollock's
    /// `metrics.py`: nothing expected scores 1; nothing in common scores 0).
    static func measures(_ loaded: [String], _ expected: [String]) -> (p: Double, r: Double, f: Double) {
        if expected.isEmpty { return (1, 1, 1) }
        var counts: [String: Int] = [:]
        for e in expected { counts[e, default: 0] += 1 }
        var common = 0
        for l in loaded where (counts[l] ?? 0) > 0 { counts[l]! -= 1; common += 1 }
        guard common > 0 else { return (0, 0, 0) }
        let p = Double(common) / Double(loaded.count), r = Double(common) / Double(expected.count)
        return (p, r, 2 * p * r / (p + r))
    }

    /// Pollock compares cells after normalizing them; Intake keeps the text as written, so the
    /// only normalization here is case (stricter than Pollock's number and date parsing).
    static func normalize(_ cell: String) -> String { cell.lowercased() }

    static func rows(_ csv: [UInt8]) -> [[String]] {
        let batch = DelimitedReader.sample(csv, dialect: .rfc4180, maxRows: .max, complete: true)
        return (0..<batch.count).map { batch.strings(row: $0) }
    }

    static func score(file: String, headerLines: Int) throws -> FileScore {
        var result = FileScore(file: file)
        let input = try [UInt8](Data(contentsOf: corpus.appendingPathComponent("csv/\(file)")))
        let clean = rows(try [UInt8](Data(contentsOf: corpus.appendingPathComponent("clean/\(file)"))))
        let source = MemorySource(input)
        let description: JSONValue
        var out: [UInt8] = []
        do {
            // What `inspect --json` and `inspect --csv` print, from one set of decisions.
            if let (decisions, header) = try Inspector.decide(source) {
                description = Inspector.describe(decisions, header: header)
                try Inspector.writeCSV(source, decisions: decisions, header: header) { out.append(contentsOf: $0) }
            } else {
                description = Inspector.emptyDescription
            }
        } catch {
            return result
        }
        result.success = 1
        var loaded = rows(out)
        let hasHeader = description["headerRow"].map { $0 != .null } ?? false
        let loadedHeader = hasHeader && !loaded.isEmpty ? loaded.removeFirst() : []
        // The clean table holds one header line (a multi-line header's cells already joined).
        let expectedHeader = headerLines > 0 && !clean.isEmpty ? clean[0] : []
        let expectedRows = headerLines > 0 ? Array(clean.dropFirst()) : clean
        result.header = measures(loadedHeader.map(normalize), expectedHeader.map(normalize))
        func record(_ row: [String]) -> String { row.map { $0.isEmpty ? "null" : normalize($0) }.joined(separator: "\u{1F}") }
        result.records = measures(loaded.map(record), expectedRows.map(record))
        result.cells = measures(loaded.flatMap { $0.map(normalize) }, expectedRows.flatMap { $0.map(normalize) })
        return result
    }

    static func labels() throws -> [(file: String, headerLines: Int)] {
        let text = try String(contentsOf: corpus.appendingPathComponent("labels_index.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try JSONParser.parse(Array(line.utf8))
            return (try #require(object["file"]?.stringValue), try #require(object["header_lines"]?.intValue))
        }
    }

    @Test(.timeLimit(.hangGuard))
    func pollockMeanScoreIsAtLeast9point8() throws {
        let labels = try DetectionScoreTests.labels()
        #expect(labels.count == 82)
        var scores: [FileScore] = []
        for (file, headerLines) in labels { scores.append(try DetectionScoreTests.score(file: file, headerLines: headerLines)) }
        let mean = scores.map(\.total).reduce(0, +) / Double(scores.count)
        var byCategory: [String: [Double]] = [:]
        for s in scores { byCategory[s.category, default: []].append(s.total) }
        var report = "Pollock mean \(String(format: "%.3f", mean)) over \(scores.count) files\n"
        for (category, values) in byCategory.sorted(by: { $0.key < $1.key }) {
            report += "  \(category): \(String(format: "%.3f", values.reduce(0, +) / Double(values.count))) (\(values.count))\n"
        }
        for s in scores.sorted(by: { $0.total < $1.total }).prefix(12) where s.total < 10 {
            report += "  below 10: \(s.file) \(String(format: "%.2f", s.total))\n"
        }
        print(report)
        #expect(mean >= 9.8, "\(report)")
    }

    @Test func theScoreFollowsPollocksConventions() {
        #expect(DetectionScoreTests.measures([], []) == (1, 1, 1))
        #expect(DetectionScoreTests.measures(["a"], ["b"]) == (0, 0, 0))
        let m = DetectionScoreTests.measures(["a", "a", "b"], ["a", "b", "b", "c"])
        #expect(m.p == 2.0 / 3 && m.r == 0.5)
    }
}
