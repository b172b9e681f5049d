import Engine
import Foundation
import Testing

/// The fixtures are the readable spec of the output: `Tests/Fixtures/<case>/` holds the dropped
/// file (`input.*`), the schema (`schema.json`) and the exact bytes Intake must write
/// (`results.json`, `metadata.json`, `rejected.csv`, `report.json`) plus `outcome.json` (the
/// status, and the failure code when FAILED). A file that is absent must not be written.
/// `INTAKE_UPDATE_FIXTURES=1 swift test --filter Fixture` rewrites the expectations; review the diff.
struct FixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static let outputs = ["results.json", "metadata.json", "rejected.csv", "report.json", "results.ndjson", "results.csv"]
    static let fixedID = "00000000-0000-4000-8000-000000000000"

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("schema.json").path)
        }.sorted()
    }

    @Test(arguments: FixtureTests.cases)
    func fixtureProducesTheExpectedFiles(_ name: String) throws {
        let dir = FixtureTests.root.appendingPathComponent(name)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        let input = try #require(files.first { $0.hasPrefix("input") }, "no input file in \(name)")
        let schemaBytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("schema.json")))
        let report = SchemaLoader.load(bytes: schemaBytes)
        let schema = try #require(report.schema, "schema of \(name): \(report.problems)")
        let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent(input)))
        let workspace = MemoryWorkspace()
        let request = ImportRequest(id: FixtureTests.fixedID, schema: schema, filename: input)
        let outcome = try Importer.run(request, source: MemorySource(bytes), workspace: workspace)
        var outcomeJSON: JSONObject = ["status": .string(outcome.status.rawValue)]
        if let failure = outcome.failure { outcomeJSON["code"] = .string(failure.code); outcomeJSON["message"] = .string(failure.message) }
        if !outcome.reasons.isEmpty { outcomeJSON["reasons"] = .array(outcome.reasons.map { .string($0) }) }
        var actual: [String: [UInt8]] = workspace.files.filter { FixtureTests.outputs.contains($0.key) }
        actual["outcome.json"] = JSONWriter.document(.object(outcomeJSON))
        #expect(workspace.scratch.isEmpty, "scratch files left behind: \(workspace.scratch.keys.sorted())")

        if ProcessInfo.processInfo.environment["INTAKE_UPDATE_FIXTURES"] == "1" {
            for file in FixtureTests.outputs + ["outcome.json"] {
                try? FileManager.default.removeItem(at: dir.appendingPathComponent(file))
            }
            for (file, content) in actual { try Data(content).write(to: dir.appendingPathComponent(file)) }
            return
        }
        for file in FixtureTests.outputs + ["outcome.json"] {
            let expectedURL = dir.appendingPathComponent(file)
            let expected = FileManager.default.fileExists(atPath: expectedURL.path) ? try [UInt8](Data(contentsOf: expectedURL)) : nil
            let got = actual[file]
            #expect(
                got == expected,
                "\(name)/\(file) differs:\n--- expected\n\(expected.map { String(decoding: $0, as: UTF8.self) } ?? "(absent)")\n--- got\n\(got.map { String(decoding: $0, as: UTF8.self) } ?? "(absent)")"
            )
        }
    }
}

extension TimeLimitTrait.Duration {
    /// The time limit of every test that has one: a guard against a hang, not a speed check.
    /// A test's clock runs while it waits for a thread, and on a 2-core machine the tests that
    /// block one (waitpid, usleep, a semaphore) hold back the rest: a test may wait for most of
    /// the suite before it starts. The suite took 100 s under a light load and 23 minutes under a
    /// load of 24, where 10-minute limits failed tests that had not begun.
    static var hangGuard: Self { .minutes(60) }
}
