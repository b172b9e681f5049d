import Dispatch
import Engine
import Glibc

/// A file written for publishing: created exclusively, written, synced and closed.
///
/// A published file is written in 1 MiB aligned chunks past the page cache (`O_DIRECT`): the
/// bytes go from Intake's buffer to the disk, which they must reach before the publish anyway.
/// Once the first chunk went through, each next one is written by a background thread while
/// the caller fills the other of two buffers, so the disk's time overlaps the import's.
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
    static let chunk = 1 << 20
    private var staging: UnsafeMutableRawPointer?
    private var staged = 0
    /// Whether the descriptor has O_DIRECT: not tried before the first whole chunk; cached once
    /// refused, or once a write came short (the offset is then no longer aligned).
    private enum Mode { case untried, direct, cached }
    private var mode = Mode.untried
    /// The chunk a background write holds, and the free buffer the one after it goes to.
    private var inFlight: UnsafeMutableRawPointer?
    private var spare: UnsafeMutableRawPointer?
    private let writing = DispatchGroup()
    /// The background write: its chunk (handed over here: a raw pointer is not Sendable) and
    /// what came of it, read after `writing.wait()`.
    private final class Outcome: @unchecked Sendable {
        var chunk: UnsafeMutableRawPointer?
        var written = 0
        var error: SystemError?
    }
    private let outcome = Outcome()
    /// Every buffer allocated, freed at deinit (staging, inFlight and spare only point into them).
    private var owned: [UnsafeMutableRawPointer] = []

    /// `O_DIRECT`, which Glibc's Swift module leaves out (it is a `_GNU_SOURCE` name); 0 where
    /// its value is not known here, and then every write goes through the cache.
    #if arch(x86_64) || arch(i386)
    static let oDirect: Int32 = 0o40000
    #elseif arch(arm64)
    static let oDirect: Int32 = 0o200000
    #else
    static let oDirect: Int32 = 0
    #endif

    /// `direct: false` writes through the cache as where the file system refuses O_DIRECT
    /// (tmpfs did until Linux 6.6), so that way is tested wherever the tests run.
    init(path: String, sync: Bool = true, direct: Bool = true) throws {
        self.path = path
        self.sync = sync
        fd = try System.call("open", path) { Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        if sync && direct { staging = allocateBuffer() }
    }

    deinit {
        writing.wait()
        syncing.wait()
        if fd >= 0 { Glibc.close(fd) }
        for buffer in owned { free(buffer) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            // Read each time: a chunk written swaps the buffer, or ends staging.
            guard let staging else {
                return try writeThrough(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
            }
            let n = min(SyncedFile.chunk - staged, bytes.count - offset)
            (staging + staged).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            staged += n
            offset += n
            if staged == SyncedFile.chunk { try writeChunk() }
        }
    }

    /// Hands the full staging chunk to a background direct write and goes on in the other
    /// buffer; where direct writes are refused, writes it (and all after it) through the cache.
    private func writeChunk() throws {
        guard let full = staging else { return }
        staged = 0
        try awaitBackground()
        if mode == .untried { mode = SyncedFile.setDirect(true, fd, path) ? .direct : .cached }
        if mode == .direct, let next = spare ?? allocateBuffer() {
            spare = nil
            staging = next
            inFlight = full
            let (fd, path, outcome) = (self.fd, self.path, self.outcome)
            outcome.chunk = full
            DispatchQueue.global().async(group: writing) {
                guard let chunk = outcome.chunk else { return }
                (outcome.written, outcome.error) = SyncedFile.writeDirect(fd, path, chunk)
            }
            return
        }
        endDirect()
        try writeThrough(UnsafeRawBufferPointer(start: full, count: SyncedFile.chunk))
    }

    /// Waits for the chunk written in the background (its buffer becomes the spare). A write that
    /// came short, or was refused, is finished through the cache, as is everything after it.
    private func awaitBackground() throws {
        guard let buffer = inFlight else { return }
        writing.wait()
        inFlight = nil
        spare = buffer
        if let error = outcome.error { throw error }
        let written = outcome.written
        if written < SyncedFile.chunk {
            endDirect()
            try writeThrough(UnsafeRawBufferPointer(start: buffer + written, count: SyncedFile.chunk - written))
        }
    }

    /// From now on writes go straight through the cache.
    private func endDirect() {
        if mode == .direct { SyncedFile.setDirect(false, fd, path) }
        mode = .cached
        staging = nil
        spare = nil
    }

    private func allocateBuffer() -> UnsafeMutableRawPointer? {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 4096, SyncedFile.chunk) == 0, let memory else { return nil }
        owned.append(memory)
        return memory
    }

    /// Turns O_DIRECT on or off for `fd`; whether it took (a refusal is an answer: write through the cache).
    @discardableResult
    private static func setDirect(_ on: Bool, _ fd: Int32, _ path: String) -> Bool {
        guard oDirect != 0 else { return false }
        var flags: Int32 = 0
        guard
            System.errno(
                "fcntl", path,
                { () -> Int32 in
                    flags = fcntl(fd, F_GETFL); return flags
                }) == 0
        else { return false }
        return System.errno("fcntl", path) { fcntl(fd, F_SETFL, on ? flags | oDirect : flags & ~oDirect) } == 0
    }

    /// One direct write of a whole chunk: the bytes written, or the error. EINVAL (accepted by
    /// fcntl, refused by the write: some FUSE and network file systems) is 0 bytes, not an error.
    private static func writeDirect(_ fd: Int32, _ path: String, _ chunk: UnsafeMutableRawPointer) -> (count: Int, error: SystemError?) {
        var written = 0
        let failed = System.errno("write", path) {
            let n = Glibc.write(fd, chunk, SyncedFile.chunk)
            if n > 0 { written = n }
            return n
        }
        if failed != 0 && failed != EINVAL { return (0, SystemError(call: "write", path: path, errno: failed)) }
        return (written, nil)
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
        let tail = staging
        try awaitBackground()
        if let tail, staged > 0 {
            // The tail through the cache: a direct write needs a whole number of blocks.
            endDirect()
            try writeThrough(UnsafeRawBufferPointer(start: tail, count: staged))
            staged = 0
        }
        syncing.wait()
        if sync { try System.call("fsync", path) { fsync(fd) } }
        try System.call("close", path) { Glibc.close(fd) }
    }
}
