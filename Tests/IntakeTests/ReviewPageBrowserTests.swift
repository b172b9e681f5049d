import Engine
import Foundation
import Glibc
import Testing

/// review.html in a real browser: headless Chromium opens the page from disk, a person's
/// actions are played on it (choose a field for a column, fix a cell, remove a row, save), and
/// the resolution.json it downloads, put in the review folder, turns the import SUCCESSFUL.
/// Without Chromium (`apt-get install -y chromium`) these tests are skipped, and say why;
/// with `INTAKE_REQUIRE_BROWSER=1` (.ci/run) a missing Chromium fails them instead.
@Suite(.serialized, .enabled(if: Chromium.testsRun, Chromium.skipReason))
struct ReviewPageBrowserTests {
    static let schema = """
        {"name": "People", "fields": [
          {"label": "Name", "key": "name", "validators": [{"validate": "required"}]},
          {"label": "Email", "key": "email", "type": "email", "validators": [{"validate": "required"}]},
          {"label": "Phone", "key": "phone", "validators": [{"validate": "regex_match", "regex": "^\\\\+\\\\d{1,3} \\\\d{3}-\\\\d{3}-\\\\d{4}$",
                                                           "errorMessage": "Use +CC 555-555-5555"}]}],
         "settings": {"importIdentifier": "People", "invalidDataBehavior": "BLOCK_SUBMIT", "autoMapHeaders": true}}
        """

    static func makeRoot() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("intake-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("schemas"), withIntermediateDirectories: true)
        try schema.write(to: root.appendingPathComponent("schemas/people.json"), atomically: true, encoding: .utf8)
        return root
    }

    /// Imports `csv` and returns the review folder.
    static func review(_ csv: String, root: URL, name: String) throws -> (id: String, folder: URL) {
        let file = root.appendingPathComponent(name)
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let r = try Intake.run(["import", file.path, "--schema", "people", "--root", root.path])
        #expect(r.code == 3, "\(r.stdout)\(r.stderr)")
        let id = try #require(try Intake.json(r.stdout)["id"] as? String)
        return (id, root.appendingPathComponent("review/\(id)"))
    }

    /// Clicks Save and returns the downloaded resolution.json (checked against the text box).
    /// review.html of `folder` open in headless Chromium, ready, saving into `root/downloads`.
    static func openPage(in folder: URL, root: URL) throws -> (Chromium, URL) {
        let downloads = root.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let browser = try Chromium()
        do {
            try browser.open(folder.appendingPathComponent("review.html"), downloads: downloads)
            try browser.wait(for: "document.body.dataset.ready === 'true'")
        } catch {
            browser.quit()
            throw error
        }
        return (browser, downloads)
    }

    static func save(_ browser: Chromium, downloads: URL) throws -> Data {
        try browser.click("#save")
        let file = downloads.appendingPathComponent("resolution.json")
        let deadline = Date().addingTimeInterval(Intake.patience)
        // The browser may show the file before it has written it: wait for its bytes too.
        func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0 }
        while size() == 0 && Date() < deadline { usleep(50_000) }
        usleep(50_000)
        let data = try Data(contentsOf: file)
        let shown = try #require(try browser.evaluate("document.getElementById('resolution-text').value") as? String)
        #expect(String(decoding: data, as: UTF8.self) == shown, "the download and the text to copy differ")
        return data
    }

    @Test(.timeLimit(.hangGuard))
    func aPersonMapsAColumnFixesACellRemovesARowAndTheSavedResolutionImportsTheFile() throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        // Two columns claim "email" equally: COLUMNS_NOT_MAPPED.
        let (id, folder) = try Self.review(
            """
            Name,Email,E-mail,Phone
            Ada,ada@example.com,ada@work.example,+44 555-555-5555
            Alan,alan@example.org,alan@,+1 555-555-0000
            Grace,grace@example.com,grace@work.example,not a phone
            """, root: root, name: "people.csv")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("report.json"))) as? [String: Any])
        #expect(report["reasons"] as? [String] == ["COLUMNS_NOT_MAPPED"])

        let (browser, downloads) = try Self.openPage(in: folder, root: root)
        defer { browser.quit() }
        // The page says what went wrong, in words.
        let reason = try browser.evaluate("document.querySelector('#reasons li[data-reason=COLUMNS_NOT_MAPPED]').textContent") as? String
        #expect(reason?.contains("columns “Email” and “E-mail” both look like “Email (email)”") == true, "\(reason ?? "no reason shown")")
        // The work email column fills "email"; the other is left out.
        try browser.choose("email", in: "select[data-column='2']")
        try browser.choose("", in: "select[data-column='1']")
        #expect(
            try browser.evaluate("document.getElementById('mapping-warnings').textContent") as? String
                == "Every field that must be filled has a column.")
        // Alan's work address is fixed, Grace's row removed.
        try browser.type("alan@work.example", into: "#grid td[data-row='1'][data-col='2'] input")
        #expect(
            try browser.evaluate("document.querySelector(\"#grid td[data-row='1'][data-col='2']\").classList.contains('edited')") as? Bool
                == true)
        try browser.click("button[data-remove='2']")
        #expect(try browser.evaluate("document.querySelector(\"#grid tr[data-row='2']\").classList.contains('removed')") as? Bool == true)
        let saved = try Self.save(browser, downloads: downloads)
        let resolution = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
        let mapping = try #require(resolution["mapping"] as? [String: Any])
        #expect(mapping.count == 4 && mapping["Email"] is NSNull)
        #expect(mapping["E-mail"] as? String == "email" && mapping["Name"] as? String == "name" && mapping["Phone"] as? String == "phone")
        #expect(resolution["removeRows"] as? [Int] == [2])

        // Put in the folder, the daemon picks it up: SUCCESSFUL, with the person's decisions.
        try saved.write(to: folder.appendingPathComponent("resolution.json"))
        let watch = try Intake.run(["watch", "--once", "--root", root.path, "--settle", "50"])
        #expect(watch.code == 0, "\(watch.stderr)")
        let outbox = root.appendingPathComponent("outbox/\(id)")
        let results = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: outbox.appendingPathComponent("results.json"))) as? [[String: Any]])
        #expect(results.map { $0["email"] as? String } == ["ada@work.example", "alan@work.example"])
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: outbox.appendingPathComponent("import.json"))) as? [String: Any])
        #expect(record["status"] as? String == "SUCCESSFUL")

        // The next file with those headers maps on its own (remembered for "People").
        let next = root.appendingPathComponent("next.csv")
        try "Name,Email,E-mail,Phone\nKen,ken@example.com,ken@work.example,+1 555-555-1234\n".write(
            to: next, atomically: true, encoding: .utf8)
        let again = try Intake.run(["import", next.path, "--schema", "people", "--root", root.path])
        #expect(again.code == 0, "\(again.stdout)")
        let nextID = try #require(try Intake.json(again.stdout)["id"] as? String)
        let metadata = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("outbox/\(nextID)/metadata.json")))
                as? [String: Any])
        let email = (metadata["fields"] as? [String: Any])?["email"] as? [String: Any]
        #expect(email?["fileHeader"] as? String == "E-mail")
        #expect(email?["matchedBy"] as? String == "memory")
    }

    @Test(.timeLimit(.hangGuard))
    func aPersonFollowsTheErrorsFixesThemAndIntakeResolveImportsTheFile() throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        let (id, folder) = try Self.review(
            """
            Name,Email,Phone
            Ada,ada@example.com,+44 555-555-5555
            Alan,alan@,+1 555-555-0000
            ,grace@example.com,+1 555-555-0001
            Ken,ken@example.com,+1 555-555-0002
            """, root: root, name: "invalid.csv")
        let (browser, downloads) = try Self.openPage(in: folder, root: root)
        defer { browser.quit() }
        // Only the rows with errors are shown, the invalid cells marked with their message.
        #expect(
            try browser.evaluate("[...document.querySelectorAll('#grid tr[data-row]')].map(r => Number(r.dataset.row))") as? [Int] == [
                1, 2,
            ])
        #expect(
            try browser.evaluate("document.querySelector(\"#grid td[data-row='1'][data-col='1'] .msg\").textContent") as? String
                == "Not a valid email address")
        // Next error goes to the first invalid cell; the person fixes it there.
        try browser.click("#next-error")
        let focused =
            try browser.evaluate(
                "document.activeElement.closest('td').dataset.row + ',' + document.activeElement.closest('td').dataset.col") as? String
        #expect(focused == "1,1")
        try browser.type("alan@example.org", into: "#grid td[data-row='1'][data-col='1'] input")
        // The row without a name is removed.
        try browser.click("button[data-remove='2']")
        let saved = try Self.save(browser, downloads: downloads)
        let resolution = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
        #expect(resolution["mapping"] == nil, "a validation review needs no mapping")
        #expect((resolution["edits"] as? [[String: Any]])?.first?["value"] as? String == "alan@example.org")

        let file = root.appendingPathComponent("resolution.json")
        try saved.write(to: file)
        let r = try Intake.run(["resolve", id, "--resolution", file.path, "--root", root.path])
        #expect(r.code == 0, "\(r.stdout)\(r.stderr)")
        let results = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("outbox/\(id)/results.json")))
                as? [[String: Any]])
        #expect(results.map { $0["name"] as? String } == ["Ada", "Alan", "Ken"])
        #expect(results[1]["email"] as? String == "alan@example.org")
    }
}

extension ReviewPageBrowserTests {
    @Test(.timeLimit(.minutes(1)))
    func aPersonChoosesTheEncodingAmongItsReadingsAndTheFileImportsAsWritten() throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        // Two bytes after "Zo" that no reading settles: ë and € in Windows-1252, other letters elsewhere.
        let file = root.appendingPathComponent("zoe.csv")
        try Data(Array("Name,Email,Phone\nZo".utf8) + [0xEB, 0x80] + Array(",zoe@example.com,+44 555-555-5555\n".utf8)).write(to: file)
        let r = try Intake.run(["import", file.path, "--schema", "people", "--root", root.path])
        #expect(r.code == 3, "\(r.stdout)\(r.stderr)")
        let id = try #require(try Intake.json(r.stdout)["id"] as? String)
        let folder = root.appendingPathComponent("review/\(id)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("report.json"))) as? [String: Any])
        #expect(report["reasons"] as? [String] == ["ENCODING"])
        let readings = try #require((report["encoding"] as? [String: Any])?["candidates"] as? [[String: Any]])
        #expect(readings.first?["encoding"] as? String == "windows-1252")
        let other = try #require(readings.dropFirst().first?["encoding"] as? String)

        let (browser, downloads) = try Self.openPage(in: folder, root: root)
        defer { browser.quit() }
        // Each reading of the line, as the person would see it.
        let choices = try browser.evaluate("document.getElementById('encoding-choices').textContent") as? String
        #expect(choices?.contains("Zoë€,zoe@example.com") == true, "\(choices ?? "no choices shown")")
        #expect(choices?.contains(other) == true)
        // Another reading first, then the one that shows the name as written.
        try browser.click("input[name=encoding][value='\(other)']")
        try browser.click("input[name=encoding][value='windows-1252']")
        let saved = try Self.save(browser, downloads: downloads)
        let resolution = try #require(try JSONSerialization.jsonObject(with: saved) as? [String: Any])
        #expect(resolution["encoding"] as? String == "windows-1252")

        let resolutionFile = root.appendingPathComponent("resolution.json")
        try saved.write(to: resolutionFile)
        let resolved = try Intake.run(["resolve", id, "--resolution", resolutionFile.path, "--root", root.path])
        #expect(resolved.code == 0, "\(resolved.stdout)\(resolved.stderr)")
        let results = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("outbox/\(id)/results.json")))
                as? [[String: Any]])
        #expect(results.first?["name"] as? String == "Zoë€")
    }

    /// The page of each review fixture, made from its report.json.
    static func fixturePage(_ name: String, in dir: URL) throws -> URL {
        let report = Intake.packageRoot.appendingPathComponent("Tests/Fixtures/\(name)/report.json")
        let page = dir.appendingPathComponent("\(name).html")
        try Data(ReviewPage.html(reportJSON: [UInt8](Data(contentsOf: report)))).write(to: page)
        return page
    }

    @Test(.timeLimit(.hangGuard))
    func theSheetAndTheHeaderRowAreChosenOnThePage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intake-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let browser = try Chromium()
        defer { browser.quit() }
        // Every review fixture's page runs its script to the end.
        for name in ["review-competing-columns", "review-missing-required", "csv-invalid-block"] {
            try browser.open(try Self.fixturePage(name, in: dir), downloads: dir)
            try browser.wait(for: "document.body.dataset.ready === 'true'")
        }
        // A workbook whose sheet could not be chosen: the person picks Q2.
        try browser.open(try Self.fixturePage("review-sheet-not-chosen", in: dir), downloads: dir)
        try browser.wait(for: "document.body.dataset.ready === 'true'")
        #expect(try browser.evaluate("document.getElementById('sheet-section').hidden") as? Bool == false)
        try browser.click("input[name=sheet][value=Q2]")
        try browser.click("#save")
        let sheet = try browser.evaluate("JSON.parse(document.getElementById('resolution-text').value)") as? [String: Any]
        #expect(sheet?["sheet"] as? String == "Q2")
        // A file whose header row could not be told: the person picks row 0, and the columns
        // take its cells as headers.
        try browser.open(try Self.fixturePage("review-no-header-columns-unmapped", in: dir), downloads: dir)
        try browser.wait(for: "document.body.dataset.ready === 'true'")
        try browser.click("input[name=header][value='0']")
        try browser.choose("name", in: "select[data-column='0']")
        try browser.click("#save")
        let header = try browser.evaluate("JSON.parse(document.getElementById('resolution-text').value)") as? [String: Any]
        #expect(header?["headerRow"] as? Int == 0)
        let mapping = header?["mapping"] as? [String: Any]
        #expect(mapping?["1"] as? String == "name" && mapping?["2"] is NSNull && mapping?.count == 3)
    }
}
