import Glibc

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
        guard System.errno("lstat", path, { lstat(path, &st) }) == 0 else { return nil }
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
