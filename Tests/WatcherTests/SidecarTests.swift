import Engine
import Testing
@testable import Watcher

struct SidecarTests {
    static let invalid: [(String, String)] = [
        ("{bad", "not valid JSON"),
        ("[1]", "one JSON object"),
        (#"{"original_filename": "a.csv"}"#, "names no schema"),
        (#"{"schema_id": "c", "fields": [], "original_filename": "a.csv"}"#, "both schema_id and fields"),
        (#"{"schema_id": "c"}"#, "names no data"),
        (#"{"schema_id": "c", "original_filename": "../etc/passwd"}"#, "bare name"),
        (#"{"schema_id": "c", "original_filename": "sub/a.csv"}"#, "bare name"),
        (#"{"schema_id": "c", "original_filename": ".hidden.csv"}"#, "bare name"),
        (#"{"schema_id": "c", "original_filename": ".."}"#, "bare name"),
        (#"{"schema_id": "c", "original_filename": "a.csv.part"}"#, "temporary name"),
        (#"{"schema_id": "c", "original_filename": "other.import.json"}"#, "which is a sidecar"),
        (#"{"schema_id": "../x", "original_filename": "a.csv"}"#, "bad schema_id"),
        (#"{"schema_id": "c", "original_filename": 3}"#, "not a file name"),
        (#"{"schema_id": "c", "original_filename": "a.csv", "filename": "b.csv"}"#, "two different file names"),
        (#"{"schema_id": "c", "original_filename": "a.csv", "import_metadata": [1]}"#, "import_metadata"),
        (#"{"schema_id": "c", "original_filename": "a.csv", "settings": 1}"#, "\"settings\""),
        (#"{"schema_id": "c", "originalFilename": "a.csv"}"#, "unknown key 'originalFilename'"),
    ]

    @Test(arguments: invalid)
    func aBadSidecarIsInvalidSidecarWithAReason(_ text: String, _ reason: String) {
        guard case .failure(let f) = Sidecar.parse(Array(text.utf8), name: "x.import.json") else {
            Issue.record("accepted: \(text)")
            return
        }
        #expect(f.code == "INVALID_SIDECAR")
        #expect(f.message.contains("x.import.json"))
        #expect(f.message.contains(reason), "\(f.message)")
    }

    @Test func aSidecarWithASavedSchemaNamesItsFile() throws {
        let s = try Sidecar.parse(
            Array(#"{"schema_id": "customers", "filename": "a.csv", "import_metadata": {"batch": 7}}"#.utf8), name: "a.import.json"
        ).get()
        #expect(s.schema == .saved("customers"))
        #expect(s.dataFile == "a.csv")
        #expect(s.importMetadata == ["batch": 7])
    }

    @Test func settingsAndHooksOfTheSidecarReplaceTheSchemasKeys() throws {
        let s = try Sidecar.parse(
            Array(#"{"schema_id": "c", "original_filename": "a.csv", "settings": {"maxRecords": 5}}"#.utf8), name: "a.import.json"
        ).get()
        let base: JSONValue = ["name": "C", "fields": [["key": "email"]], "settings": ["maxRecords": 100, "delimiter": ";"]]
        let merged = try s.schemaJSON { _ in .success(base) }.get()
        #expect(merged["settings"] == ["maxRecords": 5, "delimiter": ";"])
        #expect(merged["fields"] == base["fields"])
    }

    @Test func anInlineSchemaComesFromFields() throws {
        let s = try Sidecar.parse(
            Array(#"{"fields": [{"key": "email"}], "initial_data": [{"email": "a@b.c"}]}"#.utf8), name: "p.import.json"
        ).get()
        #expect(s.dataFile == nil)
        let json = try s.schemaJSON { _ in .failure(ImportFailure("X", "not asked")) }.get()
        #expect(SchemaLoader.load(json).schema?.fields.map(\.key) == ["email"])
    }

    @Test func initialDataBecomesAQuotedCSVWithTheUnionOfKeys() throws {
        let payload = try JSONParser.parse(#"[{"b": "x, \"y\"", "a": 1.50}, {"a": null, "c": true, "d": [1]}]"#)
        let csv = String(decoding: try InitialData.csv(payload).get(), as: UTF8.self)
        #expect(csv == "\"b\",\"a\",\"c\",\"d\"\r\n\"x, \"\"y\"\"\",\"1.50\",\"\",\"\"\r\n\"\",\"\",\"true\",\"[1]\"\r\n")
    }

    /// Dromo's array-of-arrays form: no header row, values in the order of the schema's fields.
    @Test func initialDataAsArraysTakesTheFieldKeysAsHeader() throws {
        let payload = try JSONParser.parse(#"[["Jack", "jack@thehill.com"], ["Jill", null], [1.50]]"#)
        let csv = String(decoding: try InitialData.csv(payload, fieldKeys: ["name", "email", "n"]).get(), as: UTF8.self)
        #expect(csv == "\"name\",\"email\",\"n\"\r\n\"Jack\",\"jack@thehill.com\",\"\"\r\n\"Jill\",\"\",\"\"\r\n\"1.50\",\"\",\"\"\r\n")
    }

    @Test(arguments: [
        (#"[["a", "b", "c"]]"#, "INVALID_JSON", "has 3 values but the schema has 2 fields"),
        (#"[["a"], {"name": "b"}]"#, "INVALID_JSON", "not mixed"), (#"[{"name": "b"}, ["a"]]"#, "INVALID_JSON", "not an object"),
        ("[[], []]", "EMPTY_DATA", "only empty arrays"),
    ])
    func initialDataArraysThatDoNotFitFail(_ text: String, _ code: String, _ message: String) throws {
        guard case .failure(let f) = InitialData.csv(try JSONParser.parse(text), fieldKeys: ["name", "email"]) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(f.code == code)
        #expect(f.message.contains(message), "\(f.message)")
    }

    @Test(arguments: [("{}", "INVALID_JSON"), ("[]", "EMPTY_DATA"), ("[1]", "INVALID_JSON"), ("[{}]", "EMPTY_DATA")])
    func initialDataThatIsNotRowsFails(_ text: String, _ code: String) throws {
        guard case .failure(let f) = InitialData.csv(try JSONParser.parse(text)) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(f.code == code)
    }

    @Test(arguments: [
        ("a.csv", false), (".a.csv", true), ("a.csv.part", true), ("a.CSV.TMP", true), ("a.filepart", true),
        ("a.crdownload", true), ("a.partial", true), (".a.swp", true), ("a.csv~", true), ("a.csv.import.json", false),
    ])
    func uploadsInProgressAreIgnored(_ name: String, _ ignored: Bool) {
        #expect(InboxRules.isIgnored(name) == ignored)
    }
}
