import Engine
import Glibc

/// Small path helpers on Glibc.
public enum Paths {
    public static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// mkdir -p. Tries the folder itself first: it usually exists, or only it is missing.
    public static func makeDirectories(_ path: String) throws {
        let first = System.errno("mkdir", path) { mkdir(path, 0o755) }
        if first == 0 || first == EEXIST { return }
        guard first == ENOENT else { throw SystemError(call: "mkdir", path: path, errno: first) }
        let up = parent(path)
        if up != path && up != "." && up != "/" { try makeDirectories(up) }
        let again = System.errno("mkdir", path) { mkdir(path, 0o755) }
        if again != 0 && again != EEXIST { throw SystemError(call: "mkdir", path: path, errno: again) }
    }

    /// Removes a file; one already gone is no problem (the errno is returned, 0 when removed).
    @discardableResult
    public static func removeFile(_ path: String) -> Int32 {
        System.errno("unlink", path) { unlink(path) }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return System.errno("lstat", path) { lstat(path, &st) } == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return System.errno("lstat", path) { lstat(path, &st) } == 0 && st.st_mode & S_IFMT == S_IFDIR
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
            System.errno("rmdir", path) { rmdir(path) }
        } else {
            removeFile(path)
        }
    }

    public static func syncDirectory(_ path: String) throws {
        let fd = try System.call("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try System.call("fsync", path) { fsync(fd) }
    }

    /// Renames a folder into place. rename(2) of a directory never replaces a non-empty one
    /// (ENOTEMPTY), and ids are fresh UUIDs, so a published folder is never overwritten.
    public static func renameNoReplace(_ from: String, _ to: String) throws {
        if exists(to) && !isDirectory(to) { throw SystemError(call: "rename", path: to, errno: EEXIST) }
        try System.call("rename", "\(from) -> \(to)") { rename(from, to) }
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
