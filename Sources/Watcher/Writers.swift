import Glibc

/// Whether some process holds a file open for writing, as far as this machine can tell
/// (contract §2c: complete means no one is writing).
public enum Writers: Sendable, Equatable {
    /// The kernel would not say (no lease for this daemon: not the file's owner and no
    /// CAP_LEASE, or a file system without leases): only events and the settle time tell.
    case unknown
    /// No process on this machine has it open for writing.
    case none
    /// Someone has it open for writing: an upload in progress, or a sender stalled mid-file.
    case open
}

/// Asks the kernel with a read lease (`fcntl(F_SETLEASE, F_RDLCK)`, fcntl(2)): it is granted
/// only while no one has the file open for writing, and given back at once. A lease held for
/// these microseconds would make a writer that opens the file wait until it is given back, and
/// would send this process SIGIO: the daemon ignores SIGIO (`ignoreLeaseBreaks`).
public enum WriterProbe {
    /// `F_SETLEASE`, `F_GETLEASE` (F_LINUX_SPECIFIC_BASE + 0 and + 1; Swift's Glibc leaves
    /// them out, they need _GNU_SOURCE).
    static let setLease: Int32 = 1024
    static let readLock = Int32(F_RDLCK)
    static let unlock = Int32(F_UNLCK)

    /// Opens `path` (never following a link, never blocking on a FIFO) and asks.
    public static func probe(_ path: String) -> Writers {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .unknown }
        defer { close(fd) }
        return probe(fd: fd)
    }

    /// Asks about the file open read-only at `fd`.
    public static func probe(fd: Int32) -> Writers {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return .unknown }
        if fcntl(fd, setLease, readLock) == 0 {
            _ = fcntl(fd, setLease, unlock)
            return .none
        }
        // EAGAIN: open for writing (or mapped writable) by someone. EACCES: not ours to lease.
        // EINVAL: a file system without leases (FUSE, NFS).
        return errno == EAGAIN ? .open : .unknown
    }

    /// Taking a lease makes this process the one the kernel signals (SIGIO, whose default
    /// action ends the process) when a writer opens the file before the lease is given back.
    public static func ignoreLeaseBreaks() {
        signal(SIGIO, SIG_IGN)
    }
}

/// The claimed file held open from before an import reads it until just before its result is
/// published (contract §2c, "the claim is checked at the end"): size, mtime and ctime on the
/// open descriptor, and no writer, must be as they were, or nothing is published.
public final class SourceGuard: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let before: stat

    /// nil when `path` is not a regular file that can be opened (a refused file is never read).
    public init?(path: String) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return nil
        }
        self.fd = fd
        self.path = path
        self.before = st
    }

    deinit { close(fd) }

    /// What changed since the guard was made, in words for the log; nil when nothing did.
    /// `leased`: the file is to be moved into source/ on the kernel's word that no one writes
    /// it, so the kernel must say so again now.
    public func change(leased: Bool = false) -> String? {
        switch WriterProbe.probe(fd: fd) {
        case .open: return "a process still has it open for writing"
        case .unknown where leased: return "the kernel no longer says whether a process has it open for writing"
        default: break
        }
        var now = stat()
        guard fstat(fd, &now) == 0 else { return "fstat failed (errno \(errno))" }
        if now.st_size != before.st_size { return "its size went from \(before.st_size) to \(now.st_size) bytes" }
        if now.st_mtim.tv_sec != before.st_mtim.tv_sec || now.st_mtim.tv_nsec != before.st_mtim.tv_nsec {
            return "it was written to (mtime changed)"
        }
        if now.st_ctim.tv_sec != before.st_ctim.tv_sec || now.st_ctim.tv_nsec != before.st_ctim.tv_nsec {
            return "its status changed (ctime)"
        }
        return nil
    }
}

/// Thrown by `ImportRunner.run` instead of publishing when the file changed while it was read.
public struct SourceChanged: Error, CustomStringConvertible {
    public let file: String
    public let change: String
    public var description: String { "\(file) changed while it was being imported: \(change)" }
}
