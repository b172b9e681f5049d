import Glibc

/// One event as the kernel reports it (`struct inotify_event`): which watch, what happened,
/// and the name inside the watched folder ("" for events on the folder itself).
public struct InotifyEvent: Sendable, Equatable, CustomStringConvertible {
    public var wd: Int32
    public var mask: UInt32
    public var cookie: UInt32
    public var name: String

    public init(wd: Int32, mask: UInt32, cookie: UInt32 = 0, name: String) {
        self.wd = wd
        self.mask = mask
        self.cookie = cookie
        self.name = name
    }

    public func has(_ flag: UInt32) -> Bool { mask & flag != 0 }

    public var description: String { "wd=\(wd) mask=0x\(String(mask, radix: 16)) name=\(name)" }
}

/// An inotify instance (`inotify_init1(2)`): one descriptor, owned here and closed once.
/// Non-blocking: the daemon waits for it with poll(2) and reads until EAGAIN.
public struct Inotify: ~Copyable {
    /// The descriptor, for poll(2).
    public let fd: Int32

    // Event bits of <sys/inotify.h>, with Swift names.
    /// `IN_MODIFY`: file was written.
    public static let modify: UInt32 = 0x0000_0002
    /// `IN_CLOSE_WRITE`: a file opened for writing was closed.
    public static let closeWrite: UInt32 = 0x0000_0008
    /// `IN_MOVED_FROM`: a name was moved out of the folder.
    public static let movedFrom: UInt32 = 0x0000_0040
    /// `IN_MOVED_TO`: a name was moved into the folder.
    public static let movedTo: UInt32 = 0x0000_0080
    /// `IN_CREATE`: a name was created (also what link(2) shows, as OpenSSH's rename does).
    public static let create: UInt32 = 0x0000_0100
    /// `IN_DELETE`: a name was removed.
    public static let delete: UInt32 = 0x0000_0200
    /// `IN_DELETE_SELF`: the watched folder itself was removed.
    public static let deleteSelf: UInt32 = 0x0000_0400
    /// `IN_MOVE_SELF`: the watched folder itself was moved.
    public static let moveSelf: UInt32 = 0x0000_0800
    /// `IN_UNMOUNT`: the file system was unmounted.
    public static let unmount: UInt32 = 0x0000_2000
    /// `IN_Q_OVERFLOW`: the kernel's queue overflowed and events were lost (wd is -1).
    public static let queueOverflow: UInt32 = 0x0000_4000
    /// `IN_IGNORED`: the watch was removed (explicitly, or because its folder went away).
    public static let ignored: UInt32 = 0x0000_8000
    /// `IN_ONLYDIR`: only watch the path if it is a folder.
    public static let onlyDir: UInt32 = 0x0100_0000
    /// `IN_DONT_FOLLOW`: do not follow a symbolic link at the path.
    public static let dontFollow: UInt32 = 0x0200_0000
    /// `IN_ISDIR`: the subject of the event is a folder.
    public static let isDir: UInt32 = 0x4000_0000

    /// What the daemon asks for on an inbox folder.
    /// `IN_MODIFY` and `IN_CLOSE_WRITE` tell a file being written from a finished one where the
    /// daemon may not ask the kernel with a lease (contract §2c).
    public static let folderEvents: UInt32 =
        create | modify | closeWrite | movedTo | movedFrom | delete | deleteSelf | moveSelf
        | onlyDir | dontFollow

    /// `inotify_init1(IN_NONBLOCK | IN_CLOEXEC)`.
    public init() throws(SystemError) {
        fd = try System.call("inotify_init1", "") { inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC)) }
    }

    deinit { close(fd) }

    /// `inotify_add_watch(2)`. Returns the watch descriptor (the same one again for a path
    /// already watched).
    public func addWatch(_ path: String, mask: UInt32) throws(SystemError) -> Int32 {
        try System.call("inotify_add_watch", path) { inotify_add_watch(fd, path, mask) }
    }

    /// `inotify_rm_watch(2)`. A watch whose folder is gone is already removed: not an error.
    public func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(fd, wd)
    }

    /// Reads every event queued now; [] when there are none (EAGAIN).
    public func read() throws(SystemError) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n: Int
            do {
                n = try System.call("read", "inotify") { buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) } }
            } catch {
                if error.errno == EAGAIN { return events }
                throw error
            }
            if n == 0 { return events }
            events += buffer.withUnsafeBytes { Inotify.decode(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// The size of `struct inotify_event` before its name.
    public static let headerSize = 16

    /// Parses what read(2) returned on an inotify descriptor: a run of `struct inotify_event`
    /// (wd, mask, cookie, len, then `len` bytes of name padded with NULs). Pure, so tests can
    /// feed it hand-made buffers. A truncated tail is dropped (the kernel never returns one).
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let len = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard nameStart + len <= bytes.count else { break }
            var nameEnd = nameStart
            while nameEnd < nameStart + len && bytes[nameEnd] != 0 { nameEnd += 1 }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            events.append(InotifyEvent(wd: wd, mask: mask, cookie: cookie, name: name))
            offset = nameStart + len
        }
        return events
    }

    public static func decode(_ bytes: [UInt8]) -> [InotifyEvent] {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Encodes events the way the kernel does (names NUL-padded to a multiple of 4 bytes):
    /// the inverse of `decode`, for tests.
    public static func encode(_ events: [InotifyEvent]) -> [UInt8] {
        var out: [UInt8] = []
        for e in events {
            var name = Array(e.name.utf8)
            if !name.isEmpty {
                name.append(0)
                while name.count % 4 != 0 { name.append(0) }
            }
            withUnsafeBytes(of: e.wd.littleEndian) { out += $0 }
            withUnsafeBytes(of: e.mask.littleEndian) { out += $0 }
            withUnsafeBytes(of: e.cookie.littleEndian) { out += $0 }
            withUnsafeBytes(of: UInt32(name.count).littleEndian) { out += $0 }
            out += name
        }
        return out
    }
}

/// The sub-folders one inotify instance watches, known by name and by watch descriptor (the
/// inbox's schema folders, the review folders).
struct WatchedFolders {
    private var names: [Int32: String] = [:]
    private var descriptors: [String: Int32] = [:]

    func contains(_ name: String) -> Bool { descriptors[name] != nil }
    func name(of wd: Int32) -> String? { names[wd] }

    /// Watches `path` as `name`; nothing when it is watched already or cannot be (gone, not a folder).
    mutating func add(_ name: String, path: String, mask: UInt32, on inotify: borrowing Inotify) {
        guard descriptors[name] == nil, let wd = try? inotify.addWatch(path, mask: mask) else { return }
        names[wd] = name
        descriptors[name] = wd
    }

    mutating func remove(_ name: String, from inotify: borrowing Inotify) {
        guard let wd = descriptors.removeValue(forKey: name) else { return }
        names[wd] = nil
        inotify.removeWatch(wd)
    }

    mutating func removeAll(from inotify: borrowing Inotify) {
        for wd in names.keys { inotify.removeWatch(wd) }
        names = [:]
        descriptors = [:]
    }

    /// The kernel ended this watch (IN_IGNORED): forgotten, nothing to remove. Returns its name.
    @discardableResult
    mutating func forget(_ wd: Int32) -> String? {
        guard let name = names.removeValue(forKey: wd) else { return nil }
        descriptors[name] = nil
        return name
    }
}
