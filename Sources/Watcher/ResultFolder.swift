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
        try syscall("mkdir", path) { mkdir(path, 0o755) }
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
        return FileReader(fd: try syscall("open", p) { open(p, O_RDONLY | O_CLOEXEC) }, path: p)
    }

    public func openScratchOnce(_ name: String) throws -> any ByteReader {
        let p = "\(scratchPath)/\(name)"
        return ConsumingFileReader(fd: try syscall("open", p) { open(p, O_RDWR | O_CLOEXEC) }, path: p)
    }

    public func removeScratch(_ name: String) { unlink("\(scratchPath)/\(name)") }

    public func remove(_ name: String) {
        precondition(!name.contains("/"), "result names are plain")
        unlink("\(path)/\(name)")
    }

    public func openResult(_ name: String) throws -> any ByteReader {
        let p = "\(path)/\(name)"
        return FileReader(fd: try syscall("open", p) { open(p, O_RDONLY | O_CLOEXEC) }, path: p)
    }

    public func promote(_ scratch: String, to name: String) throws {
        // Scratch files are not synced as they are written: sync this one now that it is a result.
        let from = "\(scratchPath)/\(scratch)"
        let fd = try syscall("open", from) { open(from, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try syscall("fsync", from) { fsync(fd) }
        try syscall("rename", from) { rename(from, "\(path)/\(name)") }
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

/// Small path helpers on Glibc.
public enum Paths {
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// mkdir -p. Tries the folder itself first: it usually exists, or only it is missing.
    public static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw SystemError(call: "mkdir", path: path, errno: errno) }
        let up = parent(path)
        if up != path && up != "." && up != "/" { try makeDirectories(up) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw SystemError(call: "mkdir", path: path, errno: errno) }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func removeTree(_ path: String) {
        if isDirectory(path) {
            for name in list(path) { removeTree("\(path)/\(name)") }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    public static func syncDirectory(_ path: String) throws {
        let fd = try syscall("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try syscall("fsync", path) { fsync(fd) }
    }

    /// Renames a folder into place. rename(2) of a directory never replaces a non-empty one
    /// (ENOTEMPTY), and ids are fresh UUIDs, so a published folder is never overwritten.
    public static func renameNoReplace(_ from: String, _ to: String) throws {
        if exists(to) && !isDirectory(to) { throw SystemError(call: "rename", path: to, errno: EEXIST) }
        try syscall("rename", "\(from) -> \(to)") { rename(from, to) }
    }

    public static func readFile(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
        let fd = try FileSource.openChecked(path)
        let reader = FileReader(fd: fd, path: path)
        var out: [UInt8] = []
        try reader.forEachChunk(size: 1 << 16) { piece in
            out.append(contentsOf: piece)
            if out.count > limit { throw FileSource.Refused(description: "is larger than \(limit >> 20) MiB") }
        }
        return out
    }
}
