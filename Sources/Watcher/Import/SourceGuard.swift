import Glibc

/// The claimed file held open from before an import reads it until just before its result is
/// published (contract §2c, "the claim is checked at the end"): size, mtime and ctime on the
/// open descriptor, and no writer, must be as they were, or nothing is published.
public final class SourceGuard: @unchecked Sendable {
    private let fd: Int32
    private let path: String
    private let before: stat

    /// nil when `path` is not a regular file that can be opened (a refused file is never read).
    public init?(path: String) {
        guard let fd = try? System.call("open", path, { open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }) else { return nil }
        var st = stat()
        guard System.errno("fstat", path, { fstat(fd, &st) }) == 0, st.st_mode & S_IFMT == S_IFREG else {
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
        switch WriterProbe.probe(fd: fd, path: path) {
        case .open: return "a process still has it open for writing"
        case .unknown where leased: return "the kernel no longer says whether a process has it open for writing"
        default: break
        }
        var now = stat()
        let failed = System.errno("fstat", path) { fstat(fd, &now) }
        guard failed == 0 else { return "fstat failed (\(String(cString: strerror(failed))))" }
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
    public var description: String { "\(file) changed while it was being imported: \(change). Import it again once it is complete." }
}
