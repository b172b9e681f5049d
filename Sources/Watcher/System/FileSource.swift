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
        var st = stat()
        fstat(fd, &st)
        close(fd)
        self.size = Int(st.st_size)
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    static func openChecked(_ path: String) throws -> Int32 {
        let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ELOOP { throw Refused(description: "is a symbolic link; Intake imports only regular files") }
            throw SystemError(call: "open", path: path, errno: e)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw SystemError(call: "fstat", path: path, errno: e)
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
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
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
