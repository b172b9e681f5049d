import Engine
import Glibc

/// The folders of a root (contract §1) and Intake's own state in `.intake/`:
///
/// ```
/// .intake/work/<id>/        a claim: claim.json, the taken files (sidecar, data), build/
/// .intake/work/.<id>.<owner>.tmp/   a claim being made (swept when its owner is dead)
/// .intake/records/<id>.json the import's record for `intake status`
/// .intake/owners/<owner>.lock       held (flock) by a live daemon
/// .intake/metrics.prom
/// .intake/resolving/<id>/   a resolution being applied: claim.json, resolution.json, old/ (the
///                           review folder), build/
/// .intake/memory/<name>.json        mappings remembered per importIdentifier
/// .intake/webhooks/<name>.json      webhook deliveries not made yet
/// ```
public struct RootLayout: Sendable {
    public let root: String

    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    public var inbox: String { "\(root)/inbox" }
    public var state: String { "\(root)/.intake" }
    public var work: String { "\(state)/work" }
    public var records: String { "\(state)/records" }
    public var owners: String { "\(state)/owners" }
    public var metrics: String { "\(state)/metrics.prom" }
    public var resolving: String { "\(state)/resolving" }
    public var memory: String { "\(state)/memory" }
    public var webhooks: String { "\(state)/webhooks" }
    public var review: String { "\(root)/review" }

    public func claim(_ id: String) -> String { "\(work)/\(id)" }
    public func record(_ id: String) -> String { "\(records)/\(id).json" }
    public func inboxPath(_ p: InboxPath) -> String { "\(inbox)/\(p.relative)" }

    /// The result folder of an import with this status.
    public func result(_ id: String, _ status: ImportStatus) -> String {
        switch status {
        case .successful: "\(root)/outbox/\(id)"
        case .needsReview: "\(root)/review/\(id)"
        default: "\(root)/failed/\(id)"
        }
    }

    /// The result folder already published for `id`, if any.
    public func published(_ id: String) -> String? {
        [ImportStatus.successful, .needsReview, .failed].map { result(id, $0) }.first(where: Paths.isDirectory)
    }

    /// Creates every folder that is missing (contract §1: missing folders are made at start).
    public func create() throws {
        for dir in [
            inbox, "\(root)/outbox", review, "\(root)/failed", "\(root)/schemas", work, records, owners, resolving, memory, webhooks,
        ] {
            try Paths.makeDirectories(dir)
        }
    }

    /// Writes a small file atomically: a temporary name beside it, optionally synced, then renamed
    /// over. Readers see the old content or the new one, never a part.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], sync: Bool, tag: String) throws {
        let dir = Paths.parent(path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let tmp = "\(dir)/.\(name).\(tag).tmp"
        let fd = try syscall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        do {
            var offset = 0
            while offset < bytes.count {
                let n = try syscall("write", tmp) { bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) } }
                offset += n
            }
            if sync { try syscall("fsync", tmp) { fsync(fd) } }
            let closed = close(fd)
            if closed != 0 { throw SystemError(call: "close", path: tmp, errno: errno) }
        } catch {
            unlink(tmp)
            throw error
        }
        do {
            try syscall("rename", tmp) { rename(tmp, path) }
        } catch {
            unlink(tmp)
            throw error
        }
    }
}

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
