import Engine
import Glibc

/// `.intake/records/<id>.json`: the import's record (the `import.json` content), for `intake status`.
/// Derived state: recovery trusts the result folders over the records.
public struct RecordStore: Sendable {
    public let layout: RootLayout

    public init(layout: RootLayout) { self.layout = layout }

    public func write(_ record: ImportRecord, sync: Bool, tag: String) throws {
        try RootLayout.writeAtomically(layout.record(record.id), JSONWriter.document(record.json), sync: sync, tag: tag)
    }

    /// The record of `id`: from `.intake/records/`, else from a published result folder.
    public func read(_ id: String) -> ImportRecord? {
        guard InboxRules.isBareName(id) else { return nil }
        for path in [layout.record(id)] + [ImportStatus.successful, .needsReview, .failed].map({ layout.result(id, $0) + "/import.json" }) {
            if let bytes = try? Paths.readFile(path), let json = try? JSONParser.parse(bytes), let record = ImportRecord(json: json) {
                return record
            }
        }
        return nil
    }

    /// Every record, oldest first.
    public func all() -> [ImportRecord] {
        Paths.list(layout.records).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.compactMap {
            guard let bytes = try? Paths.readFile("\(layout.records)/\($0)"), let json = try? JSONParser.parse(bytes) else { return nil }
            return ImportRecord(json: json)
        }.sorted { ($0.createdDate, $0.id) < ($1.createdDate, $1.id) }
    }
}
