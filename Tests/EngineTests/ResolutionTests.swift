import Engine
import Foundation
import Testing

/// A person's resolution.json, applied by the Engine to the review fixtures' files.
struct ResolutionTests {
    struct Run {
        var outcome: ImportOutcome
        var workspace: MemoryWorkspace
        func json(_ name: String) throws -> JSONValue { try JSONParser.parse(try #require(workspace.files[name], "\(name) not written")) }
    }

    static func run(
        _ fixture: String, resolution: String?, remembered: RememberedMapping? = nil, autoMapHeaders: Bool = false
    ) throws -> Run {
        let dir = FixtureTests.root.appendingPathComponent(fixture)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        let input = try #require(files.first { $0.hasPrefix("input") })
        var schema = try #require(SchemaLoader.load(bytes: [UInt8](Data(contentsOf: dir.appendingPathComponent("schema.json")))).schema)
        schema.settings.autoMapHeaders = autoMapHeaders
        var request = ImportRequest(id: FixtureTests.fixedID, schema: schema, filename: input)
        request.resolution = resolution.map { Resolution.parse(Array($0.utf8)) }
        request.rememberedMapping = remembered
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            request, source: MemorySource([UInt8](Data(contentsOf: dir.appendingPathComponent(input)))), workspace: workspace)
        return Run(outcome: outcome, workspace: workspace)
    }

    @Test func editsAndRemovedRowsTurnABlockedImportSuccessfulAndRowsKeepTheirNumbers() throws {
        // Row 1 (Turing) is removed; the duplicate id 1 of row 3 and the bad cells of row 2 are fixed.
        let r = try Self.run(
            "csv-invalid-block",
            resolution: """
                {"edits": [{"rowIndex": 3, "fieldKey": "id", "value": "4"}, {"rowIndex": 3, "fieldKey": "balance", "value": "3"},
                           {"rowIndex": 2, "fieldKey": "postcode", "value": "10001"}, {"rowIndex": 2, "fieldKey": "email", "value": "grace@example.com"}],
                 "removeRows": [1]}
                """)
        #expect(r.outcome.status == .successful, "\(r.outcome.reasons) \(r.workspace.text("report.json") ?? "")")
        let results = try r.json("results.json").arrayValue ?? []
        #expect(results.map { $0["id"]?.intValue } == [1, 3, 4, 5])
        #expect(results[1]["email"]?.stringValue == "grace@example.com")
        #expect(results[2]["balance"]?.intValue == 3)
        let metadata = try r.json("metadata.json")
        #expect(metadata["totalRows"]?.intValue == 4)
        #expect(metadata["resolution"]?["problems"]?.arrayValue?.isEmpty == true)
        #expect(r.workspace.files["report.json"] == nil && r.workspace.files["rejected.csv"] == nil)
    }

    @Test func anotherInvalidDataBehaviorLetsTheValidRowsThrough() throws {
        let r = try Self.run("csv-invalid-block", resolution: #"{"invalidDataBehavior": "REMOVE_INVALID_ROWS"}"#)
        #expect(r.outcome.status == .successful)
        #expect(r.workspace.text("rejected.csv")?.contains("alan@") == true)
        #expect(try r.json("results.json").arrayValue?.count == 1)
    }

    /// A row a person edited that then turns out a duplicate (known only at the end, read again
    /// from the file by its place) is rejected with the person's values, not the file's.
    @Test func aLateRejectedRowKeepsThePersonsEdits() throws {
        let r = try Self.run(
            "csv-invalid-block",
            resolution: #"""
                {"invalidDataBehavior": "REMOVE_INVALID_ROWS", "edits": [{"rowIndex": 0, "fieldKey": "last_name", "value": "Lovelace-Edited"}]}
                """#)
        #expect(r.outcome.status == .successful)
        let rejected = try #require(r.workspace.text("rejected.csv"))
        // Ada's row is valid as it is read and a duplicate (id, e-mail) only at the end.
        #expect(rejected.contains("\"Ada\",\"Lovelace-Edited\""), "\(rejected)")
        #expect(!rejected.contains("\"Lovelace\""), "\(rejected)")
    }

    @Test func aMappingResolvesAConflictAndIsLearned() throws {
        let r = try Self.run("review-competing-columns", resolution: #"{"mapping": {"E-mail": "email", "Email": null}}"#)
        #expect(r.outcome.status == .successful)
        let email = try r.json("metadata.json")["fields"]?["email"]
        #expect(email?["fileHeader"]?.stringValue == "E-mail")
        #expect(email?["matchedBy"]?.stringValue == "resolution")
        let learned = try #require(r.outcome.learnedMapping)
        #expect(learned.entries.map(\.header) == ["E-mail", "Email"])
        #expect(learned.entries.map(\.field) == ["email", nil])
    }

    @Test func rememberedMappingsMapTheNextFileOnTheirOwn() throws {
        let r = try Self.run(
            "review-competing-columns", resolution: nil,
            remembered: RememberedMapping([(header: "E-mail", field: "email"), (header: "Email", field: nil)]), autoMapHeaders: true)
        #expect(r.outcome.status == .successful)
        #expect(try r.json("metadata.json")["fields"]?["email"]?["matchedBy"]?.stringValue == "memory")
    }

    /// autoMapHeaders is off by default, as in Dromo: what is remembered is not applied.
    @Test func rememberedMappingsWaitForAutoMapHeaders() throws {
        let r = try Self.run(
            "review-competing-columns", resolution: nil,
            remembered: RememberedMapping([(header: "E-mail", field: "email"), (header: "Email", field: nil)]))
        #expect(r.outcome.status == .needsReview)
    }

    @Test func mappingByColumnIndexAndHeaderRowAndSheet() throws {
        let header = try Self.run(
            "review-no-header-columns-unmapped", resolution: ##"{"headerRow": 0, "mapping": {"#0": "name", "#1": "email"}}"##)
        #expect(header.outcome.status == .successful || header.outcome.status == .needsReview)
        #expect(
            try header.json(header.outcome.status == .successful ? "metadata.json" : "report.json")["source"]?["headerRow"]?.intValue == 0)

        let sheet = try Self.run("review-sheet-not-chosen", resolution: #"{"sheet": "Q2"}"#)
        #expect(sheet.outcome.status != .failed)
        let doc = try sheet.json(sheet.outcome.status == .successful ? "metadata.json" : "report.json")
        #expect(doc["source"]?["sheet"]?.stringValue == "Q2")
    }

    @Test func aHeaderRowChosenByAPersonEndsAnUndeterminedHeader() throws {
        // Two rows name the columns, in different orders: Intake asks. The person picks the second,
        // whose order the data follows; the row above it is left out, not reported as data.
        let before = try Self.run("review-header-row-undetermined", resolution: nil)
        #expect(before.outcome.reasons == ["HEADER_ROW_UNDETERMINED"])
        let r = try Self.run("review-header-row-undetermined", resolution: #"{"headerRow": 1}"#)
        #expect(r.outcome.status == .successful, "\(r.outcome.reasons) \(r.workspace.text("report.json") ?? "")")
        let results = try r.json("results.json").arrayValue ?? []
        #expect(results.map { $0["email"]?.stringValue } == ["ann@example.com", "bob@example.com", "cy@example.com"])
        #expect(results.map { $0["name"]?.stringValue } == ["Ann Lee", "Bob Ray", "Cy Dow"])
        #expect(try r.json("metadata.json")["source"]?["headerRow"]?.intValue == 1)
        #expect(r.workspace.files["rejected.csv"] == nil)
    }

    @Test func entriesThatNameNothingAreNotAppliedAndTheReportSaysWhich() throws {
        let r = try Self.run(
            "csv-invalid-block",
            resolution: """
                {"sheet": "Q9", "mapping": {"Emial": "email", "plan": "tier"}, "edits": [{"rowIndex": 99, "fieldKey": "email", "value": "x@y.z"},
                 {"rowIndex": 0, "fieldKey": "nope", "value": "1"}], "removeRows": [1, 50], "invalidDataBehavior": "REMOVE_INVALID_ROWS", "colour": "red"}
                """)
        #expect(r.outcome.status == .needsReview)
        #expect(r.outcome.reasons == ["RESOLUTION_NOT_APPLIED"])
        let report = try r.json("report.json")
        let entries = report["resolution"]?["problems"]?.arrayValue?.compactMap { $0["entry"]?.stringValue } ?? []
        #expect(
            entries.sorted()
                == ["colour", "edits[0]", "edits[1]", "mapping[\"Emial\"]", "mapping[\"plan\"]", "removeRows[1]", "sheet"].sorted())
        // What could be applied was: row 1 removed, the invalid rows no longer block.
        #expect(report["totalRows"]?.intValue == 4)
        #expect(r.workspace.files["results.json"] == nil && r.workspace.files["rejected.csv"] == nil)
        #expect(r.workspace.text("review.html")?.contains("RESOLUTION_NOT_APPLIED") == true)
    }

    @Test func aResolutionThatIsNotJSONIsNotAppliedAndTheReportSaysWhy() throws {
        let r = try Self.run("csv-invalid-block", resolution: #"{"removeRows": [1, "#)
        #expect(r.outcome.status == .needsReview)
        #expect(r.outcome.reasons == ["VALIDATION_ERRORS", "RESOLUTION_NOT_APPLIED"])
        let problem = try r.json("report.json")["resolution"]?["problems"]?.arrayValue?.first
        #expect(problem?["entry"]?.stringValue == "resolution.json")
        #expect(problem?["message"]?.stringValue?.hasPrefix("not valid JSON") == true)
    }

    @Test func theReviewPageEmbedsTheReportSafely() throws {
        let html = String(decoding: ReviewPage.html(reportJSON: Array(#"{"id": "x", "note": "</script><b>"}"#.utf8)), as: UTF8.self)
        #expect(!html.contains("</script><b>"))
        #expect(html.contains(#"\u003c/script>\u003cb>"#))
        #expect(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from a network")
    }
}
