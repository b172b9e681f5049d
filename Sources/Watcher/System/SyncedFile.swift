import Dispatch
import Engine
import Glibc

/// A file written for publishing: created exclusively, written, synced and closed.
///
/// A published file is written in 4 MiB aligned chunks past the page cache (`O_DIRECT`): the
/// bytes go from Intake's buffer to the disk, which they must reach before the publish anyway.
/// Through the page cache, the kernel's copy into fresh pages cost 0.65–0.7 s of system time
/// for a 213 MB results.json on the AMD EPYC VM (`dd`: 0.72 s buffered, 0.21 s direct, both
/// on disk); see BENCHMARKS.md. The tail, shorter than a chunk, is written through the cache.
/// Where `O_DIRECT` is refused (tmpfs, some network file systems) the file is written through
/// the cache, and a background fdatasync every `earlySync` bytes starts the disk early so the
/// fsync at close waits only for the tail. Scratch files are read back: always cached.
final class SyncedFile: OutputFile {
    private var fd: Int32
    private let path: String
    /// Scratch files are read back and removed: syncing them would only wait for the disk.
    private let sync: Bool
    static let earlySync = 8 << 20
    private var sinceSync = 0
    private let syncing = DispatchGroup()
    /// The chunk being filled for a direct write (aligned for O_DIRECT); nil for scratch files
    /// and once direct writes proved impossible here.
    static let chunk = 4 << 20
    private var staging: UnsafeMutableRawPointer?
    private var staged = 0
    private var direct = false

    /// `O_DIRECT`, which Glibc's Swift module leaves out (it is a `_GNU_SOURCE` name); 0 where
    /// its value is not known here, and then every write goes through the cache.
    #if arch(x86_64) || arch(i386)
    static let oDirect: Int32 = 0o40000
    #elseif arch(arm64)
    static let oDirect: Int32 = 0o200000
    #else
    static let oDirect: Int32 = 0
    #endif

    init(path: String, sync: Bool = true) throws {
        self.path = path
        self.sync = sync
        fd = try System.call("open", path) { Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        if sync {
            var memory: UnsafeMutableRawPointer?
            if posix_memalign(&memory, 4096, SyncedFile.chunk) == 0 { staging = memory }
        }
    }

    deinit {
        syncing.wait()
        if fd >= 0 { Glibc.close(fd) }
        free(staging)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let staging else { return try writeThrough(bytes) }
        var offset = 0
        while offset < bytes.count {
            let n = min(SyncedFile.chunk - staged, bytes.count - offset)
            (staging + staged).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            staged += n
            offset += n
            if staged == SyncedFile.chunk { try writeChunk() }
        }
    }

    /// Writes the full staging chunk, directly when the file system lets it; once it does not
    /// (refused, or a short write that leaves the offset unaligned), the rest goes through the cache.
    private func writeChunk() throws {
        guard let staging else { return }
        staged = 0
        if !direct {
            let flags = fcntl(fd, F_GETFL)
            direct = SyncedFile.oDirect != 0 && flags >= 0 && fcntl(fd, F_SETFL, flags | SyncedFile.oDirect) == 0
        }
        var written = 0
        if direct {
            // EINVAL: accepted by fcntl, refused by the write (some FUSE and network file systems).
            let failed = System.errno("write", path) {
                let n = Glibc.write(fd, staging, SyncedFile.chunk)
                if n > 0 { written = n }
                return n
            }
            if failed != 0 && failed != EINVAL { throw SystemError(call: "write", path: path, errno: failed) }
            if written == SyncedFile.chunk { return }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~SyncedFile.oDirect)
            direct = false
        }
        self.staging = nil
        defer { free(staging) }
        try writeThrough(UnsafeRawBufferPointer(start: staging + written, count: SyncedFile.chunk - written))
    }

    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try System.call("write", path) { Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
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
        if let staging, staged > 0 {
            // The tail through the cache: a direct write needs a whole number of blocks.
            if direct { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~SyncedFile.oDirect) }
            try writeThrough(UnsafeRawBufferPointer(start: staging, count: staged))
            staged = 0
        }
        syncing.wait()
        if sync { try System.call("fsync", path) { fsync(fd) } }
        try System.call("close", path) { Glibc.close(fd) }
    }
}
