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
        (
            #"{"fields": [{"key": "a", "type": ["phone-number", {"country": "XX"}]}]}"#,
            "fields[0].type[1].country: 'XX' is not an ISO 3166 2-letter country code"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["phone-number", {"format": "e164"}]}]}"#,
            #"fields[0].type[1].format: must be one of "international", "national", "both""#
        ),
        (
            #"{"fields": [{"key": "a", "type": ["country", {"format": "alpha2"}]}]}"#,
            #"fields[0].type[1].format: must be one of "2-letter", "3-letter""#
        ),
        (#"{"fields": [{"key": "a", "type": ["uuid", {"version": 9}]}]}"#, "fields[0].type[1].version: must be a UUID version from 1 to 8"),
        (
            #"{"fields": [{"key": "a", "type": ["url", {"acceptedDomains": ["not a domain"]}]}]}"#,
            "fields[0].type[1].acceptedDomains[0]: 'not a domain' is not a domain"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["ssn", {"outputDashes": true}]}]}"#,
            "fields[0].type[1].outputDashes: unknown key (did you mean 'outputDash'?)"
        ),
        (#"{"fields": [{"key": "a", "type": "multi-select"}]}"#, "fields[0].selectOptions: a multi-select field needs at least one option"),
        (
            #"{"fields": [{"key": "a", "type": ["multi-select", {"delimiter": ""}]}], "selectOptions": []}"#,
            "fields[0].type[1].delimiter: must be one or more characters"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["number", {"outputFormat": {"mantisa": 2}}]}]}"#,
            "fields[0].type[1].outputFormat.mantisa: unknown key (did you mean 'mantissa'?)"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["number", {"outputFormat": {"output": "byte"}}]}]}"#,
            "fields[0].type[1].outputFormat.output: 'byte' output is not supported by Intake"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["number", {"outputFormat": "0,0.00"}]}]}"#,
            "fields[0].type[1].outputFormat: a number's outputFormat must be a Numbro format object"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["number", {"outputFormat": {"negative": "red"}}]}]}"#,
            "fields[0].type[1].outputFormat.negative: must be one of sign, parenthesis"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["number", {"prest": "usd"}]}]}"#,
            "fields[0].type[1].prest: unknown key (did you mean 'preset'?)"
        ),
        (#"{"fields": [{"key": "a", "type": ["number", "dollars"]}]}"#, "fields[0].type[1].preset: 'dollars' is not a number preset"),
        (#"{"fields": [{"key": "a", "type": "select"}]}"#, "fields[0].selectOptions: a select field needs at least one option"),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "regex_match", "regex": "(a"}]}]}"#,
            "fields[0].validators[0].regex: not a valid regular expression"
        ),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "requird"}]}]}"#,
            "fields[0].validators[0].validate: 'requird' is not a validator (did you mean 'required'?)"
        ),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "unique_with"}]}]}"#, "fields[0].validators[0].uniqueKey: is required"),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "require_with", "fields": ["b"]}]}]}"#,
            "fields[0].validators[0].fields[0]: no field has the key 'b'"
        ),
        (
            #"{"fields": [{"key": "a"}, {"key": "email", "validators": [{"validate": "require_without_all", "fields": ["emial"]}]}]}"#,
            "fields[1].validators[0].fields[0]: no field has the key 'emial' (did you mean 'email'?)"
        ),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "require_with"}]}]}"#, "fields[0].validators[0].fields: is required"),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "require_with", "fields": []}]}]}"#,
            "fields[0].validators[0].fields: must name at least one field"
        ),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "require_with_values", "fieldValues": {"c": "x"}}]}]}"#,
            "fields[0].validators[0].fieldValues.c: no field has the key 'c'"
        ),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "require_with_values", "fields": ["a"]}]}]}"#,
            "fields[0].validators[0].fields: unknown key"
        ),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "require_with_all_values", "fieldValues": ["a"]}]}]}"#,
            "fields[0].validators[0].fieldValues: must be an object"
        ),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "alphabetical", "min": 1}]}]}"#,
            "fields[0].validators[0].min: unknown key"
        ),
        (#"{"fields": [{"key": "a", "validators": [{"validate": "length"}]}]}"#, "fields[0].validators[0]: length needs min, max or both"),
        (
            #"{"fields": [{"key": "a", "validators": [{"validate": "length", "min": 5, "max": 2}]}]}"#,
            "fields[0].validators[0]: min is greater than max"
        ),
        (
            #"{"fields": [{"key": "a", "type": ["date", {"outputFormat": "YYYY-MM-DD"}]}]}"#,
            "fields[0].type[1].outputFormat: unknown token 'YYYY'"
        ),
        (
            #"{"fields": [{"key": "a"}], "settings": {"invalidDataBehaviour": "BLOCK_SUBMIT"}}"#,
            "settings.invalidDataBehaviour: unknown key (did you mean 'invalidDataBehavior'?)"
        ),
        (
            #"{"fields": [{"key": "a"}], "settings": {"invalidDataBehavior": "BLOCK"}}"#,
            "settings.invalidDataBehavior: must be one of BLOCK_SUBMIT, REMOVE_INVALID_ROWS, INCLUDE_INVALID_ROWS"
        ),
        (
            #"{"fields": [{"key": "a"}], "settings": {"matchingStep": {"headerRowOverride": -1}}}"#,
            "settings.matchingStep.headerRowOverride: must be a whole number of at least 0"
        ),
        (#"{"fields": [{"key": "a", "requireMapping": "yes"}]}"#, "fields[0].requireMapping: must be true or false, not a string"),
        (
            #"{"fields": [{"key": "a"}], "hooks": {"rowHooks": ["(record) => { return record }"]}}"#,
            "hooks.rowHooks[0]: is JavaScript (a Dromo browser hook)"
        ),
        (#"{"fields": [{"key": "a"}], "hooks": {"bulkRowHooks": ["../bin/sh"]}}"#, "hooks.bulkRowHooks[0]: must stay inside schemas/"),
        (#"{"fields": [{"key": "a"}], "hooks": {"beforeFinish": "/usr/bin/true"}}"#, "hooks.beforeFinish: must be relative to schemas/"),
        (
            #"{"fields": [{"key": "a"}], "hooks": {"beforeFinish": "hooks/check --strict"}}"#,
            "hooks.beforeFinish: must be a path without spaces"
        ),
        (#"{"fields": [{"key": "a"}], "hooks": {"rowHooks": [""]}}"#, "hooks.rowHooks[0]: is empty"),
        (
            #"{"fields": [{"key": "a"}], "hooks": {"columnHooks": [{"fieldName": "a", "callback": "(col) => col"}]}}"#,
            "hooks.columnHooks[0].callback: is JavaScript"
        ),
        (
            #"{"fields": [{"key": "a"}], "hooks": {"columnHooks": [{"fieldName": "b", "command": "hooks/x"}]}}"#,
            "hooks.columnHooks[0].fieldName: no field has the key 'b'"
        ),
        (
            #"{"fields": [{"key": "a"}], "settings": {"outputFormats": ["xml"]}}"#,
            "settings.outputFormats[0]: 'xml' is not an output format (json, ndjson, csv)"
        ),
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
        #expect(
            report.ignored == [
                // developmentMode is read now: the JSON webhooks' development_mode says it.
                "id", "settings.styleOverrides", "settings.uploadStep.helpText",
                "settings.matchingStep.matchToSchema", "hooks.stepHooks",
            ])
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

    /// The example schemas of Dromo's documentation that use no JavaScript
    /// (research notes §7, copied from developer.dromo.io), each accepted as it is.
    static let dromoExamples: [(String, String)] = [
        (
            "7a API ImportSchema example",
            #"""
            {"id": "0631f213-ca91-41e0-9a88-7430c7d0ca28", "name": "last - email",
             "fields": [{"key": "lastName", "type": "string", "label": "last", "validators": [{"validate": "required"}]},
                        {"key": "email", "type": "email", "label": "email", "validators": [{"validate": "required"}]}],
             "settings": {"webhookUrl": "https://webhook.site/ce982a24-c8f1-406d-a372-75beea7c3db4",
                          "styleOverrides": {"global": {"primaryTextColor": "#394B59", "secondaryTextColor": "#667D8D"},
                                             "primaryButton": {"textColor": "#FFFFFF", "backgroundColor": "#007BFF"},
                                             "secondaryButton": {"textColor": "#FFFFFF", "backgroundColor": "#6C757D"}},
                          "allowCustomFields": false, "invalidDataBehavior": "BLOCK_SUBMIT"}}
            """#
        ),
        (
            "7b field types usage",
            #"""
            {"fields": [{"label": "Email address", "key": "email", "type": "email"},
                        {"label": "Subscription fee", "key": "subscriptionFee", "type": ["number", "eur"]},
                        {"label": "Subscribed since", "key": "subscriptionStart", "type": ["date", {"locale": "de-DE"}]}]}
            """#
        ),
        (
            "7c fields page",
            #"""
            {"fields": [{"label": "First name", "key": "firstName"}, {"label": "Last name", "key": "lastName"},
                        {"label": "Membership ID", "key": "memberId"},
                        {"label": "City", "key": "city", "alternateMatches": ["municipality", "town", "locality"]}]}
            """#
        ),
        (
            "7d unique_with",
            #"""
            {"fields": [{"label": "First Name", "key": "firstName", "validators": [{"validate": "unique_with", "uniqueKey": "full name"}]},
                        {"label": "Last Name", "key": "lastName", "validators": [{"validate": "unique_with", "uniqueKey": "full name"}]}]}
            """#
        ),
        (
            "7e manyToOne guide",
            #"""
            {"fields": [{"label": "Email", "key": "email", "type": "email"},
                        {"label": "Primary Earnings", "key": "primary_earnings", "type": ["number", "usd"]},
                        {"label": "Additional Earnings", "key": "additional_earnings", "type": ["number", "usd"], "manyToOne": true}]}
            """#
        ),
        (
            "7f datetime and usd outputFormat",
            #"""
            {"fields": [{"label": "Saved at", "key": "savedAt",
                         "type": ["datetime", {"locale": "de-DE", "displayFormat": "EEE MMM d, y, H:mm:ss", "withSeconds": true}]},
                        {"label": "Price", "key": "price", "type": ["number", {"preset": "usd", "outputFormat": {
                          "mantissa": 2, "thousandSeparated": true, "output": "currency", "average": false,
                          "spaceSeparatedCurrency": true, "currencyPosition": "prefix", "currencySymbol": "$"}}]}]}
            """#
        ),
        (
            "7g select by its options",
            #"""
            {"fields": [{"label": "State", "key": "state", "selectOptions": [{"label": "Alabama", "value": "AL"}, {"label": "Alaska", "value": "AK"}]}]}
            """#
        ),
    ]

    @Test(arguments: SchemaLoaderTests.dromoExamples)
    func dromoDocumentationExamplesAreAccepted(_ name: String, _ json: String) {
        let report = SchemaLoader.load(bytes: Array(json.utf8))
        #expect(report.schema != nil, "\(name): \(report.problems.map(\.description))")
    }

    @Test func dromoJavaScriptHooksAreRefusedByName() {
        let json = #"""
            {"fields": [{"key": "a"}],
             "hooks": {"rowHooks": ["(record) => { record.row.a.value = 'x'; return record }"],
                       "columnHooks": [{"fieldName": "a", "callback": "(values) => values"}],
                       "stepHooks": [{"type": "UPLOAD_STEP", "callback": "() => {}"}]}}
            """#
        let report = SchemaLoader.load(bytes: Array(json.utf8))
        #expect(report.problems.map(\.path) == ["hooks.rowHooks[0]", "hooks.columnHooks[0].callback"])
        #expect(report.ignored == ["hooks.stepHooks"])
    }
}
