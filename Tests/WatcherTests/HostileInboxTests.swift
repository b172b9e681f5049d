import Engine
import Foundation
import Glibc
import Testing
@testable import Watcher

/// Contract §12, the inbox shared with outsiders: sidecars that try to name paths outside it,
/// names no file system holds, device files, names that are not UTF-8. Each ends in a clear
/// outcome within the upload window, the daemon keeps going, and nothing outside the inbox is
/// read or written.
@Suite(.timeLimit(.hangGuard))
struct HostileInboxTests {
    /// (sidecar name, its bytes, the failure codes that are a clear outcome for it)
    static let sidecars: [(String, [UInt8], Set<String>)] = {
        func side(_ name: String) -> [UInt8] { Array(#"{"schema_id": "customers", "original_filename": "\#(name)"}"#.utf8) }
        let long = String(repeating: "n", count: 1000) + ".csv"
        return [
            ("dotdot.import.json", side("../schemas/customers.json"), ["INVALID_SIDECAR"]),
            ("deep.import.json", side("../../../../../../etc/passwd"), ["INVALID_SIDECAR"]),
            ("absolute.import.json", side("/etc/passwd"), ["INVALID_SIDECAR"]),
            ("nul.import.json", side(#"a\u0000b.csv"#), ["INVALID_SIDECAR"]),
            ("dot.import.json", side(".."), ["INVALID_SIDECAR"]),
            ("hidden.import.json", side(".bashrc"), ["INVALID_SIDECAR"]),
            ("schema.import.json", Array(#"{"schema_id": "../../etc/passwd", "original_filename": "x.csv"}"#.utf8), ["INVALID_SIDECAR"]),
            // Names a file system can hold or not: the sidecar waits for them, then expires.
            ("newline.import.json", side(#"a\nb.csv"#), ["UPLOAD_EXPIRED"]),
            ("long.import.json", side(long), ["UPLOAD_EXPIRED", "INVALID_SIDECAR"]),
            (
                "badutf8.import.json",
                Array(#"{"schema_id": "customers", "original_filename": "a"#.utf8) + [0xFF, 0xFE, 0xC0, 0x80] + Array(#".csv"}"#.utf8),
                ["INVALID_SIDECAR", "UPLOAD_EXPIRED"]
            ),
            ("notjson.import.json", [0x00, 0xFF, 0x7B], ["INVALID_SIDECAR"]),
        ]
    }()

    @Test func hostileSidecarsEndInFailedAndReachNothingOutsideTheInbox() throws {
        let root = try TestRoot()
        let before = Paths.list(root.path)
        let schemaBytes = try Paths.readFile("\(root.path)/schemas/customers.json")
        for (name, bytes, _) in HostileInboxTests.sidecars {
            let fd = open("\(root.path)/inbox/\(name)", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        let daemon = RunningDaemon(root: root.path, uploadWindow: 1)
        defer { daemon.stop() }
        root.write("inbox/customers/fine.csv", TestRoot.csv(rows: 1))
        #expect(TestRoot.waitFor { root.results().count == HostileInboxTests.sidecars.count + 1 })
        for (name, bytes, codes) in HostileInboxTests.sidecars {
            let r = root.results().first { $0.sources.contains(name) }
            #expect(r?.folder == "failed", "\(name)")
            #expect(codes.contains(r?.record.importErrors?.first?.code ?? "-"), "\(name): \(r?.record.importErrors ?? [])")
            #expect(r?.sources == [name])
            if let r { #expect(try Paths.readFile("\(root.path)/failed/\(r.id)/source/\(name)") == bytes, "\(name) kept as dropped") }
        }
        #expect(root.results().contains { $0.sources == ["fine.csv"] && $0.folder == "outbox" }, "the daemon kept going")
        #expect(Paths.list(root.path) == before)
        #expect(try Paths.readFile("\(root.path)/schemas/customers.json") == schemaBytes)
        #expect(root.inbox().isEmpty)
    }

    /// Character and block devices (root can make them) are refused like FIFOs and links: moved
    /// into failed/ unopened. A name that is not UTF-8 stays in the inbox (contract §2c).
    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func devicesAreRefusedUnopenedAndNamesThatAreNotUTF8AreLeftAlone() throws {
        let root = try TestRoot()
        let made =
            mknod("\(root.path)/inbox/customers/null.csv", S_IFCHR | 0o666, dev_t(0x103)) == 0
            && mknod("\(root.path)/inbox/zero.csv", S_IFCHR | 0o666, dev_t(0x105)) == 0
        try #require(made, "mknod needs root (CAP_MKNOD): errno \(errno)")
        let badName: [CChar] =
            Array("\(root.path)/inbox/customers/".utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), 0x2E, 0x63, 0x73, 0x76, 0]
        let fd = open(badName, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        close(fd)
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("inbox/customers/fine.csv", TestRoot.csv(rows: 1))
        #expect(TestRoot.waitFor { root.results().count == 3 })
        for r in root.results() where r.sources != ["fine.csv"] {
            #expect(r.folder == "failed")
            #expect(r.record.importErrors?.first?.code == "UNREADABLE_FILE")
            #expect(r.record.importErrors?.first?.message.contains("a device") == true, "\(r.record.importErrors ?? [])")
            #expect(FileSignature.of("\(root.path)/failed/\(r.id)/source/\(r.sources[0])")?.kind != .regular, "still a device")
        }
        usleep(300_000)
        #expect(Paths.list("\(root.path)/inbox/customers").count == 1, "the non-UTF-8 name stays")
        #expect(!daemon.log.contains { $0.contains("level=error") })
    }
}
