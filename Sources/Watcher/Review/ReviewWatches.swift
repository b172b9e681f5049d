import Glibc

/// Where resolutions are dropped: `review/<id>/resolution.json` (contract §6). One inotify
/// instance watches `review/` (folders arriving and leaving) and each review folder (the
/// resolution being written, closed or moved in). Events are hints, the folders are the truth:
/// the daemon also scans them at start and at each rescan.
final class ReviewWatches {
    let inotify: Inotify
    let review: String
    private var reviewWD: Int32?
    private var folders = WatchedFolders()

    static let fileName = "resolution.json"

    enum Meaning: Equatable {
        /// Something about this import's resolution may have changed: look at it.
        case look(String)
        /// Look at everything again (overflow, review/ made again).
        case rescan
    }

    init(review: String) throws {
        self.review = review
        inotify = try Inotify()
        arm()
    }

    /// Watches review/ and every folder in it (again).
    func arm() {
        if reviewWD == nil {
            reviewWD = try? inotify.addWatch(
                review,
                mask: Inotify.create | Inotify.movedTo | Inotify.movedFrom | Inotify.delete
                    | Inotify.deleteSelf | Inotify.moveSelf | Inotify.onlyDir | Inotify.dontFollow)
        }
        for id in ReviewWatches.folderIDs(review) { add(id) }
    }

    /// Review folders: names that can be ids, folders (not links to folders).
    static func folderIDs(_ review: String) -> [String] {
        Paths.list(review).filter { InboxRules.isBareName($0) && FileSignature.of("\(review)/\($0)")?.kind == .directory }
    }

    func add(_ id: String) {
        guard reviewWD != nil else { return }
        folders.add(
            id, path: "\(review)/\(id)",
            mask: Inotify.create | Inotify.closeWrite | Inotify.movedTo | Inotify.movedFrom | Inotify.delete | Inotify.onlyDir
                | Inotify.dontFollow, on: inotify)
    }

    func remove(_ id: String) {
        folders.remove(id, from: inotify)
    }

    /// Reads what is there to read and says what to look at.
    func read() throws -> [Meaning] {
        var out: [Meaning] = []
        for event in try inotify.read() {
            if event.has(Inotify.queueOverflow) { out.append(.rescan); continue }
            if event.wd == reviewWD {
                if event.has(Inotify.deleteSelf) || event.has(Inotify.moveSelf) || event.has(Inotify.ignored) {
                    reviewWD = nil
                    folders.removeAll(from: inotify)
                    out.append(.rescan)
                    continue
                }
                guard event.has(Inotify.isDir), InboxRules.isBareName(event.name) else { continue }
                if event.has(Inotify.create) || event.has(Inotify.movedTo) {
                    add(event.name)
                    out.append(.look(event.name))
                } else {
                    remove(event.name)
                    out.append(.look(event.name))
                }
            } else if let id = folders.name(of: event.wd) {
                if event.has(Inotify.ignored) {
                    folders.forget(event.wd)
                    continue
                }
                if event.name == ReviewWatches.fileName { out.append(.look(id)) }
            }
        }
        return out
    }

    var isArmed: Bool { reviewWD != nil }
}
