import Foundation
import Glibc

/// A daemon's name on a root: `.intake/owners/<id>.lock`, held with flock(2) for as long as
/// the process lives. The kernel drops the lock when the process dies, however it dies, so
/// another daemon can tell a dead owner's claims from a live one's and adopt them.
public final class OwnerLock: Sendable {
    public let id: String
    private let fd: Int32

    public init(layout: RootLayout) throws {
        id = String(UUID().uuidString.lowercased().prefix(8)) + String(getpid())
        // Locked under a temporary name, then renamed into place: a lock file others can see is
        // always held, so no one takes a starting daemon for a dead one.
        let tmp = "\(layout.owners)/.\(id).tmp"
        let path = "\(layout.owners)/\(id).lock"
        fd = try System.call("open", tmp) { open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        try System.call("flock", tmp) { flock(fd, LOCK_EX | LOCK_NB) }
        try System.call("rename", tmp) { rename(tmp, path) }
    }

    deinit { close(fd) }

    /// The lock of a dead owner, held by the adopter while it rewrites that owner's claims; then
    /// the owner's file is removed.
    public struct Dead: ~Copyable {
        let fd: Int32
        let path: String

        /// Removes the dead owner's lock file and lets go of it (the deinit closes).
        consuming public func finish() {
            Paths.removeFile(path)
        }

        deinit { if fd >= 0 { close(fd) } }
    }

    /// Whether `owner` is dead; if so, its lock, held (so two adopters never adopt at once).
    /// A missing lock file counts as dead: an adopter removes it only after adopting everything.
    public static func lockIfDead(_ owner: String, layout: RootLayout) -> Dead? {
        guard InboxRules.isBareName(owner) else { return nil }
        let path = "\(layout.owners)/\(owner).lock"
        let fd: Int32
        do { fd = try System.call("open", path) { open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW) } } catch {
            return error.errno == ENOENT ? Dead(fd: -1, path: path) : nil
        }
        if System.errno("flock", path, { flock(fd, LOCK_EX | LOCK_NB) }) != 0 {
            close(fd)
            return nil
        }
        return Dead(fd: fd, path: path)
    }

    /// Whether `owner` holds its lock now (a daemon starting up holds it under a temporary name).
    public static func isAlive(_ owner: String, layout: RootLayout) -> Bool {
        guard InboxRules.isBareName(owner) else { return false }
        if Paths.exists("\(layout.owners)/.\(owner).tmp") { return true }
        let path = "\(layout.owners)/\(owner).lock"
        guard let fd = try? System.call("open", path, { open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }) else { return false }
        defer { close(fd) }
        if System.errno("flock", path, { flock(fd, LOCK_SH | LOCK_NB) }) != 0 { return true }
        System.errno("flock", path) { flock(fd, LOCK_UN) }
        return false
    }

    /// Removes a lock file no one holds (a daemon killed while it started).
    static func removeIfUnheld(_ path: String) {
        guard let fd = try? System.call("open", path, { open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW) }) else { return }
        defer { close(fd) }
        if System.errno("flock", path, { flock(fd, LOCK_EX | LOCK_NB) }) == 0 { Paths.removeFile(path) }
    }

    /// The right to adopt the claim in `folder` (an import's or a resolution's) from the dead
    /// owner `dead`, won by one daemon only. The dead owner's lock does not decide it alone: once
    /// the first adopter has removed the lock file, a second finds no lock to hold (seen on
    /// GlusterFS: one claim adopted by three daemons). The file system decides, as for claiming:
    /// a hard link made to a fixed name, `<folder>/.taken-from-<dead>`, from a file naming `taker`;
    /// link(2) fails for every other (EEXIST), on a local disk and on a network file system. A
    /// taker that died before it rewrote claim.json leaves its token: the token of a dead taker
    /// is renamed away (one daemon wins that rename too) and the link is tried again.
    public static func takeOver(_ folder: String, from dead: String, by taker: String, layout: RootLayout) -> Bool {
        let token = "\(folder)/.taken-from-\(dead)"
        let mine = "\(folder)/\(TempName(id: "taken-from-\(dead)", owner: taker).name)"
        for _ in 0..<2 {
            Paths.removeFile(mine)
            guard (try? RootLayout.writeAtomically(mine, Array(taker.utf8), sync: false, tag: taker)) != nil else { return false }
            defer { Paths.removeFile(mine) }
            let linked = System.errno("link", token) { link(mine, token) }
            if linked == 0 { return true }
            guard linked == EEXIST, let bytes = try? Paths.readFile(token) else { return false }
            let holder = String(decoding: bytes, as: UTF8.self)
            if holder == taker { return true }
            guard !isAlive(holder, layout: layout) else { return false }
            let stale = "\(token).\(taker).stale"
            guard System.errno("rename", token, { rename(token, stale) }) == 0 else { return false }
            Paths.removeFile(stale)
        }
        return false
    }

    /// Owners that have a lock file in `.intake/owners/`.
    public static func owners(layout: RootLayout) -> [String] {
        Paths.list(layout.owners).filter { $0.hasSuffix(".lock") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) }
    }
}
