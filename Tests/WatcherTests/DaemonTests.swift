import Engine
import Foundation
import Glibc
import Testing
@testable import Watcher

/// The daemon on real folders with real inotify, in this process.
@Suite(.timeLimit(.hangGuard))
struct DaemonTests {
    @Test func aFileWrittenInPlaceInASchemaFolderIsImported() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("inbox/customers/in-place.csv", TestRoot.csv(rows: 3))
        #expect(TestRoot.waitFor { root.results().count == 1 })
        let r = try #require(root.results().first)
        #expect(r.folder == "outbox")
        #expect(r.record.status == .successful)
        #expect(r.record.schemaID == "customers")
        #expect(r.record.resultMetadata["num_rows"]?.intValue == 3)
        #expect(r.sources == ["in-place.csv"])
        #expect(root.inbox("customers") == [])
        // The record and the clean-up follow the publish.
        #expect(TestRoot.waitFor { RecordStore(layout: root.layout).read(r.id)?.status == .successful })
        #expect(TestRoot.waitFor { Paths.list(root.layout.work).isEmpty })
    }

    @Test func aFileRenamedInIsImported() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("elsewhere.csv", TestRoot.csv(rows: 2))
        root.rename("elsewhere.csv", "inbox/customers/moved.csv")
        #expect(TestRoot.waitFor { root.results().count == 1 })
        #expect(root.results().first?.sources == ["moved.csv"])
    }

    @Test func aFileUploadedSlowlyIsImportedOnceAndWhole() throws {
        let root = try TestRoot()
        // A settle time ten times the gap between pieces: a busy machine may sleep longer than asked.
        let daemon = RunningDaemon(root: root.path, settle: 1)
        defer { daemon.stop() }
        let fd = open("\(root.path)/inbox/customers/slow.csv", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        let text = Array(TestRoot.csv(rows: 40).utf8)
        // 8 pieces, 100 ms apart (less than the settle time), closing in between as a client might not.
        for piece in stride(from: 0, to: text.count, by: text.count / 8 + 1) {
            let end = min(text.count, piece + text.count / 8 + 1)
            _ = text[piece..<end].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            usleep(100_000)
        }
        close(fd)
        #expect(TestRoot.waitFor { root.results().count == 1 })
        usleep(1_200_000)
        let results = root.results()
        #expect(results.count == 1)
        #expect(results.first?.record.resultMetadata["num_rows"]?.intValue == 40)
    }

    @Test func aFileDroppedUnderATemporaryNameWaitsForItsRename() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        for name in ["up.csv.part", ".up.csv", "up.csv.filepart", "up.csv.tmp"] {
            root.write("inbox/customers/\(name)", TestRoot.csv(rows: 1))
        }
        usleep(500_000)
        #expect(root.results().isEmpty)
        root.rename("inbox/customers/up.csv.part", "inbox/customers/up.csv")
        #expect(TestRoot.waitFor { root.results().count == 1 })
        #expect(root.results().first?.sources == ["up.csv"])
        #expect(Set(root.inbox("customers")) == [".up.csv", "up.csv.filepart", "up.csv.tmp"])
    }

    @Test func aSidecarThatArrivesFirstWaitsForItsFile() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("inbox/a.import.json", #"{"schema_id": "customers", "original_filename": "a.csv", "import_metadata": {"batch": 1}}"#)
        #expect(TestRoot.waitFor { daemon.log.contains { $0.contains("event=awaiting_upload") && $0.contains("file=a.csv") } })
        #expect(root.results().isEmpty)
        root.write("inbox/a.csv", TestRoot.csv(rows: 2))
        #expect(TestRoot.waitFor { root.results().count == 1 })
        let r = try #require(root.results().first)
        #expect(r.record.status == .successful)
        #expect(r.record.originalFilename == "a.csv")
        #expect(r.record.importMetadata == ["batch": 1])
        #expect(r.sources == ["a.csv", "a.import.json"])
        #expect(root.inbox().isEmpty)
    }

    @Test func aSidecarThatArrivesLastIsPairedWithItsFile() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("inbox/b.csv", TestRoot.csv(rows: 4))
        usleep(400_000)
        #expect(root.results().isEmpty, "a file in inbox/ waits for its sidecar")
        root.write("inbox/b.csv.import.json", #"{"schema_id": "customers", "filename": "b.csv", "settings": {"maxRecords": 2}}"#)
        #expect(TestRoot.waitFor { root.results().count == 1 })
        #expect(root.results().first?.sources == ["b.csv", "b.csv.import.json"])
    }

    @Test func aFileWhoseSidecarNeverComesFailsWithMissingSidecar() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path, uploadWindow: 0.5)
        defer { daemon.stop() }
        root.write("inbox/lonely.csv", TestRoot.csv(rows: 1))
        root.write("inbox/orphan.import.json", #"{"schema_id": "customers", "original_filename": "never.csv"}"#)
        #expect(TestRoot.waitFor { root.results().count == 2 })
        let byName = Dictionary(uniqueKeysWithValues: root.results().map { ($0.sources.first ?? "", $0) })
        #expect(byName["lonely.csv"]?.record.importErrors?.first?.code == "MISSING_SIDECAR")
        #expect(byName["lonely.csv"]?.folder == "failed")
        #expect(byName["orphan.import.json"]?.record.importErrors?.first?.code == "UPLOAD_EXPIRED")
        #expect(byName["orphan.import.json"]?.record.originalFilename == "never.csv")
    }

    @Test func aBadSidecarFailsWithWhatWasDroppedInSource() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("inbox/evil.import.json", #"{"schema_id": "customers", "original_filename": "../schemas/customers.json"}"#)
        root.write("inbox/junk.import.json", "not json")
        #expect(TestRoot.waitFor { root.results().count == 2 })
        for r in root.results() {
            #expect(r.folder == "failed")
            #expect(r.record.importErrors?.first?.code == "INVALID_SIDECAR")
            #expect(r.sources.count == 1 && r.sources[0].hasSuffix(".import.json"))
        }
        #expect(Paths.exists("\(root.path)/schemas/customers.json"))
    }

    @Test func initialDataIsImportedAndKeptAsInitialDataJSON() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write(
            "inbox/p.import.json",
            #"{"fields": [{"key": "email", "type": "email"}, {"key": "n", "type": "number"}], "initial_data": [{"email": "a@b.co", "n": 2}, {"n": 3.5, "email": "c@d.co"}]}"#
        )
        #expect(TestRoot.waitFor { root.results().count == 1 })
        let r = try #require(root.results().first)
        #expect(r.record.status == .successful)
        #expect(r.sources == ["initial_data.json", "p.import.json"])
        let results = try JSONParser.parse(try Paths.readFile("\(root.path)/outbox/\(r.id)/results.json"))
        #expect(results == [["email": "a@b.co", "n": 2], ["email": "c@d.co", "n": .number("3.5")]])
    }

    /// Dromo's other initialData form: arrays "with the fields matching the order specified by fields".
    @Test func initialDataAsArraysFollowsTheFieldOrder() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write(
            "inbox/p.import.json",
            #"{"fields": [{"key": "name"}, {"key": "email", "type": "email"}], "initial_data": [["Jack", "jack@thehill.com"], ["Jill"]]}"#
        )
        #expect(TestRoot.waitFor { root.results().count == 1 })
        let r = try #require(root.results().first)
        #expect(r.record.status == .successful)
        let results = try JSONParser.parse(try Paths.readFile("\(root.path)/outbox/\(r.id)/results.json"))
        #expect(results == [["name": "Jack", "email": "jack@thehill.com"], ["name": "Jill", "email": nil]])
    }

    @Test func aFIFOASymlinkAndAHardLinkAreRefusedAndNeverBlockTheDaemon() throws {
        let root = try TestRoot()
        let secret = "\(root.path)/secret.txt"
        root.write("secret.txt", "email,name\nroot@example.com,secret\n")
        #expect(mkfifo("\(root.path)/inbox/customers/pipe.csv", 0o644) == 0)
        #expect(mkfifo("\(root.path)/inbox/pipe.csv", 0o644) == 0)
        #expect(symlink(secret, "\(root.path)/inbox/customers/link.csv") == 0)
        #expect(link(secret, "\(root.path)/inbox/customers/hard.csv") == 0)
        let daemon = RunningDaemon(root: root.path)
        defer { daemon.stop() }
        root.write("inbox/customers/fine.csv", TestRoot.csv(rows: 1))
        #expect(TestRoot.waitFor { root.results().count == 5 })
        for r in root.results() {
            if r.sources == ["fine.csv"] {
                #expect(r.record.status == .successful)
            } else {
                #expect(r.folder == "failed", "\(r.sources)")
                #expect(r.record.importErrors?.first?.code == "UNREADABLE_FILE")
                // What was dropped is kept as it was: the link is still a link, the FIFO a FIFO.
                let kept = FileSignature.of("\(root.path)/failed/\(r.id)/source/\(r.sources[0])")
                #expect(kept?.kind == (r.sources[0] == "link.csv" ? .symlink : r.sources[0] == "pipe.csv" ? .fifo : .regular))
                #expect(!Paths.exists("\(root.path)/failed/\(r.id)/results.json"))
            }
        }
        #expect(FileSignature.of(secret)?.size == 35, "the linked file is untouched")
    }

    @Test func anInboxRemovedAndMadeAgainIsWatchedAgain() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path, rescan: 30)
        defer { daemon.stop() }
        // Its first metrics come after its watches are armed: removed before that, the inbox
        // would only be found missing by a rescan.
        #expect(TestRoot.waitFor { Paths.exists(root.layout.metrics) })
        Paths.removeTree("\(root.path)/inbox")
        #expect(TestRoot.waitFor { daemon.log.contains { $0.contains("event=inbox_missing") } })
        try Paths.makeDirectories("\(root.path)/inbox/customers")
        #expect(TestRoot.waitFor { daemon.log.contains { $0.contains("event=inbox_rearmed") } })
        usleep(100_000)
        root.write("inbox/customers/again.csv", TestRoot.csv(rows: 1))
        #expect(TestRoot.waitFor(25) { root.results().count == 1 }, "found by an event: the rescan is 30 s away")
    }

    @Test func pollModeFindsFilesWithoutInotify() throws {
        let root = try TestRoot()
        let daemon = RunningDaemon(root: root.path, poll: 0.2)
        defer { daemon.stop() }
        root.write("inbox/customers/polled.csv", TestRoot.csv(rows: 1))
        #expect(TestRoot.waitFor { root.results().count == 1 })
        #expect(daemon.log.contains { $0.contains("mode=\"poll 0.2s\"") })
    }

    @Test func onceHandlesWhatIsThereAndReturns() throws {
        let root = try TestRoot()
        for i in 0..<10 { root.write("inbox/customers/f\(i).csv", TestRoot.csv(rows: 1)) }
        root.write("inbox/waiting.csv", TestRoot.csv(rows: 1))
        let daemon = RunningDaemon(root: root.path, once: true)
        #expect(daemon.waitForExit())
        #expect(root.results().count == 10)
        #expect(root.inbox() == ["waiting.csv"], "a file waiting for its sidecar within its window stays")
        let metrics = String(decoding: try Paths.readFile(root.layout.metrics), as: UTF8.self)
        #expect(metrics.contains("intake_imports_total{status=\"SUCCESSFUL\"} 10"))
    }

    @Test func twoDaemonsOnOneRootImportEachFileOnce() throws {
        let root = try TestRoot()
        let a = RunningDaemon(root: root.path, workers: 2)
        let b = RunningDaemon(root: root.path, workers: 2)
        defer { a.stop(); b.stop() }
        let n = 120
        for i in 0..<n { root.write("inbox/customers/shared-\(i).csv", TestRoot.csv(rows: 1, tag: "\(i)")) }
        #expect(TestRoot.waitFor { root.results().count >= n })
        usleep(300_000)
        let results = root.results()
        #expect(results.count == n)
        #expect(Set(results.flatMap(\.sources)).count == n)
        #expect(results.allSatisfy { $0.record.status == .successful })
        #expect(root.inbox("customers").isEmpty)
        let claimedBy = [a, b].map { d in d.log.filter { $0.contains("event=claimed") }.count }
        #expect(claimedBy.reduce(0, +) == n, "each file claimed once: \(claimedBy)")
    }
}
