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
        _ = try syscall("lseek", path) { Int(lseek(fd, off_t(offset), SEEK_SET)) }
        return reader
    }
}

final class FileReader: ByteReader {
    private let fd: Int32
    private let path: String
    init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try syscall("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }
}

/// A scratch file read once, front to back, and removed after: what has been read is given
/// back as it goes (a hole punched in the file every 8 MB), so the page cache it held is free
/// for the file being written from it. The results copy writes 213 MB for the benchmark file;
/// into pages just freed it is fast, into fresh ones (on a VM that hands freed memory back to
/// its host) its writes took up to three times as long.
final class ConsumingFileReader: ByteReader {
    private let fd: Int32
    private let path: String
    private var offset = 0
    private var released = 0
    static let step = 8 << 20

    init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try syscall("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        offset += n
        let end = offset & ~4095
        if end - released >= ConsumingFileReader.step, let punch = LibC.fallocate {
            // Only a saving: a file system without holes keeps the pages until the unlink.
            _ = punch(fd, LibC.punchHole | LibC.keepSize, off_t(released), off_t(end - released))
            released = end
        }
        return n
    }
}

/// C calls that Swift's Glibc module leaves out (they need _GNU_SOURCE), found by name.
enum LibC {
    /// fallocate(2); nil when the C library has none.
    static let fallocate: (@convention(c) (Int32, Int32, off_t, off_t) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "fallocate") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32, off_t, off_t) -> Int32).self)
    }()
    /// FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE (linux/falloc.h).
    static let keepSize: Int32 = 0x01
    static let punchHole: Int32 = 0x02
}

/// A file written for publishing: created exclusively, written, synced and closed.
///
/// A large file is synced in steps as it is written: every `earlySync` bytes a background
/// fdatasync starts on what is there so far, so the disk writes while the rest is written and
/// the fsync at close waits only for the tail (it was ~60 ms for a 213 MB results.json).
final class SyncedFile: OutputFile {
    private var fd: Int32
    private let path: String
    /// Scratch files are read back and removed: syncing them would only wait for the disk.
    private let sync: Bool
    static let earlySync = 8 << 20
    private var sinceSync = 0
    private let syncing = DispatchGroup()

    init(path: String, sync: Bool = true) throws {
        self.path = path
        self.sync = sync
        fd = try syscall("open", path) { Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644) }
    }

    deinit {
        syncing.wait()
        if fd >= 0 { Glibc.close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try syscall("write", path) { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            offset += n
        }
        sinceSync += bytes.count
        if sync && sinceSync >= SyncedFile.earlySync && syncing.wait(timeout: .now()) == .success {
            // Only a head start: its result does not matter, the fsync at close decides.
            sinceSync = 0
            let fd = self.fd
            DispatchQueue.global().async(group: syncing) { _ = fdatasync(fd) }
        }
    }

    /// Makes this (empty) file share the blocks of the file open at `source` (`ioctl(FICLONE)`,
    /// ioctl_ficlone(2)). False where the file system cannot (ext4, tmpfs): then copy.
    func clone(from source: Int32) -> Bool {
        ioctl(fd, SyncedFile.ficlone, source) == 0
    }

    /// `FICLONE`: _IOW(0x94, 9, int).
    static let ficlone: UInt = 0x4004_9409

    func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        syncing.wait()
        if sync { try syscall("fsync", path) { fsync(fd) } }
        try syscall("close", path) { Glibc.close(fd) }
    }
}
