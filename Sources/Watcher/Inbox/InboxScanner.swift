import Glibc

/// Looks at the inbox with lstat(2): never opens, follows or blocks on what it finds.
public struct InboxScanner: Sendable {
    public let inbox: String

    public init(inbox: String) { self.inbox = inbox }

    public func path(_ p: InboxPath) -> String { "\(inbox)/\(p.relative)" }

    /// The schema folders: sub-folders of the inbox (not symbolic links to folders).
    public func schemaFolders() -> [String] {
        Paths.list(inbox).filter { !InboxRules.isIgnored($0) && FileSignature.of("\(inbox)/\($0)")?.kind == .directory }
    }

    /// Every candidate in one folder (nil = the inbox itself), with its signature. In the inbox
    /// itself folders are schema folders, not candidates.
    public func files(in folder: String?) -> [(InboxPath, FileSignature)] {
        let dir = folder.map { "\(inbox)/\($0)" } ?? inbox
        var out: [(InboxPath, FileSignature)] = []
        for name in Paths.list(dir) where !InboxRules.isIgnored(name) {
            guard let sig = FileSignature.of("\(dir)/\(name)") else { continue }
            if folder == nil && sig.kind == .directory { continue }
            out.append((InboxPath(name, folder: folder), sig))
        }
        return out
    }

    /// The whole inbox: the inbox's own files and those of every schema folder.
    public func all() -> [(InboxPath, FileSignature)] {
        var out = files(in: nil)
        for folder in schemaFolders() { out += files(in: folder) }
        return out
    }
}
