import Foundation
import Glibc
import Testing

/// `intake resolve`, and resolutions left half done by a crash: whatever state a dead daemon
/// left in `.intake/resolving/<id>/`, the next run finishes it, and the import ends in exactly
/// one folder with its source.
@Suite(.serialized)
struct ResolveCommandTests {
    static let fm = FileManager.default

    /// A root with an import waiting in review/ (the example's invalid rows, BLOCK_SUBMIT).
    static func reviewRoot() throws -> (root: URL, id: String) {
        let root = try Intake.makeRoot()
        let schema = root.appendingPathComponent("schemas/customers.json")
        var text = try String(contentsOf: schema, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"REMOVE_INVALID_ROWS\"", with: "\"BLOCK_SUBMIT\"")
        try text.write(to: schema, atomically: true, encoding: .utf8)
        let r = try Intake.run(["import", Intake.example("customers-invalid.csv"), "--schema", "customers", "--root", root.path])
        #expect(r.code == 3, "\(r.stdout)")
        return (root, try #require(try Intake.json(r.stdout)["id"] as? String))
    }

    static func write(_ text: String, _ url: URL) throws {
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    static func list(_ url: URL) -> [String] { ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }

    @Test func resolveExitsLikeImportAndSaysWhatIsWrong() throws {
        let (root, id) = try Self.reviewRoot()
        defer { try? Self.fm.removeItem(at: root) }
        let bad = root.appendingPathComponent("bad.json")
        try Self.write(#"{"removeRows": [99], "mapping": {"Nope": "email"}}"#, bad)
        var r = try Intake.run(["resolve", id, "--resolution", bad.path, "--root", root.path])
        #expect(r.code == 3)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("review/\(id)/report.json")))
                as? [String: Any])
        #expect((report["reasons"] as? [String])?.contains("RESOLUTION_NOT_APPLIED") == true)
        #expect(Self.fm.fileExists(atPath: root.appendingPathComponent("review/\(id)/review.html").path))
        #expect(Self.fm.fileExists(atPath: root.appendingPathComponent("review/\(id)/source/customers-invalid.csv").path))

        let good = root.appendingPathComponent("good.json")
        try Self.write(#"{"invalidDataBehavior": "REMOVE_INVALID_ROWS"}"#, good)
        r = try Intake.run(["resolve", id, "--resolution", good.path, "--root", root.path])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(
            Self.list(root.appendingPathComponent("outbox/\(id)")) == [
                "import.json", "metadata.json", "rejected.csv", "results.json", "source",
            ])
        #expect(Self.list(root.appendingPathComponent("review")).isEmpty)
        #expect(Self.list(root.appendingPathComponent(".intake/resolving")).isEmpty)
        // Not in review any more: exit 1; bad arguments: exit 2.
        #expect(try Intake.run(["resolve", id, "--resolution", good.path, "--root", root.path]).code == 1)
        #expect(try Intake.run(["resolve", id, "--root", root.path]).code == 2)
    }

    /// The states a crash can leave, each finished by the next `intake watch --once`.
    enum Crash: String, CaseIterable {
        case claimedOnly, folderTaken, sourcesMovedToBuild, publishedNotCleaned
    }

    @Test(arguments: Crash.allCases)
    func aResolutionCutByACrashIsFinishedOnce(_ crash: Crash) throws {
        let (root, id) = try Self.reviewRoot()
        defer { try? Self.fm.removeItem(at: root) }
        let claim = root.appendingPathComponent(".intake/resolving/\(id)")
        // A dead owner's claim (no lock file: nobody holds it).
        try Self.write(
            #"{"id": "\#(id)", "owner": "dead00001", "claimed": "2026-01-01T00:00:00.000Z"}"#, claim.appendingPathComponent("claim.json"))
        try Self.write(#"{"invalidDataBehavior": "REMOVE_INVALID_ROWS"}"#, claim.appendingPathComponent("resolution.json"))
        let review = root.appendingPathComponent("review/\(id)")
        let old = claim.appendingPathComponent("old")
        if crash != .claimedOnly { try Self.fm.moveItem(at: review, to: old) }
        if crash == .sourcesMovedToBuild || crash == .publishedNotCleaned {
            try Self.fm.createDirectory(at: claim.appendingPathComponent("build/source"), withIntermediateDirectories: true)
            try Self.fm.moveItem(
                at: old.appendingPathComponent("source/customers-invalid.csv"),
                to: claim.appendingPathComponent("build/source/customers-invalid.csv"))
        }
        if crash == .publishedNotCleaned {
            try Self.write(
                #"{"id": "\#(id)", "status": "SUCCESSFUL", "original_filename": "customers-invalid.csv"}"#,
                claim.appendingPathComponent("build/import.json"))
            try Self.fm.createDirectory(at: root.appendingPathComponent("outbox"), withIntermediateDirectories: true)
            try Self.fm.moveItem(at: claim.appendingPathComponent("build"), to: root.appendingPathComponent("outbox/\(id)"))
        }
        let r = try Intake.run(["watch", "--once", "--root", root.path, "--settle", "20"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(Self.list(root.appendingPathComponent(".intake/resolving")).isEmpty, "\(r.stderr)")
        #expect(Self.list(root.appendingPathComponent("review")).isEmpty)
        #expect(Self.list(root.appendingPathComponent("failed")).isEmpty)
        #expect(Self.list(root.appendingPathComponent("outbox")) == [id])
        let source = root.appendingPathComponent("outbox/\(id)/source/customers-invalid.csv")
        #expect(try Data(contentsOf: source) == Data(contentsOf: URL(fileURLWithPath: Intake.example("customers-invalid.csv"))))
        if crash != .publishedNotCleaned {
            #expect(Self.fm.fileExists(atPath: root.appendingPathComponent("outbox/\(id)/results.json").path))
        }
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent(".intake/records/\(id).json")))
                as? [String: Any])
        #expect(record["status"] as? String == "SUCCESSFUL")
    }
}
