import Glibc

/// Where a dropped file sits: `inbox/NAME`, or `inbox/FOLDER/NAME` in a schema folder (§2b).
public struct InboxPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The schema folder, or nil for the inbox itself.
    public let folder: String?
    public let name: String
    /// A sidecar (§2a) is a `*.import.json` in the inbox itself; in a schema folder every file
    /// is data. Worked out once: the pairing machine asks on every tick.
    public let isSidecar: Bool
    /// A done file (`NAME.done`, `NAME.ready`): it says that NAME is complete, and is not data.
    public let isMarker: Bool

    public init(_ name: String, folder: String? = nil) {
        self.folder = folder
        self.name = name
        self.isSidecar = folder == nil && InboxRules.isSidecarName(name)
        self.isMarker = !isSidecar && InboxRules.markedName(name) != nil
    }

    /// The file this done file marks complete.
    public var marked: InboxPath? { InboxRules.markedName(name).map { InboxPath($0, folder: folder) } }

    /// The done files that would mark this file complete.
    public var markers: [InboxPath] { InboxRules.markerSuffixes.map { InboxPath(name + $0, folder: folder) } }

    /// The path relative to `inbox/`.
    public var relative: String { folder.map { "\($0)/\(name)" } ?? name }
    public var description: String { relative }

    /// The inbox's own files first, then by folder and name (no strings built).
    public static func < (a: InboxPath, b: InboxPath) -> Bool {
        switch (a.folder, b.folder) {
        case (nil, nil): return a.name < b.name
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x != y ? x < y : a.name < b.name
        }
    }

    /// Parses `NAME` or `FOLDER/NAME` as stored in a claim.
    public init?(relative: String) {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy(InboxRules.isBareName) else { return nil }
        switch parts.count {
        case 1: self.init(parts[0])
        case 2: self.init(parts[1], folder: parts[0])
        default: return nil
        }
    }
}

/// What a look at a path with lstat(2) shows: enough to tell whether a file is still changing,
/// and what kind of thing it is, without opening it (a FIFO would block an open).
public struct FileSignature: Equatable, Sendable {
    public enum Kind: String, Sendable { case regular, directory, symlink, fifo, socket, device }
    public var kind: Kind
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtime: Int64
    /// Status change time (nanoseconds): a rename into the inbox sets it, so it tells how long a
    /// file found by a scan has been there.
    public var ctime: Int64
    public var inode: UInt64
    public var links: Int

    public init(kind: Kind = .regular, size: Int64, mtime: Int64 = 0, ctime: Int64 = 0, inode: UInt64 = 1, links: Int = 1) {
        self.kind = kind
        self.size = size
        self.mtime = mtime
        self.ctime = ctime
        self.inode = inode
        self.links = links
    }

    /// A regular file with one link: the only thing Intake imports (§12).
    public var isImportable: Bool { kind == .regular && links == 1 }

    /// Why a thing that is not importable is refused, for `UNREADABLE_FILE`.
    public var refusal: String {
        switch kind {
        case .regular: "has \(links) hard links; Intake imports only files with one link, so a sender cannot make it read another file"
        case .directory: "is a folder; Intake imports only regular files"
        case .symlink: "is a symbolic link; Intake imports only regular files and never follows links"
        case .fifo: "is a FIFO; Intake imports only regular files"
        case .socket: "is a socket; Intake imports only regular files"
        case .device: "is a device; Intake imports only regular files"
        }
    }

    /// lstat(2) of `path`; nil when nothing is there.
    public static func of(_ path: String) -> FileSignature? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        default: kind = .device
        }
        return FileSignature(
            kind: kind, size: Int64(st.st_size),
            mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
            inode: UInt64(st.st_ino), links: Int(st.st_nlink))
    }

    /// Seconds since the last status change, by the wall clock (never negative).
    public var age: Double { age(byMTime: false) }

    /// Seconds since the ctime (or the mtime, which a test can set).
    public func age(byMTime: Bool) -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        return max(0, Double(now - (byMTime ? mtime : ctime)) / 1e9)
    }
}

/// The inbox's naming rules (§2a, §2c).
public enum InboxRules {
    /// Names that uploads in progress have (contract §2c): browsers (`.crdownload`, `.part`,
    /// `.download`), WinSCP (`.filepart`), MFT tools (`.tmp`, `.partial`), editors (`.swp`, `~`).
    /// Hidden names cover the servers' and rsync's own temporary names (proftpd HiddenStores
    /// `.in.NAME.`, pure-ftpd `.pureftpd-upload.*`, rsync `.NAME.XXXXXX`, lftp `.in.*`).
    static let partialSuffixes = [".tmp", ".part", ".partial", ".filepart", ".crdownload", ".download", ".swp", "~"]
    /// Lock files an office program leaves beside a workbook it has open (`~$Book.xlsx`).
    static let partialPrefixes = [".", "~$"]
    /// Done files (contract §2c): written by a sender after the data, they mark it complete.
    public static let markerSuffixes = [".done", ".ready", ".DONE", ".READY"]

    /// Uploads in progress by common clients, and hidden files: never looked at.
    public static func isIgnored(_ name: String) -> Bool {
        if name.isEmpty || partialPrefixes.contains(where: { name.hasPrefix($0) }) { return true }
        let lower = name.lowercased()
        return partialSuffixes.contains { lower.hasSuffix($0) }
    }

    /// For a done file `NAME.done` or `NAME.ready` (or in capitals), NAME; nil for anything else.
    public static func markedName(_ name: String) -> String? {
        for suffix in markerSuffixes where name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count {
            return String(name.utf8.dropLast(suffix.utf8.count))!
        }
        return nil
    }

    public static func isSidecarName(_ name: String) -> Bool {
        name.lowercased().hasSuffix(".import.json") && name.count > ".import.json".count
    }

    /// A name that stays inside its folder: no `/`, not `.` or `..`, no leading dot, no NUL.
    public static func isBareName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && !name.contains("\0")
    }
}

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
