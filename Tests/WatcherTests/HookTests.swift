import Engine
import Foundation
import Testing
@testable import Watcher

/// Hooks as real programs (contract §9): shell scripts written to a temporary schemas/ folder,
/// run through `ProcessHookRunner` by real imports, including hooks that crash, hang and print
/// garbage.
@Suite(.timeLimit(.hangGuard))
struct HookTests {
    /// A temporary schemas/ folder holding `scripts` (name → shell body), executable.
    static func folder(_ scripts: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("intake-hooks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: "\(dir)/hooks", withIntermediateDirectories: true)
        for (name, body) in scripts {
            let path = "\(dir)/hooks/\(name)"
            try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
        }
        return dir
    }

    struct Run {
        var outcome: ImportOutcome
        var workspace: MemoryWorkspace
        var results: String? { workspace.text("results.json") }
        var metadata: JSONValue? { workspace.files["metadata.json"].flatMap { try? JSONParser.parse($0) } }
        var message: String { outcome.failure?.message ?? "" }
    }

    static let csv = "name,email,code\nAda,ada@example.com,ab1\nBob,bob@example.com,\n"

    static func run(
        hooks: String, scripts: [String: String], timeout: Double = 60, runner: Bool = true, csv: String = HookTests.csv,
        fields: String = #"[{"key": "name"}, {"key": "email", "type": "email"}, {"key": "code"}]"#
    ) throws -> Run {
        let json = #"""
            {"fields": \#(fields),
             "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS", "hookTimeoutSeconds": \#(timeout)},
             "hooks": \#(hooks)}
            """#
        let report = SchemaLoader.load(bytes: Array(json.utf8))
        let schema = try #require(report.schema, "\(report.problems)")
        let dir = try folder(scripts)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let workspace = MemoryWorkspace()
        let request = ImportRequest(
            id: "h", schema: schema, filename: "h.csv",
            hookRunner: runner ? ProcessHookRunner(directory: dir) : nil)
        let outcome = try Importer.run(request, source: MemorySource(csv), workspace: workspace)
        return Run(outcome: outcome, workspace: workspace)
    }

    @Test func rowHookChangesValuesAndItsMessagesLandInMetadata() throws {
        let r = try HookTests.run(
            hooks: #"{"rowHooks": ["hooks/row"]}"#,
            scripts: [
                "row": #"""
                while IFS= read -r line; do
                  echo '{"row": {"name": {"value": "X", "info": [{"message": "renamed", "level": "warning"}]}, "email": {"value": "not an email"}}}'
                done
                """#
            ])
        #expect(r.outcome.status == .successful, "\(r.message)")
        #expect(
            r.results == """
                [
                {"name":"X","email":"not an email","code":"ab1"},
                {"name":"X","email":"not an email","code":null}
                ]

                """)
        let errors = r.metadata?["errors"]?.arrayValue ?? []
        #expect(
            errors.map { $0["message"]?.stringValue ?? "" } == [
                "Not a valid email address", "renamed", "Not a valid email address", "renamed",
            ])
        #expect(errors[1]["level"] == "warning")
        #expect(r.metadata?["invalidRows"] == .number(2))
    }

    @Test func rowHookSeesEveryMappedFieldOfTheRow() throws {
        // The hook answers with an error on "code" carrying the request it got.
        let r = try HookTests.run(
            hooks: #"{"rowHooks": ["hooks/echo"]}"#,
            scripts: [
                "echo": HookTests.answeringWithTheRequest(#"{\"row\": {\"code\": {\"info\": [{\"message\": \"$escaped\"}]}}}"#)
            ])
        let errors = r.metadata?["errors"]?.arrayValue ?? []
        #expect(
            errors.first?["message"]?.stringValue
                == #"{"index":0,"row":{"name":{"value":"Ada"},"email":{"value":"ada@example.com"},"code":{"value":"ab1"}}}"#)
        #expect(errors.first?["level"] == nil, "an info without a level is an error, as in Dromo")
        #expect(r.metadata?["invalidRows"] == .number(2))
    }

    /// A row hook that answers each request line with `answer` (a shell-quoted JSON string in which
    /// `$escaped` is the request, escaped as a JSON string).
    static func answeringWithTheRequest(_ answer: String) -> String {
        #"""
        while IFS= read -r line; do
          escaped=$(printf '%s' "$line" | sed 's/\\/\\\\/g; s/"/\\"/g')
          echo "\#(answer)"
        done
        """#
    }

    static let manyToOneFields = #"[{"key": "name"}, {"key": "phone", "manyToOne": true}]"#
    static let manyToOneCSV = "name,phone,phone\nAda,111,222\n"

    /// Dromo's row hooks: "If the field is manyToOne, every mapped cell for this row appears as an
    /// array" — in the request, and the answer gives the array back.
    @Test func aManyToOneFieldIsAnArrayOfCellsInARowHook() throws {
        let r = try HookTests.run(
            hooks: #"{"rowHooks": ["hooks/echo"]}"#,
            scripts: [
                "echo": HookTests.answeringWithTheRequest(
                    #"{\"row\": {\"name\": {\"info\": [{\"message\": \"$escaped\", \"level\": \"info\"}]}, \"phone\": [{\"value\": \"333\"}, {\"info\": [{\"message\": \"kept\", \"level\": \"warning\"}]}]}}"#
                )
            ], csv: HookTests.manyToOneCSV, fields: HookTests.manyToOneFields)
        #expect(r.outcome.status == .successful, "\(r.message)")
        let errors = r.metadata?["errors"]?.arrayValue ?? []
        #expect(
            errors.first?["message"]?.stringValue
                == #"{"index":0,"row":{"name":{"value":"Ada"},"phone":[{"value":"111"},{"value":"222"}]}}"#)
        #expect(r.results == "[\n{\"name\":\"Ada\",\"phone\":[\"333\",\"222\"]}\n]\n")
        #expect(errors.contains { $0["message"] == "kept" && $0["fieldKey"] == "phone" }, "\(errors)")
    }

    @Test(arguments: [
        (
            #"{"row": {"phone": {"value": "1"}}}"#,
            #"answered for 'phone', a manyToOne field of 2 columns, what is not an array of 2 {"value"?, "info"?}"#
        ),
        (#"{"row": {"phone": [{"value": "1"}]}}"#, "a manyToOne field of 2 columns"),
        (
            #"{"row": {"name": {"value": "a", "selectOptions": [{"label": "A", "value": "a"}]}}}"#,
            "answered selectOptions for 'name': per-cell select options from a hook are not supported by Intake"
        ),
    ])
    func aRowHookAnswerIntakeCannotTakeFailsTheImport(_ answer: String, _ expected: String) throws {
        let r = try HookTests.run(
            hooks: #"{"rowHooks": ["hooks/answer"]}"#, scripts: ["answer": "while read line; do echo '\(answer)'; done"],
            csv: HookTests.manyToOneCSV, fields: HookTests.manyToOneFields)
        #expect(r.outcome.failure?.code == "HOOK_FAILED")
        #expect(r.message.contains(expected), "\(r.message)")
    }

    @Test func bulkRowHookAnswersOneRecordPerRecord() throws {
        let r = try HookTests.run(
            hooks: #"{"bulkRowHooks": ["hooks/bulk"]}"#,
            scripts: [
                "bulk": #"""
                while IFS= read -r line; do
                  echo '[{"row": {"code": {"value": "one"}}}, {"row": {"code": {"value": "two"}}}]'
                done
                """#
            ])
        #expect(r.outcome.status == .successful, "\(r.message)")
        #expect(r.results?.contains(#""code":"one""#) == true)
        #expect(r.results?.contains(#""code":"two""#) == true)
    }

    @Test func columnHookGetsTheWholeColumnOnce() throws {
        let r = try HookTests.run(
            hooks: #"{"columnHooks": [{"fieldName": "code", "command": "hooks/column"}]}"#,
            scripts: [
                "column": #"""
                IFS= read -r line
                [ "$line" = '[{"index":0,"value":"ab1"},{"index":1,"value":""}]' ] || { echo "unexpected: $line" >&2; exit 9; }
                echo '[{"index": 0, "value": "AB1"}, {"index": 1, "info": [{"message": "A code is needed", "level": "error"}]}]'
                """#
            ])
        #expect(r.outcome.status == .successful, "\(r.message)")
        #expect(r.results?.contains(#""code":"AB1""#) == true)
        #expect(r.metadata?["rowsWithError"] == [1])
    }

    @Test func beforeFinishCancelSendsTheImportToReview() throws {
        let r = try HookTests.run(
            hooks: #"{"beforeFinish": "hooks/check"}"#,
            scripts: [
                "check": #"""
                IFS= read -r line
                case "$line" in '{"data":[{"name":"Ada"'*'"metadata":{"id":"h"'*) ;; *) echo "bad request: $line" >&2; exit 4 ;; esac
                echo '{"cancel": true, "message": "Totals do not match the invoice"}'
                """#
            ])
        #expect(r.outcome.status == .needsReview, "\(r.message)")
        #expect(r.outcome.reasons == ["HOOK_CANCELLED"])
        #expect(r.results == nil)
        #expect(r.workspace.text("report.json")?.contains("Totals do not match the invoice") == true)
    }

    @Test func beforeFinishEmptyAnswerLetsTheImportFinish() throws {
        let r = try HookTests.run(hooks: #"{"beforeFinish": "hooks/ok"}"#, scripts: ["ok": "read line; echo '{}'"])
        #expect(r.outcome.status == .successful, "\(r.message)")
        #expect(r.results != nil)
    }

    static let failures: [(String, String, String, [String])] = [
        (
            "crash", #"{"rowHooks": ["hooks/crash"]}"#, "read line; echo 'cannot parse phone' >&2; exit 3",
            ["The hook hooks.rowHooks[0] (hooks/crash) exited with status 3 before answering", "Its stderr ended with: cannot parse phone"]
        ),
        (
            "garbage", #"{"rowHooks": ["hooks/garbage"]}"#, "while read line; do echo 'Traceback: oops'; done",
            ["hooks.rowHooks[0] (hooks/garbage) answered what is not JSON", "Traceback: oops"]
        ),
        (
            "wrong shape", #"{"rowHooks": ["hooks/shape"]}"#, #"while read line; do echo '{"rows": {}}'; done"#,
            [#"answered what is not {"row": {"<field key>": {"value", "info"}}}"#]
        ),
        (
            "unknown field", #"{"rowHooks": ["hooks/field"]}"#, #"while read line; do echo '{"row": {"phone": {"value": "1"}}}'; done"#,
            ["answered the key 'phone', which is no field of the schema"]
        ),
        (
            "bulk count", #"{"bulkRowHooks": ["hooks/count"]}"#, #"while read line; do echo '[]'; done"#,
            ["answered 0 records for 2 records"]
        ),
        (
            "exit non-zero at the end", #"{"beforeFinish": "hooks/late"}"#, "read line; echo '{}'; echo 'bye' >&2; exit 1",
            ["hooks.beforeFinish (hooks/late) exited with status 1", "bye"]
        ),
        (
            "extra output", #"{"beforeFinish": "hooks/chatty"}"#, "read line; echo '{}'; echo '{}'",
            ["printed more lines than it was asked for"]
        ),
        (
            "missing program", #"{"rowHooks": ["hooks/absent"]}"#, "",
            ["hooks.rowHooks[0] (hooks/absent) could not start: is not a file"]
        ),
    ]

    @Test(arguments: HookTests.failures)
    func aHookThatMisbehavesFailsTheImport(_ name: String, _ hooks: String, _ script: String, _ expected: [String]) throws {
        let scripts = name == "missing program" ? [:] : [String(hooks.split(separator: "/").last!.prefix { $0.isLetter }): script]
        let r = try HookTests.run(hooks: hooks, scripts: scripts)
        #expect(r.outcome.status == .failed)
        #expect(r.outcome.failure?.code == "HOOK_FAILED")
        for part in expected { #expect(r.message.contains(part), "\(r.message)") }
    }

    @Test func aHookThatHangsIsStoppedAtTheTimeout() throws {
        let started = ContinuousClock.now
        let r = try HookTests.run(
            hooks: #"{"rowHooks": ["hooks/hang"]}"#, scripts: ["hang": "read line; echo 'thinking' >&2; sleep 30"], timeout: 0.3)
        #expect(r.outcome.failure?.code == "HOOK_FAILED")
        #expect(r.message.contains("did not answer within hookTimeoutSeconds (0.3 s) and was stopped"), "\(r.message)")
        #expect(r.message.contains("thinking"))
        #expect(ContinuousClock.now - started < .seconds(25), "stopped, not waited for: the hook sleeps 30 s")
    }

    @Test func hooksNeedARunner() throws {
        let r = try HookTests.run(hooks: #"{"rowHooks": ["hooks/x"]}"#, scripts: [:], runner: false)
        #expect(r.outcome.failure?.code == "HOOK_FAILED")
    }

    @Test func theExampleHooksWork() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples").path
        let json = #"""
            {"fields": [{"key": "phone", "type": "phone-number"}, {"key": "code"}],
             "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS", "hookTimeoutSeconds": 60},
             "hooks": {"rowHooks": ["hooks/clean-phone.py"], "columnHooks": [{"fieldName": "code", "command": "hooks/upper-codes.py"}],
                       "beforeFinish": "hooks/require-rows.sh"}}
            """#
        let schema = try #require(SchemaLoader.load(bytes: Array(json.utf8)).schema)
        let workspace = MemoryWorkspace()
        let request = ImportRequest(id: "e", schema: schema, filename: "e.csv", hookRunner: ProcessHookRunner(directory: examples))
        let outcome = try Importer.run(
            request, source: MemorySource("phone,code\ntel: 212 867 5309,ab\n(212) 867-5309,\n"), workspace: workspace)
        #expect(outcome.status == .successful, "\(outcome.failure?.message ?? "")")
        #expect(
            workspace.text("results.json") == """
                [
                {"phone":"+12128675309","code":"AB"},
                {"phone":"+12128675309","code":null}
                ]

                """)
        #expect(outcome.resultMetadata["num_invalid_rows"] == .number(1))
    }
}
