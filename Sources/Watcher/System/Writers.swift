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
        guard let fd = try? System.call("open", path, { open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }) else {
            return .unknown
        }
        defer { close(fd) }
        return probe(fd: fd, path: path)
    }

    /// Asks about the file open read-only at `fd`.
    public static func probe(fd: Int32, path: String) -> Writers {
        var st = stat()
        guard System.errno("fstat", path, { fstat(fd, &st) }) == 0, st.st_mode & S_IFMT == S_IFREG else { return .unknown }
        // EAGAIN: open for writing (or mapped writable) by someone. EACCES: not ours to lease.
        // EINVAL: a file system without leases (FUSE, NFS).
        switch System.errno("fcntl(F_SETLEASE)", path, { fcntl(fd, setLease, readLock) }) {
        case 0:
            System.errno("fcntl(F_SETLEASE)", path) { fcntl(fd, setLease, unlock) }
            return .none
        case EAGAIN:
            return .open
        default:
            return .unknown
        }
    }

    /// Taking a lease makes this process the one the kernel signals (SIGIO, whose default
    /// action ends the process) when a writer opens the file before the lease is given back.
    public static func ignoreLeaseBreaks() {
        signal(SIGIO, SIG_IGN)
    }
}
