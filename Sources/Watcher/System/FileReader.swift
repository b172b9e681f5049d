import Dispatch
import Engine
import Glibc

final class FileReader: ByteReader {
    private let fd: Int32
    private let path: String
    init(fd: Int32, path: String) { self.fd = fd; self.path = path }
    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try System.call("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
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
        let n = try System.call("read", path) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
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
