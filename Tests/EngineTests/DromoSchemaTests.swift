@testable import Engine
import Testing

/// A Dromo saved schema works here as Dromo's documentation describes it (issue 15): each case is
/// an example written from the docs, its decided behaviour, and where Intake differs on purpose
/// the contract's §14 says why.
struct DromoSchemaTests {
    static func load(_ json: String) -> SchemaReport { SchemaLoader.load(bytes: Array(json.utf8)) }

    /// Runs `csv` through `schema`; returns the rows of results.json and metadata.json.
    static func run(_ schemaJSON: String, _ csv: String) throws -> (rows: [JSONValue], metadata: JSONValue) {
        let report = load(schemaJSON)
        let schema = try #require(report.schema, "\(report.problems)")
        let workspace = MemoryWorkspace()
        let request = ImportRequest(id: "d", schema: schema, filename: "d.csv")
        _ = try Importer.run(request, source: MemorySource(Array(csv.utf8)), workspace: workspace)
        let results = try JSONParser.parse(try #require(workspace.files["results.json"]))
        let metadata = try JSONParser.parse(try #require(workspace.files["metadata.json"]))
        return (results.arrayValue ?? [], metadata)
    }

    // MARK: - 1. Settings given as null are settings not given

    @Test(arguments: [
        #"{"webhookUrl": null}"#, #"{"maxRecords": null}"#, #"{"matchingStep": {"headerRowOverride": null}}"#,
        #"{"needsReviewWebhookUrl": null, "initialData": null, "delimiter": null, "importIdentifier": null}"#,
        #"{"uploadStep": null, "matchingStep": null, "invalidDataBehavior": null, "allowCustomFields": null}"#,
        #"{"uploadStep": {"sheetOverride": null, "helpText": null}, "matchingStep": {"fuzzyMatchHeaders": null}}"#,
    ])
    func nullSettingsAreNotGiven(_ settings: String) throws {
        let report = Self.load(#"{"fields": [{"key": "a", "label": "A"}], "settings": \#(settings), "hooks": {"beforeFinish": null}}"#)
        let schema = try #require(report.schema, "\(report.problems)")
        #expect(schema.settings.maxRecords == nil && schema.settings.webhookUrl == nil && schema.settings.headerRowOverride == nil)
        #expect(schema.settings.invalidDataBehavior == .removeInvalidRows && schema.settings.fuzzyMatchHeaders)
        #expect(schema.hooks.isEmpty)
        // A null is not listed as ignored either: nothing was given.
        #expect(report.ignored.isEmpty)
    }

    @Test func aWholeNullSettingsObjectIsNotGiven() throws {
        let report = Self.load(#"{"fields": [{"key": "a"}], "settings": null, "hooks": null}"#)
        #expect(report.schema != nil, "\(report.problems)")
    }

    // MARK: - 2. multi-select: trimValues, selectOptions: []

    static let colours = #"[{"label": "Red", "value": "red"}, {"label": "Green", "value": "green"}]"#

    @Test func multiSelectTrimValuesIsAcceptedAndTrims() throws {
        let (rows, _) = try Self.run(
            #"{"fields": [{"key": "c", "type": ["multi-select", {"delimiter": ";", "trimValues": true}], "selectOptions": \#(Self.colours)}]}"#,
            "c\n\" Red ;green \"\n")
        #expect(rows.first?["c"] == ["red", "green"])
    }

    /// `trimValues: false` keeps each value's spaces: with exactMatchOnly ` Red` is not `Red`.
    @Test func multiSelectWithoutTrimValuesKeepsSpaces() throws {
        let schema =
            #"{"fields": [{"key": "c", "type": ["multi-select", {"delimiter": ";", "trimValues": false, "allowCustom": true, "exactMatchOnly": true}], "selectOptions": \#(Self.colours)}]}"#
        let (rows, _) = try Self.run(schema, "c\nRed; Red\n")
        #expect(rows.first?["c"] == ["red", " Red"])
    }

    @Test func multiSelectWithNoOptionsKeepsEveryValue() throws {
        let report = Self.load(#"{"fields": [{"key": "tags", "type": ["multi-select", {"delimiter": ";"}], "selectOptions": []}]}"#)
        let schema = try #require(report.schema, "\(report.problems)")
        #expect(schema.fields[0].type.allowCustom)
        let (rows, metadata) = try Self.run(
            #"{"fields": [{"key": "tags", "type": "multi-select", "selectOptions": []}]}"#, "tags\n\"a, b,a\"\n")
        #expect(rows.first?["tags"] == ["a", "b"])
        #expect(metadata["errors"]?.arrayValue?.isEmpty == true)
        // Without the key at all it is still a mistake.
        #expect(Self.load(#"{"fields": [{"key": "t", "type": "multi-select"}]}"#).schema == nil)
    }

    // MARK: - 3. exactMatchOnly in an option, invalidValueMessage, INCLUDE_INVALID_ROWS_AND_VALUES, acceptedDomains

    @Test func anOptionWithExactMatchOnlyMatchesOnlyAsWritten() throws {
        let schema = #"""
            {"fields": [{"key": "s", "type": "select", "selectOptions": [
                {"label": "Yes", "value": "Y", "exactMatchOnly": true}, {"label": "No", "value": "N"}]}],
             "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}
            """#
        let (rows, metadata) = try Self.run(schema, "s\nYes\nyes\nno\n")
        #expect(rows.map { $0["s"] } == ["Y", "yes", "N"])
        #expect(metadata["errors"]?.arrayValue?.map { $0["rowIndex"] } == [1])
    }

    @Test func invalidValueMessageIsTheMessageOfAnInvalidCell() throws {
        let schema = #"""
            {"fields": [{"key": "n", "type": "number", "invalidValueMessage": "Give the amount in digits",
                         "validators": [{"validate": "length", "max": 3}]}]}
            """#
        let (_, metadata) = try Self.run(schema, "n\nabc\n12345\n")
        let messages = metadata["errors"]?.arrayValue?.map { $0["message"]?.stringValue ?? "" } ?? []
        // The type's message is replaced; a validator keeps its own.
        #expect(messages == ["Give the amount in digits", "Too long: at most 3 characters"])
    }

    // MARK: - 9. JavaScript regular expressions: lookbehind, back-references

    @Test func lookbehindAndBackReferencesValidateCells() throws {
        let schema = #"""
            {"fields": [{"key": "price", "validators": [{"validate": "regex_match", "regex": "(?<=^\\$)\\d+$"}]},
                        {"key": "pair", "validators": [{"validate": "regex_exclude", "regex": "^(\\w+)-\\1$",
                                                        "errorMessage": "The two halves must differ"}]}]}
            """#
        let (_, metadata) = try Self.run(schema, "price,pair\n$12,ab-cd\n12,ab-ab\n")
        let errors = metadata["errors"]?.arrayValue ?? []
        #expect(errors.map { $0["rowIndex"]?.intValue ?? -1 } == [1, 1])
        #expect(
            errors.map { $0["message"]?.stringValue ?? "" } == ["Does not match the pattern (?<=^\\$)\\d+$", "The two halves must differ"])
    }

    @Test func aCellThePatternCannotDecideIsAnErrorThatSaysSo() throws {
        // Back-references past the step limit: the cell is not passed, and the message is not
        // the schema's (which would read as the check's verdict).
        let schema = #"""
            {"fields": [{"key": "code", "validators": [{"validate": "regex_match", "regex": "^(a*)*\\1b",
                                                        "errorMessage": "Not a code"}]}]}
            """#
        let (_, metadata) = try Self.run(schema, "code\naab\n\(String(repeating: "a", count: 40))\n")
        let errors = metadata["errors"]?.arrayValue ?? []
        #expect(errors.count == 1)
        #expect(errors.first?["rowIndex"]?.intValue == 1)
        #expect(errors.first?["message"]?.stringValue?.hasPrefix("Could not check the pattern ^(a*)*\\1b on this value") == true)
    }

    @Test func includeInvalidRowsAndValuesIsIncludeInvalidRows() throws {
        let schema =
            #"{"fields": [{"key": "n", "type": "number"}], "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS_AND_VALUES"}}"#
        #expect(Self.load(schema).schema?.settings.invalidDataBehavior == .includeInvalidRows)
        let (rows, _) = try Self.run(schema, "n\n1\nabc\n")
        // The invalid row is there, with its invalid value as written.
        #expect(rows.map { $0["n"] } == [1, "abc"])
        #expect(Self.load(#"{"fields": [{"key": "n"}], "settings": {"invalidDataBehavior": "INCLUDE_ALL"}}"#).schema == nil)
    }

    @Test(arguments: [
        ("https://www.google.com/search", true), ("http://google.co.uk", true), ("https://maps.google.de/x", true),
        ("https://dromo.io/bar", true), ("https://notgoogle.com", false), ("https://google.evil.com", false),
        ("https://example.com", false),
    ])
    func acceptedDomainsWithoutTLDNameTheSite(_ url: String, _ accepted: Bool) throws {
        let schema = #"{"fields": [{"key": "u", "type": ["url", {"acceptedDomains": ["google", "dromo"]}]}]}"#
        let (_, metadata) = try Self.run(schema, "u\n\(url)\n")
        #expect(metadata["errors"]?.arrayValue?.isEmpty == accepted)
    }

    // MARK: - 4. autoMapHeaders is off unless the schema says so, as in Dromo

    @Test func autoMapHeadersIsOffByDefault() {
        #expect(Self.load(#"{"fields": [{"key": "a"}]}"#).schema?.settings.autoMapHeaders == false)
        #expect(Self.load(#"{"fields": [{"key": "a"}], "settings": {"autoMapHeaders": true}}"#).schema?.settings.autoMapHeaders == true)
    }

    // MARK: - 5. A key that changes what a Dromo import does is never silently ignored

    @Test func keysThatChangeAnImportAreWarnedAboutAndListedInMetadata() throws {
        let schema = #"""
            {"fields": [{"key": "a"}],
             "settings": {"styleOverrides": {}, "allowEmptySubmit": false, "developmentMode": true},
             "hooks": {"stepHooks": [], "rowDeleteHooks": [], "beforeFinishCallback": "(data) => ({cancel: true})"}}
            """#
        let report = Self.load(schema)
        let keys = report.ignoredKeys
        #expect(
            keys.filter(\.changesImport).map(\.path) == [
                "settings.allowEmptySubmit", "hooks.stepHooks", "hooks.rowDeleteHooks", "hooks.beforeFinishCallback",
            ])
        #expect(keys.filter { !$0.changesImport }.map(\.path) == ["settings.styleOverrides"])
        #expect(keys.first { $0.path == "hooks.beforeFinishCallback" }?.reason.contains("cancel the import") == true)
        // developmentMode is used now (the JSON webhooks' development_mode), not ignored.
        #expect(report.schema?.settings.developmentMode == true)
        let (_, metadata) = try Self.run(schema, "a\nx\n")
        let listed = metadata["ignoredSchemaKeys"]?.arrayValue ?? []
        #expect(listed.map { $0["key"]?.stringValue ?? "" } == keys.map(\.path))
        #expect(listed.first { $0["key"] == "hooks.beforeFinishCallback" }?["changesImport"] == true)
        // allowEmptySubmit at its default changes nothing.
        #expect(
            Self.load(#"{"fields": [{"key": "a"}], "settings": {"allowEmptySubmit": true}}"#).ignoredKeys.map(\.changesImport) == [false])
    }

    @Test func metadataHasNoIgnoredListWhenNothingIsIgnored() throws {
        let (_, metadata) = try Self.run(#"{"fields": [{"key": "a"}]}"#, "a\nx\n")
        #expect(metadata["ignoredSchemaKeys"] == nil)
    }

    // MARK: - 7. Mixed date formats in one column

    /// A month-first column (most values) keeps its order for `03/04/2024`, and reads `27/03/2024`
    /// the only way it can be read; nothing ambiguous is swapped.
    @Test func dayFirstCellsInAMonthFirstColumnAreReadWhenUnambiguous() throws {
        let (rows, metadata) = try Self.run(
            #"{"fields": [{"key": "d", "type": "date"}]}"#, "d\n03/27/2024\n04/28/2024\n27/03/2024\n03/04/2024\n")
        #expect(rows.map { $0["d"] } == ["2024-03-27", "2024-04-28", "2024-03-27", "2024-03-04"])
        #expect(metadata["errors"]?.arrayValue?.isEmpty == true)
        #expect(metadata["fields"]?["d"]?["dateOrder"]?["order"] == "monthFirst")
    }

    // MARK: - 8. unique compares the values written

    @Test(arguments: [
        (#"{"key": "n", "type": "number", "validators": [{"validate": "unique"}]}"#, "n\n1\n1.0\n2\n"),
        (
            #"{"key": "s", "type": "us-state-territory", "validators": [{"validate": "unique"}]}"#,
            "s\nAlabama\nAL\nAK\n"
        ),
        (
            #"{"key": "s", "selectOptions": [{"label": "Alabama", "value": "AL"}, {"label": "Alaska", "value": "AK"}], "validators": [{"validate": "unique"}]}"#,
            "s\nAlabama\nal\nAlaska\n"
        ),
        (#"{"key": "c", "type": "checkbox", "validators": [{"validate": "unique"}]}"#, "c\nyes\ntrue\nno\n"),
        (
            #"{"key": "p", "type": "phone-number", "validators": [{"validate": "unique_case_insensitive"}]}"#,
            "p\n(212) 867-5309\n+12128675309\n2125551234\n"
        ),
    ])
    func uniqueComparesTheOutputValue(_ field: String, _ csv: String) throws {
        let (_, metadata) = try Self.run(#"{"fields": [\#(field)], "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}"#, csv)
        let errors = metadata["errors"]?.arrayValue ?? []
        #expect(errors.map { $0["rowIndex"] } == [0, 1], "\(errors)")
        #expect(errors.allSatisfy { $0["message"]?.stringValue?.hasPrefix("Duplicate") == true })
    }

    /// A string is compared by its trimmed text (as before); `unique_with` and manyToOne by values.
    @Test func uniqueWithComparesValuesAndStringsTrimmed() throws {
        let schema = #"""
            {"fields": [{"key": "name", "validators": [{"validate": "unique_with", "uniqueKey": "k"}]},
                        {"key": "n", "type": "number", "validators": [{"validate": "unique_with", "uniqueKey": "k"}]}],
             "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}
            """#
        let (_, metadata) = try Self.run(schema, "name,n\nAda,1\n Ada ,1.00\nAda,2\n")
        #expect(Set(metadata["errors"]?.arrayValue?.compactMap { $0["rowIndex"]?.intValue } ?? []) == [0, 1])
    }

    // MARK: - 8. Output values as Dromo's field-types page documents them

    /// "By default, dates are output to the results in ISO-8601 format, with no time zone offset
    /// (e.g. "2022-03-27T15:20")": a cell with an offset is the same instant in UTC; without one, as written.
    @Test(arguments: [
        ("2022-03-27T15:20Z", "2022-03-27T15:20"), ("2022-03-27T15:20", "2022-03-27T15:20"),
        ("2022-03-27T17:20+02:00", "2022-03-27T15:20"), ("2022-03-27T22:20-07:00", "2022-03-28T05:20"),
        ("2022-03-01T00:30+01:00", "2022-02-28T23:30"), ("2024-03-01T00:30+01:00", "2024-02-29T23:30"),
    ])
    func datetimeOutputHasNoOffset(_ cell: String, _ expected: String) throws {
        let (rows, _) = try Self.run(#"{"fields": [{"key": "at", "type": "datetime"}]}"#, "at\n\(cell)\n")
        #expect(rows.first?["at"] == .string(expected))
    }

    /// An explicit outputFormat keeps its offset tokens (and "[ISO]" its offset): only the default has none.
    @Test func anOutputFormatWithAnOffsetTokenStillPrintsIt() throws {
        let (rows, _) = try Self.run(
            #"{"fields": [{"key": "at", "type": ["datetime", {"outputFormat": "yyyy-MM-dd HH:mm ZZ"}]}, {"key": "iso", "type": ["datetime", {"outputFormat": "[ISO]"}]}]}"#,
            "at,iso\n2022-03-27T17:20+02:00,2022-03-27T17:20+02:00\n")
        #expect(rows.first?["at"] == "2022-03-27 17:20 +02:00")
        #expect(rows.first?["iso"] == "2022-03-27T17:20:00+02:00")
    }

    /// "This (obviously) does not validate the actual SSN": only the shape is checked.
    @Test func ssnChecksTheShapeOnly() throws {
        let (rows, metadata) = try Self.run(
            #"{"fields": [{"key": "ssn", "type": "ssn"}], "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}"#,
            "ssn\n900-12-3456\n666-12-3456\n000-00-0000\n12-345-6789\n")
        #expect(rows.map { $0["ssn"] } == ["900123456", "666123456", "000000000", "12-345-6789"])
        #expect(metadata["errors"]?.arrayValue?.compactMap { $0["rowIndex"]?.intValue } == [3])
    }

    /// "If the input data is unable to be parsed as a number, a validation error is added to the
    /// cell": `€5` is not an amount a `usd` field reads; `$5`, `5 USD` and a bare `5` are.
    @Test func aCurrencyPresetRefusesAnotherCurrency() throws {
        let schema =
            #"{"fields": [{"key": "fee", "type": ["number", "usd"]}, {"key": "eur", "type": ["number", {"preset": "eur"}]}], "settings": {"invalidDataBehavior": "INCLUDE_INVALID_ROWS"}}"#
        let (rows, metadata) = try Self.run(schema, "fee,eur\n€5,5 €\n$5,$5\n5 USD,EUR 5\n5,5\nGBP 5,£5\n")
        #expect(rows.map { $0["fee"] } == ["€5", 5, 5, 5, "GBP 5"])
        #expect(rows.map { $0["eur"] } == [5, "$5", 5, 5, "£5"])
        let errors = metadata["errors"]?.arrayValue ?? []
        #expect(
            errors.map { "\($0["rowIndex"]?.intValue ?? -1) \($0["fieldKey"]?.stringValue ?? "")" } == ["0 fee", "1 eur", "4 fee", "4 eur"])
        #expect(errors.first?["message"] == "Not an amount in USD")
    }

    /// "displaying them with spaces (e.g., +1 212 867 5309) but outputting in E.164 … unless
    /// outputFormatted: true"; `both`: "All values are displayed and output in international format".
    @Test func phoneOutputIsTheDocumentedInternationalForm() throws {
        let schema = #"""
            {"fields": [{"key": "f", "type": ["phone-number", {"outputFormatted": true}]},
                        {"key": "b", "type": ["phone-number", {"country": "US", "format": "both"}]},
                        {"key": "n", "type": ["phone-number", {"country": "US", "format": "national", "outputFormatted": true}]}]}
            """#
        let (rows, _) = try Self.run(schema, "f,b,n\n(212) 867-5309,(212) 867-5309,+1 212 867 5309\n")
        #expect(rows.first?["f"] == "+1 212 867 5309")
        #expect(rows.first?["b"] == "+12128675309")
        #expect(rows.first?["n"] == "(212) 867-5309")
    }

    // MARK: - Smaller: $unmapped, fuzzyMatchHeaders, time of a datetime

    /// settings.mdx's example result holds `"6": ""`: an empty unmapped cell is "", not null.
    @Test func unmappedEmptyCellsAreEmptyStrings() throws {
        let (rows, _) = try Self.run(
            #"{"fields": [{"key": "firstName"}], "settings": {"passThroughUnmappedColumns": true}}"#,
            "firstName,Birthday,Notes\nMichael,,x\n")
        #expect(rows.first?["$unmapped"] == ["1": "", "2": "x"])
    }

    /// "If set to `false`, Dromo will only suggest columns whose headers exactly match a field's
    /// `label`, `key`, or `alternateMatches`": case and inner spacing count; surrounding spaces do not.
    @Test(arguments: [
        ("firstName", true), (" firstName ", true), ("First name", true), ("given", true), ("FIRSTNAME", false),
        ("first name", false), ("First  name", false), ("firstname", false), ("First-name", false),
    ])
    func fuzzyMatchHeadersOffMatchesOnlyExactly(_ header: String, _ maps: Bool) throws {
        let field = #"{"key": "firstName", "label": "First name", "alternateMatches": ["given"]}"#
        let off = #"{"fields": [\#(field)], "settings": {"matchingStep": {"fuzzyMatchHeaders": false}}}"#
        let (rows, metadata) = try Self.run(off, "\(header),other\nAda,1\n")
        #expect((rows.first?["firstName"] == "Ada") == maps, "\(metadata["fields"] ?? nil)")
        // With fuzzy matching on (the default) every one of them maps.
        let (onRows, _) = try Self.run(#"{"fields": [\#(field)]}"#, "\(header),other\nAda,1\n")
        #expect(onRows.first?["firstName"] == "Ada")
    }

    /// The time type "parses datetimes in several formats: ISO-8601, …": a time field takes the
    /// time of an ISO date-time (in UTC when it has an offset, as a datetime field writes it).
    @Test(arguments: [
        ("2022-03-27T15:20:00", "15:20"), ("2022-03-27T15:20", "15:20"), ("2022-03-27T15:20Z", "15:20"),
        ("2022-03-27T17:20:00+02:00", "15:20"), ("15:20", "15:20"),
    ])
    func aTimeFieldTakesTheTimeOfAnISODateTime(_ cell: String, _ expected: String) throws {
        let (rows, _) = try Self.run(#"{"fields": [{"key": "t", "type": "time"}]}"#, "t\n\(cell)\n")
        #expect(rows.first?["t"] == .string(expected))
    }
}
