import Engine
import Testing

/// Every schema problem is reported with its JSON path; nothing unknown is silently ignored.
struct SchemaLoaderTests {
    static let problems: [(String, String)] = [
        (#"[]"#, "a schema must be a JSON object with \"fields\", not an array"),
        (#"{"fields": []}"#, "fields: must hold at least one field"),
        (#"{}"#, "fields: is required (a list of field objects)"),
        (#"{"fields": [{"label": "A"}]}"#, "fields[0].key: is required"),
        (#"{"fields": [{"key": "a", "lable": "A"}]}"#, "fields[0].lable: unknown key (did you mean 'label'?)"),
        (#"{"fields": [{"key": "a"}, {"key": "a"}]}"#, "fields[1].key: 'a' is used by fields[0] too; keys must be unique"),
        (#"{"fields": [{"key": "a", "type": "nubmer"}]}"#, "fields[0].type: 'nubmer' is not a field type (did you mean 'number'?)"),
        (#"{"fields": [{"key": "a", "type": "phone-number"}]}"#, "fields[0].type: the type 'phone-number' is not supported yet by this version of Intake"),
        (#"{"fields": [{"key": "a", "type": ["number", {"prest": "usd"}]}]}"#, "fields[0].type[1].prest: unknown key (did you mean 'preset'?)"),
        (#"{"fields": [{"key": "a", "type": ["number", "dollars"]}]}"#, "fields[0].type[1].preset: 'dollars' is not a number preset"),
        (#"{"fields": [{"key": "a", "type": "select"}]}"#, "fields[0].selectOptions: a select field needs at least one option"),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "regex_match", "regex": "(a"}]}]}"#, "fields[0].validators[0].regex: not a valid regular expression"),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "requird"}]}]}"#, "fields[0].validators[0].validate: 'requird' is not a validator (did you mean 'required'?)"),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "unique_with", "uniqueKey": "k"}]}]}"#, "fields[0].validators[0].validate: the validator 'unique_with' is not supported yet by this version of Intake"),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "length"}]}]}"#, "fields[0].validators[0]: length needs min, max or both"),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "length", "min": 5, "max": 2}]}]}"#, "fields[0].validators[0]: min is greater than max"),
        (#"{"fields": [{"key": "a", "type": ["date", {"outputFormat": "YYYY-MM-DD"}]}]}"#, "fields[0].type[1].outputFormat: unknown token 'YYYY'"),
        (#"{"fields": [{"key": "a"}], "settings": {"invalidDataBehaviour": "BLOCK_SUBMIT"}}"#, "settings.invalidDataBehaviour: unknown key (did you mean 'invalidDataBehavior'?)"),
        (#"{"fields": [{"key": "a"}], "settings": {"invalidDataBehavior": "BLOCK"}}"#, "settings.invalidDataBehavior: must be one of BLOCK_SUBMIT, REMOVE_INVALID_ROWS, INCLUDE_INVALID_ROWS"),
        (#"{"fields": [{"key": "a"}], "settings": {"matchingStep": {"headerRowOverride": -1}}}"#, "settings.matchingStep.headerRowOverride: must be a whole number of at least 0"),
        (#"{"fields": [{"key": "a", "requireMapping": "yes"}]}"#, "fields[0].requireMapping: must be true or false, not a string"),
        (#"{"fields": [{"key": "a"}], "hooks": {"rowHooks": ["hooks/x"]}}"#, "hooks: hooks are not run yet by this version of Intake"),
        (#"{"fields": [{"key": "a"}] "#, "not valid JSON (line 1, column 27: unexpected end of the document (an object is not closed))"),
    ]

    @Test(arguments: SchemaLoaderTests.problems)
    func aBrokenSchemaIsReportedWithItsJSONPath(_ json: String, _ expected: String) {
        let report = SchemaLoader.load(bytes: Array(json.utf8))
        #expect(report.schema == nil)
        #expect(report.problems.contains { $0.description.hasPrefix(expected) }, "got \(report.problems.map(\.description))")
        #expect(report.message.hasPrefix("The schema is not valid: "))
    }

    @Test func dromoUIKeysAreAcceptedAndListedAsIgnored() throws {
        let json = #"""
        {"id": "0631f213", "name": "last - email",
         "fields": [{"key": "lastName", "type": "string", "label": "last", "validators": [{"validate": "required"}]},
                    {"key": "email", "type": "email", "label": "email", "validators": [{"validate": "required"}]}],
         "settings": {"webhookUrl": "https://example.com/hook", "styleOverrides": {"global": {"primaryTextColor": "#394B59"}},
                      "allowCustomFields": false, "invalidDataBehavior": "BLOCK_SUBMIT", "developmentMode": false,
                      "uploadStep": {"helpText": "Drop it"}, "matchingStep": {"headerRowOverride": 0, "matchToSchema": true}},
         "hooks": {"stepHooks": []}}
        """#
        let report = SchemaLoader.load(bytes: Array(json.utf8))
        let schema = try #require(report.schema, "\(report.problems)")
        #expect(schema.fields.map(\.key) == ["lastName", "email"])
        #expect(schema.settings.invalidDataBehavior == .blockSubmit)
        #expect(schema.settings.headerRowOverride == 0)
        #expect(report.ignored == ["id", "settings.styleOverrides", "settings.developmentMode", "settings.uploadStep.helpText",
                                   "settings.matchingStep.matchToSchema", "hooks.stepHooks"])
    }

    @Test func typeOptionsAndValidatorsLoad() throws {
        let json = #"""
        {"fields": [
          {"key": "fee", "label": "Fee", "type": ["number", "eur"]},
          {"key": "since", "type": ["date", {"locale": "de-DE", "outputFormat": "dd.MM.yyyy"}]},
          {"key": "size", "type": ["select", {"allowCustom": true}], "selectOptions": [{"label": "Small", "value": "S", "alternateMatches": ["sm"]}]},
          {"key": "code", "alternateMatches": ["ref"], "requireMapping": true,
           "validators": [{"validate": "regex_match", "regex": "^[A-Z]+$", "regexOptions": {"ignoreCase": true}, "errorMessage": "Letters only"},
                          {"validate": "unique_case_insensitive", "level": "warning"}]}],
         "settings": {"importIdentifier": "X", "allowInvalidSubmit": true}}
        """#
        let report = SchemaLoader.load(bytes: Array(json.utf8))
        let schema = try #require(report.schema, "\(report.problems)")
        #expect(schema.fields[0].type.preset == "eur")
        #expect(schema.fields[1].type.locale == "de-DE")
        #expect(schema.fields[2].type.allowCustom)
        #expect(schema.fields[2].selectOptions[0].alternateMatches == ["sm"])
        #expect(schema.fields[3].mustBeMapped)
        #expect(schema.fields[3].validators.count == 2)
        #expect(schema.fields[3].validators[0].errorMessage == "Letters only")
        #expect(schema.fields[3].validators[1].level == "warning")
        #expect(schema.settings.invalidDataBehavior == .includeInvalidRows)
    }

    @Test func sidecarOverridesReplaceKeysOfTheSchemasSettings() {
        let base: JSONValue = ["importIdentifier": "A", "invalidDataBehavior": "BLOCK_SUBMIT"]
        let merged = SchemaLoader.merge(base, ["invalidDataBehavior": "INCLUDE_INVALID_ROWS"])
        #expect(merged == ["importIdentifier": "A", "invalidDataBehavior": "INCLUDE_INVALID_ROWS"])
    }
}
