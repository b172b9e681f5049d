import Dispatch
import Engine
import Glibc

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
        fd = try System.call("open", path) { Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644) }
    }

    deinit {
        syncing.wait()
        if fd >= 0 { Glibc.close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
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
        syncing.wait()
        if sync { try System.call("fsync", path) { fsync(fd) } }
        try System.call("close", path) { Glibc.close(fd) }
    }
}
