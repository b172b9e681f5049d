/// The records of a file that did not become rows of the table — titles, the header, blank
/// lines, notes under the table, another table after it — in runs with the reason and the
/// first lines of each, for `metadata.json`'s `leftOut` (contract §5). Nothing of a file
/// disappears without a word: every record is a row (in results.json or rejected.csv) or here.
///
/// Built while the rows stream by, in any order (a chunk's records are numbered later), and
/// bounded: past `maxKept` runs only the count grows.
public struct LeftOut: Sendable, Equatable {
    public enum Reason: String, Sendable, Comparable {
        /// Lines above the header: a title, a date, a note on the table.
        case title
        /// The header row (every line of a header spread over several).
        case header
        case blank
        /// Lines of text under the table (sources, footnotes, a total's label) at the end of the file.
        case notes
        /// Another table: the header again, or a blank line then a row of words where the data
        /// has numbers and dates. It and everything after it.
        case anotherTable = "another_table"

        public static func < (a: Reason, b: Reason) -> Bool { a.rawValue < b.rawValue }

        /// What a person reads for it.
        var why: String {
            switch self {
            case .title: "above the header: a title or a note on the table"
            case .header: "the header row: its cells name the columns"
            case .blank: "a blank line"
            case .notes: "notes under the table at the end of the file (a line of text in a wide table, nothing after it)"
            case .anotherTable:
                "another table: the header again, or a blank line then a row of words where the data has numbers and dates; it and everything after it are left out"
            }
        }
    }

    public struct Run: Sendable, Equatable {
        /// The first and last record (0-based, blank records count, as `intake inspect` numbers them).
        public var first: Int
        public var last: Int
        public var reason: Reason
        /// The first few records of the run as they were read (non-blank ones).
        public var preview: [[String]]
    }

    public private(set) var runs: [Run] = []
    /// Records left out, exactly, whatever was kept of the runs.
    public private(set) var count = 0
    /// Where another table was taken to start, and how many rows after that look like the
    /// table's data (numbers and dates where its have them): the evidence is mixed when any do.
    var tableEnd: Int?
    var dataLikeAfterEnd = 0
    static let maxKept = 4096
    static let maxListed = 1000
    static let previewRows = 3
    static let previewCells = 20
    static let previewChars = 120

    public init() {}

    /// One record left out; `cells` is asked for only when the run keeps a preview line.
    mutating func add(_ record: Int, _ reason: Reason, cells: () -> [String]) {
        count += 1
        func line() -> [[String]] {
            let line = reason == .blank ? [] : LeftOut.clip(cells())
            return line.isEmpty ? [] : [line]
        }
        if let last = runs.last, last.reason == reason, last.last + 1 == record {
            runs[runs.count - 1].last = record
            if last.preview.count < LeftOut.previewRows { runs[runs.count - 1].preview += line() }
            return
        }
        guard runs.count < LeftOut.maxKept else { return }
        runs.append(Run(first: record, last: record, reason: reason, preview: line()))
    }

    mutating func add(_ record: Int, _ reason: Reason, batch: RowBatch, row: Int) {
        add(record, reason) { batch.strings(row: row) }
    }

    /// Everything `other` holds, after this (a later chunk's).
    mutating func append(_ other: LeftOut) {
        count += other.count
        tableEnd = tableEnd ?? other.tableEnd
        dataLikeAfterEnd += other.dataLikeAfterEnd
        for run in other.runs {
            if let last = runs.last, last.reason == run.reason, last.last + 1 == run.first {
                runs[runs.count - 1].last = run.last
                runs[runs.count - 1].preview = Array((last.preview + run.preview).prefix(LeftOut.previewRows))
            } else if runs.count < LeftOut.maxKept {
                runs.append(run)
            }
        }
    }

    /// Records numbered `records` further on (a chunk's, once the chunks before it are counted).
    mutating func shift(records: Int) {
        tableEnd = tableEnd.map { $0 + records }
        for i in runs.indices {
            runs[i].first += records
            runs[i].last += records
        }
    }

    /// The runs in record order, neighbours of one reason joined.
    var ordered: [Run] {
        var out: [Run] = []
        for run in runs.sorted(by: { $0.first < $1.first }) {
            if let last = out.last, last.reason == run.reason, last.last + 1 == run.first {
                out[out.count - 1].last = run.last
                out[out.count - 1].preview = Array((last.preview + run.preview).prefix(LeftOut.previewRows))
            } else {
                out.append(run)
            }
        }
        return out
    }

    /// `[{"records": [first, last], "reason", "why", "preview"}]`, the first `maxListed` runs.
    public var json: JSONValue {
        .array(
            ordered.prefix(LeftOut.maxListed).map { run in
                [
                    "records": .array([.number(run.first), .number(run.last)]), "reason": .string(run.reason.rawValue),
                    "why": .string(run.reason.why),
                    "preview": .array(run.preview.map { .array($0.map { .string($0) }) }),
                ]
            })
    }

    /// The runs listed are all there are (`leftOutComplete` in metadata.json).
    public var isComplete: Bool { runs.count < LeftOut.maxKept && ordered.count <= LeftOut.maxListed }

    /// A preview line: its first cells, each cut to a readable length, trailing empty cells dropped.
    static func clip(_ cells: [String]) -> [String] {
        var line = Array(cells.prefix(previewCells)).map { $0.count > previewChars ? String($0.prefix(previewChars)) + "…" : $0 }
        while let last = line.last, last.isEmpty { line.removeLast() }
        return line
    }
}
