import Engine
import Glibc

/// A result folder under construction: every file is written inside a private folder (in
/// `.intake/`), synced, and the folder is renamed into place in one step when whole, so a
/// reader of outbox/ never sees half a folder (contract §3, §12; Maildir's way).
public final class ResultFolder: Workspace {
    public let path: String
    private let scratchPath: String

    /// Creates `path` (which must not exist) and a scratch folder beside it.
    public init(path: String) throws {
        self.path = path
        self.scratchPath = path + ".scratch"
        try System.call("mkdir", path) { mkdir(path, 0o755) }
        try Paths.makeDirectories(scratchPath)
    }

    public func create(_ name: String) throws -> any OutputFile {
        precondition(!name.contains("/") || name.hasPrefix("source/"), "result names are plain")
        return try SyncedFile(path: "\(path)/\(name)")
    }

    /// Scratch files are read back and thrown away; after a crash the import is redone, so they
    /// are not synced (two fsyncs fewer per import).
    public func createScratch(_ name: String) throws -> any OutputFile { try SyncedFile(path: "\(scratchPath)/\(name)", sync: false) }

    public func openScratch(_ name: String) throws -> any ByteReader {
        let p = "\(scratchPath)/\(name)"
        return FileReader(fd: try System.call("open", p) { open(p, O_RDONLY | O_CLOEXEC) }, path: p)
    }

    public func openScratchOnce(_ name: String) throws -> any ByteReader {
        let p = "\(scratchPath)/\(name)"
        return ConsumingFileReader(fd: try System.call("open", p) { open(p, O_RDWR | O_CLOEXEC) }, path: p)
    }

    public func removeScratch(_ name: String) { Paths.removeFile("\(scratchPath)/\(name)") }

    public func remove(_ name: String) {
        precondition(!name.contains("/"), "result names are plain")
        Paths.removeFile("\(path)/\(name)")
    }

    public func openResult(_ name: String) throws -> any ByteReader {
        let p = "\(path)/\(name)"
        return FileReader(fd: try System.call("open", p) { open(p, O_RDONLY | O_CLOEXEC) }, path: p)
    }

    public func promote(_ scratch: String, to name: String) throws {
        // Scratch files are not synced as they are written: sync this one now that it is a result.
        let from = "\(scratchPath)/\(scratch)"
        let fd = try System.call("open", from) { open(from, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try System.call("fsync", from) { fsync(fd) }
        try System.call("rename", from) { rename(from, "\(path)/\(name)") }
    }

    /// Writes a small document.
    public func write(_ name: String, _ bytes: [UInt8]) throws {
        let file = try create(name)
        try file.write(bytes)
        try file.close()
    }

    /// Copies `source` into `source/<name>` of the folder at `path`, byte for byte.
    static func copySource(from sourcePath: String, into path: String, name: String) throws {
        try Paths.makeDirectories("\(path)/source")
        let fd = try FileSource.openChecked(sourcePath)
        let input = FileReader(fd: fd, path: sourcePath)
        let out = try SyncedFile(path: "\(path)/source/\(name)")
        // A reflink where the file system shares blocks (Btrfs, XFS): no bytes copied, and still
        // a file of Intake's own that a writer of the original cannot change.
        if out.clone(from: fd) { return try out.close() }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try out.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        try out.close()
    }

    /// Moves the whole folder to `destination` (which must not exist) and syncs the parent.
    public func publish(to destination: String) throws {
        Paths.removeTree(scratchPath)
        try Paths.syncDirectory(path)
        try Paths.renameNoReplace(path, destination)
        try Paths.syncDirectory(Paths.parent(destination))
    }

    /// Removes the unfinished folder.
    public func discard() {
        Paths.removeTree(scratchPath)
        Paths.removeTree(path)
    }
}
