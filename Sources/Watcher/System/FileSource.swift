import Dispatch
import Engine
import Glibc

/// A file's bytes for the Engine. Opened without following symlinks and without blocking on a
/// FIFO; checked on the descriptor to be a regular file with one link (contract §12).
public struct FileSource: ByteSource {
    public let path: String
    public let size: Int?

    /// Refuses what is not a regular file. The error is for the person who sent it.
    public init(path: String) throws {
        self.path = path
        let fd = try FileSource.openChecked(path)
        defer { close(fd) }
        var st = stat()
        try System.call("fstat", path) { fstat(fd, &st) }
        self.size = Int(st.st_size)
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    static func openChecked(_ path: String) throws -> Int32 {
        let fd: Int32
        do { fd = try System.call("open", path) { Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) } } catch {
            if error.errno == ELOOP { throw Refused(description: "is a symbolic link; Intake imports only regular files") }
            throw error
        }
        var st = stat()
        do { try System.call("fstat", path) { fstat(fd, &st) } } catch {
            close(fd)
            throw error
        }
        let kind = st.st_mode & S_IFMT
        if kind != S_IFREG {
            close(fd)
            let what =
                kind == S_IFIFO
                ? "a FIFO"
                : kind == S_IFDIR
                    ? "a directory" : kind == S_IFCHR || kind == S_IFBLK ? "a device" : kind == S_IFSOCK ? "a socket" : "not a regular file"
            throw Refused(description: "is \(what); Intake imports only regular files")
        }
        if st.st_nlink > 1 {
            close(fd)
            throw Refused(
                description:
                    "has \(st.st_nlink) hard links; Intake imports only files with one link, so a sender cannot make it read another file")
        }
        // Reads should block normally from here on.
        do {
            let flags = try System.call("fcntl", path) { fcntl(fd, F_GETFL) }
            try System.call("fcntl", path) { fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    public func open() throws -> any ByteReader { FileReader(fd: try FileSource.openChecked(path), path: path) }

    public func open(at offset: Int) throws -> any ByteReader {
        let fd = try FileSource.openChecked(path)
        let reader = FileReader(fd: fd, path: path)
        _ = try System.call("lseek", path) { Int(lseek(fd, off_t(offset), SEEK_SET)) }
        return reader
    }
}
