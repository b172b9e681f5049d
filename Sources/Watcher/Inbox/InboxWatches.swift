import Glibc

/// The inotify watches of a root: the root itself (to see `inbox/` made again after it was
/// removed), `inbox/`, and each schema folder `inbox/<schema_id>/`, added when it appears.
final class InboxWatches {
    let inotify: Inotify
    let layout: RootLayout
    private var rootWD: Int32 = -1
    private(set) var inboxWD: Int32?
    private var folders = WatchedFolders()

    /// What an event means to the daemon.
    enum Meaning: Equatable {
        case overflow
        case inboxCreated
        case inboxGone
        case folderAppeared(String)
        case folderGone(String)
        /// A file in the inbox or a schema folder; `removed` when it left. `writers`: `.open`
        /// when it was written to (`IN_MODIFY`), `.none` when a writer closed it.
        case file(InboxPath, removed: Bool, writers: Writers)
        case none
    }

    init(layout: RootLayout) throws {
        self.layout = layout
        inotify = try Inotify()
        rootWD = try inotify.addWatch(layout.root, mask: Inotify.create | Inotify.movedTo | Inotify.onlyDir)
    }

    /// Watches `inbox/` (again) and every schema folder in it.
    func armInbox(log: EventLog) {
        disarmInbox()
        do {
            inboxWD = try inotify.addWatch(layout.inbox, mask: Inotify.folderEvents)
        } catch {
            log.warn("inbox_not_watched", ["folder": layout.inbox, "error": "\(error)"])
            return
        }
        for name in InboxScanner(inbox: layout.inbox).schemaFolders() { addFolder(name) }
    }

    func disarmInbox() {
        if let wd = inboxWD { inotify.removeWatch(wd) }
        inboxWD = nil
        folders.removeAll(from: inotify)
    }

    func addFolder(_ name: String) {
        guard inboxWD != nil else { return }
        // IN_DONT_FOLLOW and IN_ONLYDIR: a symbolic link to a folder elsewhere is never watched.
        folders.add(name, path: "\(layout.inbox)/\(name)", mask: Inotify.folderEvents, on: inotify)
    }

    func removeFolder(_ name: String) {
        folders.remove(name, from: inotify)
    }

    static func writers(_ event: InotifyEvent) -> Writers {
        event.has(Inotify.closeWrite) ? .none : event.has(Inotify.modify) ? .open : .unknown
    }

    func classify(_ event: InotifyEvent) -> Meaning {
        if event.has(Inotify.queueOverflow) { return .overflow }
        let arrived = event.has(Inotify.create) || event.has(Inotify.movedTo)
        let left = event.has(Inotify.delete) || event.has(Inotify.movedFrom)
        let selfGone = event.has(Inotify.deleteSelf) || event.has(Inotify.moveSelf) || event.has(Inotify.ignored)
        if event.wd == rootWD {
            return event.name == "inbox" && arrived ? .inboxCreated : .none
        }
        if event.wd == inboxWD {
            if selfGone { return .inboxGone }
            if event.name.isEmpty { return .none }
            if event.has(Inotify.isDir) {
                if arrived { return .folderAppeared(event.name) }
                if left { return .folderGone(event.name) }
                return .none
            }
            return .file(InboxPath(event.name), removed: left, writers: InboxWatches.writers(event))
        }
        if let folder = folders.name(of: event.wd) {
            if selfGone {
                return event.has(Inotify.ignored) || event.has(Inotify.deleteSelf) || event.has(Inotify.moveSelf)
                    ? .folderGone(folder) : .none
            }
            if event.name.isEmpty { return .none }
            return .file(InboxPath(event.name, folder: folder), removed: left, writers: InboxWatches.writers(event))
        }
        return .none
    }
}
