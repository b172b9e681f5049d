import Glibc
import Testing
@testable import Watcher

struct InotifyTests {
    static let cases: [(String, [InotifyEvent])] = [
        ("one event with a name", [InotifyEvent(wd: 1, mask: Inotify.create, name: "a.csv")]),
        ("a name that fills its padding exactly", [InotifyEvent(wd: 3, mask: Inotify.closeWrite, name: "abc")]),
        ("an event on the folder itself, no name", [InotifyEvent(wd: 2, mask: Inotify.deleteSelf, name: "")]),
        ("overflow", [InotifyEvent(wd: -1, mask: Inotify.queueOverflow, name: "")]),
        (
            "several, with a move cookie",
            [
                InotifyEvent(wd: 1, mask: Inotify.movedFrom, cookie: 77, name: "x.part"),
                InotifyEvent(wd: 1, mask: Inotify.movedTo, cookie: 77, name: "x.csv"),
                InotifyEvent(wd: 4, mask: Inotify.create | Inotify.isDir, name: "customers"),
            ]
        ),
        ("a UTF-8 name", [InotifyEvent(wd: 1, mask: Inotify.create, name: "Kundenübersicht März.csv")]),
    ]

    @Test(arguments: cases)
    func decodeReadsWhatTheKernelWrites(_ name: String, _ events: [InotifyEvent]) {
        #expect(Inotify.decode(Inotify.encode(events)) == events, "\(name)")
    }

    @Test func decodeReadsAHandMadeBufferByteForByte() {
        // wd=5, mask=IN_CLOSE_WRITE, cookie=0, len=8, "f.csv\0\0\0"
        let bytes: [UInt8] = [5, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0] + Array("f.csv".utf8) + [0, 0, 0]
        #expect(Inotify.decode(bytes) == [InotifyEvent(wd: 5, mask: Inotify.closeWrite, name: "f.csv")])
    }

    @Test func decodeDropsATruncatedTail() {
        var bytes = Inotify.encode([
            InotifyEvent(wd: 1, mask: Inotify.create, name: "a"), InotifyEvent(wd: 1, mask: Inotify.create, name: "bbbbbbbb"),
        ])
        bytes.removeLast(3)
        #expect(Inotify.decode(bytes) == [InotifyEvent(wd: 1, mask: Inotify.create, name: "a")])
        #expect(Inotify.decode([1, 2, 3]) == [])
    }

    @Test(.timeLimit(.hangGuard))
    func realInotifyReportsACreateAndACloseWrite() throws {
        let dir = TestRoot.makeTemporaryFolder()
        defer { Paths.removeTree(dir) }
        let inotify = try Inotify()
        let wd = try inotify.addWatch(dir, mask: Inotify.folderEvents)
        let fd = open("\(dir)/new.csv", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        _ = write(fd, "a,b\n", 4)
        close(fd)
        var pfd = pollfd(fd: inotify.fd, events: Int16(POLLIN), revents: 0)
        #expect(poll(&pfd, 1, 2000) == 1)
        let events = try inotify.read()
        #expect(events.contains { $0.wd == wd && $0.name == "new.csv" && $0.has(Inotify.create) })
        #expect(events.contains { $0.wd == wd && $0.name == "new.csv" && $0.has(Inotify.closeWrite) })
        #expect(try inotify.read() == [])
    }
}
