/// The vocabulary as examples: every type and validator with inputs and what Intake makes of
/// them. `VocabularyTests` runs each through a real import, and writes `docs/VOCABULARY.md` from
/// these same tables, so the document cannot drift from the code.
///
/// Expected values are the JSON Intake writes (`"+12128675309"`, `3`, `null`), or `✗ message`
/// for a cell that is invalid.
struct TypeExample: Sendable, CustomStringConvertible {
    var section: String
    /// The field object without its key: `"type": ["phone-number", {"country": "FR"}]`.
    var field: String
    var input: String
    var expected: String
    var description: String { "\(section): \(input.debugDescription)" }
}

struct ValidatorExample: Sendable, CustomStringConvertible {
    var section: String
    /// The fields, as a JSON array.
    var fields: String
    /// The file: a header line, then one line per row.
    var csv: String
    /// `rowIndex fieldKey: message`, one per problem, in order.
    var expected: [String]
    var description: String { section }
}

enum VocabularyCases {
    static func group(_ section: String, _ field: String, _ cases: [(String, String)]) -> [TypeExample] {
        cases.map { TypeExample(section: section, field: field, input: $0.0, expected: $0.1) }
    }

    static let options =
        #""selectOptions": [{"label": "Red", "value": "red", "alternateMatches": ["crimson"]}, {"label": "Green", "value": "green"}, {"label": "Blue", "value": "blue"}]"#

    static let types: [TypeExample] =
        group("string", #""type": "string""#, [("  keeps spaces ", #""  keeps spaces ""#), ("", "null")])
        + group(
            "number", #""type": "number""#,
            [
                ("1,234.50", "1234.5"), ("$99", "99"), ("(12)", "-12"), ("12%", "0.12"), ("1e3", "1000"), ("18 080", "18080"),
                ("18 08", "✗ Not a valid number"),
                ("1,23", #"✗ Not a valid number with "." as the decimal mark (the field's decimalMark "," would read it)"#),
            ])
        + group(
            "number decimalMark", #""type": ["number", {"decimalMark": ","}]"#,
            [
                ("1.234,50", "1234.5"), ("0,5", "0.5"), ("1 234,5", "1234.5"),
                ("1.5", "✗ Not a valid number with \",\" as the decimal mark (the field's decimalMark \".\" would read it)"),
            ])
        + group("number integer", #""type": ["number", "integer"]"#, [("2.5", "3"), ("-2.5", "-3")])
        + group("number decimal_2", #""type": ["number", "decimal_2"]"#, [("2.345", "2.35"), ("1.005", "1.01"), ("7", "7")])
        + group("number percent_1", #""type": ["number", "percent_1"]"#, [("12.345%", "0.123"), ("0.5", "0.5")])
        + group(
            "number usd", #""type": ["number", "usd"]"#,
            [("$1,234.567", "1234.57"), ("-$3,456.784", "-3456.78"), ("€5", "✗ Not an amount in USD")])
        + group("number round", #""type": ["number", {"round": -2}]"#, [("8888.888", "8900")])
        + group(
            "number min/max", #""type": ["number", {"min": 0, "max": 100}]"#,
            [("100", "100"), ("101", "✗ Must be at most 100"), ("-1", "✗ Must be at least 0")])
        + group(
            "number outputFormat currency",
            #""type": ["number", {"preset": "usd", "outputFormat": {"mantissa": 2, "thousandSeparated": true, "output": "currency", "average": false, "spaceSeparatedCurrency": true, "currencyPosition": "prefix", "currencySymbol": "$"}}]"#,
            [
                ("1234.5", #""$ 1,234.50""#), ("-3456.784", #""-$ 3,456.78""#),
            ])
        + group(
            "number outputFormat postfix",
            #""type": ["number", {"outputFormat": {"output": "currency", "currencySymbol": "€", "currencyPosition": "postfix", "spaceSeparated": true, "mantissa": 2, "thousandSeparated": true}}]"#,
            [
                ("1234.567", #""1,234.57 €""#)
            ])
        + group(
            "number outputFormat percent", #""type": ["number", {"outputFormat": {"output": "percent", "mantissa": 1}}]"#,
            [("0.1256", #""12.6%""#), ("12%", #""12.0%""#)])
        + group(
            "number outputFormat negative", #""type": ["number", {"outputFormat": {"negative": "parenthesis", "mantissa": 2}}]"#,
            [("-5", #""(5.00)""#), ("5", #""5.00""#)])
        + group(
            "number outputFormat average", #""type": ["number", {"outputFormat": {"average": true, "mantissa": 1}}]"#,
            [("1234567", #""1.2m""#), ("999", #""999.0""#)])
        + group(
            "number outputFormat ordinal", #""type": ["number", {"outputFormat": {"output": "ordinal"}}]"#,
            [("3", #""3rd""#), ("11", #""11th""#)])
        + group(
            "number outputFormat prefix/postfix",
            #""type": ["number", {"outputFormat": {"prefix": "~", "postfix": " kg", "forceSign": true}}]"#, [("12.5", #""~+12.5 kg""#)])
        + group(
            "date", #""type": "date""#,
            [
                ("2/13/2024", #""2024-02-13""#), ("2024-02-13", #""2024-02-13""#), ("Feb 13, 2024", #""2024-02-13""#),
                ("2024-02-30", "✗ Not a valid date"),
            ])
        + group("date outputFormat", #""type": ["date", {"outputFormat": "dd.MM.yyyy"}]"#, [("2024-02-09", #""09.02.2024""#)])
        + group("datetime", #""type": "datetime""#, [("2024-02-09 13:45:10", #""2024-02-09T13:45""#)])
        + group(
            "datetime withSeconds", #""type": ["datetime", {"withSeconds": true}]"#,
            [("2024-02-09T13:45:10Z", #""2024-02-09T13:45:10""#), ("2024-02-09T01:15:00-05:00", #""2024-02-09T06:15:00""#)])
        + group("time", #""type": "time""#, [("1:45 PM", #""13:45""#), ("25:00", "✗ Not a valid time")])
        + group("checkbox", #""type": "checkbox""#, [("yes", "true"), ("x", "true"), ("No", "false"), ("0", "false"), ("", "false")])
        + group(
            "select", #""type": "select", "# + options,
            [
                ("red", #""red""#), ("GREEN", #""green""#), ("crimson", #""red""#),
                ("pink", "✗ Not one of the allowed options: Red, Green, Blue"),
            ])
        + group("select allowCustom", #""type": ["select", {"allowCustom": true}], "# + options, [("pink ", #""pink""#)])
        + group(
            "multi-select", #""type": "multi-select", "# + options,
            [
                ("Red, green", #"["red","green"]"#), ("blue,,red ,", #"["blue","red"]"#), ("red, Red", #"["red"]"#), ("", "null"),
                ("red, pink", "✗ Not one of the allowed options: pink (allowed: Red, Green, Blue)"),
            ])
        + group(
            "multi-select delimiter", #""type": ["multi-select", {"delimiter": ";"}], "# + options,
            [("red; crimson;blue", #"["red","blue"]"#)])
        + group(
            "email", #""type": "email""#,
            [
                ("bob@example.com", #""bob@example.com""#), ("bob@", "✗ Not a valid email address"),
                ("bob@localhost", "✗ Not a valid email address"),
            ])
        + group(
            "phone-number", #""type": "phone-number""#,
            [
                ("(212) 867-5309", #""+12128675309""#), ("1-212-867-5309", #""+12128675309""#), ("+33 1 23 45 67 89", #""+33123456789""#),
                ("+44 (0)20 7946 0958", #""+442079460958""#), ("0044 20 7946 0958", #""+442079460958""#),
                ("867-5309", "✗ Not a valid phone number"),
                ("212-867-5309 ext 4", "✗ Not a valid phone number"), ("+999 123456", "✗ Not a valid phone number (unknown country code)"),
            ])
        + group("phone-number FR", #""type": ["phone-number", {"country": "FR"}]"#, [("01 23 45 67 89", #""+33123456789""#)])
        + group(
            "phone-number national", #""type": ["phone-number", {"format": "national"}]"#,
            [
                ("+1 212 867 5309", #""2128675309""#), ("+33 1 23 45 67 89", "✗ Not a phone number of US"),
            ])
        + group(
            "phone-number national FR", #""type": ["phone-number", {"country": "FR", "format": "national"}]"#,
            [("+33 1 23 45 67 89", #""0123456789""#)])
        + group(
            "phone-number both", #""type": ["phone-number", {"format": "both"}]"#,
            [("212 867 5309", #""+12128675309""#), ("+44 20 7946 0958", #""+442079460958""#)])
        + group(
            "phone-number outputFormatted", #""type": ["phone-number", {"outputFormatted": true}]"#,
            [("2128675309", #""+1 212 867 5309""#), ("+33123456789", #""+33 123456789""#)])
        + group(
            "phone-number national outputFormatted", #""type": ["phone-number", {"format": "national", "outputFormatted": true}]"#,
            [("2128675309", #""(212) 867-5309""#)])
        + group(
            "url", #""type": "url""#,
            [
                ("https:///dromo.io/foo/../bar", #""https://dromo.io/bar""#), ("HTTP://Example.COM:80", #""http://example.com/""#),
                ("www.example.com/a/./b?q=1#top", #""https://www.example.com/a/b?q=1#top""#),
                ("http://localhost:8080/x", #""http://localhost:8080/x""#),
                ("https://10.0.0.1/", #""https://10.0.0.1/""#), ("not a url", "✗ Not a valid URL"),
                ("mailto:bob@example.com", "✗ Not a valid URL"),
            ])
        + group(
            "url acceptedProtocols", #""type": ["url", {"acceptedProtocols": ["https"]}]"#,
            [
                ("https://example.com/a", #""https://example.com/a""#), ("ftp://example.com", "✗ The URL's protocol is not one of https"),
            ])
        + group(
            "url acceptedDomains", #""type": ["url", {"acceptedDomains": ["example.com"]}]"#,
            [
                ("https://api.example.com/v1", #""https://api.example.com/v1""#),
                ("https://example.org", "✗ The URL's domain is not one of example.com"),
            ])
        + group(
            "domain", #""type": "domain""#,
            [
                ("Example.COM", #""example.com""#), ("www.example.co.uk.", #""www.example.co.uk""#),
                ("https://example.com", "✗ Not a valid domain"),
                ("-bad.com", "✗ Not a valid domain"), ("localhost", "✗ Not a valid domain"),
            ])
        + group(
            "domain allowSubdomains false", #""type": ["domain", {"allowSubdomains": false}]"#,
            [
                ("example.co.uk", #""example.co.uk""#), ("www.example.com", "✗ Subdomains are not allowed"),
            ])
        + group(
            "country", #""type": "country""#,
            [
                ("Germany", #""DE""#), ("deu", #""DE""#), ("United States of America", #""US""#), ("U.S.A.", #""US""#),
                ("Côte d'Ivoire", #""CI""#), ("Guinea Bissau", #""GW""#), ("Atlantis", "✗ Not a known country"),
            ])
        + group("country 3-letter", #""type": ["country", {"format": "3-letter"}]"#, [("South Korea", #""KOR""#), ("gb", #""GBR""#)])
        + group(
            "us-state-territory", #""type": "us-state-territory""#,
            [
                ("new york", #""NY""#), ("US-CA", #""CA""#), ("Puerto Rico", #""PR""#),
                ("Washington, D.C.", "✗ Not a US state or territory"),
                ("District of Columbia", #""DC""#), ("ZZ", "✗ Not a US state or territory"),
            ])
        + group(
            "us-zip-code", #""type": "us-zip-code""#,
            [
                ("342", #""00342""#), ("02134", #""02134""#), ("12345-6789", #""12345""#), ("1234a", "✗ Not a valid US ZIP code"),
            ])
        + group(
            "us-zip-code 9-digit", #""type": ["us-zip-code", {"format": "9-digit"}]"#,
            [
                ("12345-6789", #""123456789""#), ("21341234", #""021341234""#), ("12345", "✗ Not a 9-digit ZIP code (ZIP+4)"),
            ])
        + group(
            "us-zip-code 9-digit outputDash", #""type": ["us-zip-code", {"format": "9-digit", "outputDash": true}]"#,
            [("123456789", #""12345-6789""#)])
        + group(
            "ssn", #""type": "ssn""#,
            [
                ("123-45-6789", #""123456789""#), ("12345678", #""012345678""#), ("666-12-3456", #""666123456""#),
                ("900-00-0000", #""900000000""#), ("123-45-678", "✗ Not a valid SSN"),
            ])
        + group("ssn outputDash", #""type": ["ssn", {"outputDash": true}]"#, [("123 45 6789", #""123-45-6789""#)])
        + group(
            "uuid", #""type": "uuid""#,
            [
                ("{6F1C0E3A-8B2D-4C5E-9F00-1A2B3C4D5E6F}", #""6f1c0e3a-8b2d-4c5e-9f00-1a2b3c4d5e6f""#),
                ("6f1c0e3a8b2d4c5e9f001a2b3c4d5e6f", #""6f1c0e3a-8b2d-4c5e-9f00-1a2b3c4d5e6f""#),
                ("00000000-0000-0000-0000-000000000000", #""00000000-0000-0000-0000-000000000000""#),
                ("6f1c0e3a-8b2d-0c5e-9f00-1a2b3c4d5e6f", "✗ Not a valid UUID"), ("not-a-uuid", "✗ Not a valid UUID"),
            ])
        + group(
            "uuid version", #""type": ["uuid", {"version": 4}]"#,
            [
                ("6f1c0e3a-8b2d-4c5e-9f00-1a2b3c4d5e6f", #""6f1c0e3a-8b2d-4c5e-9f00-1a2b3c4d5e6f""#),
                ("6f1c0e3a-8b2d-1c5e-9f00-1a2b3c4d5e6f", "✗ Not a version 4 UUID"),
            ])

    static let validators: [ValidatorExample] = [
        ValidatorExample(
            section: "required", fields: #"[{"key": "a", "validators": [{"validate": "required"}]}, {"key": "b"}]"#,
            csv: "a,b\nx,1\n ,2\n", expected: ["1 a: Required: this cell is empty"]),
        ValidatorExample(
            section: "unique", fields: #"[{"key": "a", "validators": [{"validate": "unique"}]}, {"key": "b"}]"#,
            csv: "a,b\nx,1\ny,2\nx,3\n,4\n,5\n",
            expected: ["0 a: Duplicate: the same value is on line 4", "2 a: Duplicate: the same value is on line 2"]),
        ValidatorExample(
            section: "unique_case_insensitive", fields: #"[{"key": "a", "validators": [{"validate": "unique_case_insensitive"}]}]"#,
            csv: "a\nBob\nbob\n", expected: ["0 a: Duplicate: the same value is on line 3", "1 a: Duplicate: the same value is on line 2"]),
        ValidatorExample(
            section: "unique_with",
            fields:
                #"[{"key": "first", "validators": [{"validate": "unique_with", "uniqueKey": "name"}]}, {"key": "last", "validators": [{"validate": "unique_with", "uniqueKey": "name"}]}]"#,
            csv: "first,last\nAda,Lovelace\nAda,Byron\nAda,Lovelace\n",
            expected: [
                "0 first: Duplicate: the same first and last are on line 4", "0 last: Duplicate: the same first and last are on line 4",
                "2 first: Duplicate: the same first and last are on line 2", "2 last: Duplicate: the same first and last are on line 2",
            ]),
        ValidatorExample(
            section: "regex_match",
            fields:
                #"[{"key": "a", "validators": [{"validate": "regex_match", "regex": "^[A-Z]{3}$", "regexOptions": {"ignoreCase": true}}]}]"#,
            csv: "a\nabc\nab1\n", expected: ["1 a: Does not match the pattern ^[A-Z]{3}$"]),
        ValidatorExample(
            section: "regex_exclude", fields: #"[{"key": "a", "validators": [{"validate": "regex_exclude", "regex": "test"}]}]"#,
            csv: "a\nprod\ntest-1\n", expected: ["1 a: Must not match the pattern test"]),
        ValidatorExample(
            section: "length", fields: #"[{"key": "a", "validators": [{"validate": "length", "min": 2, "max": 4}]}, {"key": "b"}]"#,
            csv: "a,b\nab,1\na,2\nabcde,3\nü€ab,4\n",
            expected: ["1 a: Too short: at least 2 characters", "2 a: Too long: at most 4 characters"]),
        ValidatorExample(
            section: "alphabetical", fields: #"[{"key": "a", "validators": [{"validate": "alphabetical"}]}]"#,
            csv: "a\nAbc\nab c\nab1\n", expected: ["1 a: Only the letters A to Z are allowed", "2 a: Only the letters A to Z are allowed"]),
        ValidatorExample(
            section: "require_with",
            fields:
                #"[{"key": "phone"}, {"key": "email"}, {"key": "name", "validators": [{"validate": "require_with", "fields": ["phone", "email"]}]}]"#,
            csv: "phone,email,name\n555,,\n,,\n555,a@b.co,Al\n", expected: ["0 name: Required when phone or email is filled"]),
        ValidatorExample(
            section: "require_with_all",
            fields:
                #"[{"key": "phone"}, {"key": "email"}, {"key": "name", "validators": [{"validate": "require_with_all", "fields": ["phone", "email"]}]}]"#,
            csv: "phone,email,name\n555,,\n555,a@b.co,\n", expected: ["1 name: Required when phone and email are filled"]),
        ValidatorExample(
            section: "require_without",
            fields:
                #"[{"key": "phone"}, {"key": "email"}, {"key": "name", "validators": [{"validate": "require_without", "fields": ["phone", "email"]}]}]"#,
            csv: "phone,email,name\n555,,\n555,a@b.co,\n", expected: ["0 name: Required when phone or email is empty"]),
        ValidatorExample(
            section: "require_without_all",
            fields:
                #"[{"key": "phone"}, {"key": "fax"}, {"key": "email", "validators": [{"validate": "require_without_all", "fields": ["phone", "fax"]}]}, {"key": "name"}]"#,
            csv: "phone,fax,email,name\n,,,Al\n555,,,Bo\n", expected: ["0 email: Required when phone and fax are empty"]),
        ValidatorExample(
            section: "require_with_values",
            fields:
                #"[{"key": "status", "type": "select", "selectOptions": [{"label": "Active", "value": "active"}, {"label": "Closed", "value": "closed"}]}, {"key": "vip", "type": "checkbox"}, {"key": "reason", "validators": [{"validate": "require_with_values", "fieldValues": {"status": "closed", "vip": true}}]}]"#,
            csv: "status,vip,reason\nClosed,no,\nactive,yes,\nactive,no,\n",
            expected: [
                "0 reason: Required when status is \"closed\" or vip is true",
                "1 reason: Required when status is \"closed\" or vip is true",
            ]),
        ValidatorExample(
            section: "require_with_all_values",
            fields:
                #"[{"key": "country"}, {"key": "age", "type": "number"}, {"key": "guardian", "validators": [{"validate": "require_with_all_values", "fieldValues": {"country": "US", "age": 17}}]}]"#,
            csv: "country,age,guardian\nUS,17,\nUS,18,\n", expected: ["0 guardian: Required when country is \"US\" and age is 17"]),
        ValidatorExample(
            section: "require_without_values",
            fields:
                #"[{"key": "method"}, {"key": "iban", "validators": [{"validate": "require_without_values", "fieldValues": {"method": "card"}}]}]"#,
            csv: "method,iban\ncard,\nwire,\n", expected: ["1 iban: Required when method is not \"card\""]),
        ValidatorExample(
            section: "require_without_all_values",
            fields:
                #"[{"key": "a"}, {"key": "b"}, {"key": "c", "validators": [{"validate": "require_without_all_values", "fieldValues": {"a": "x", "b": "y"}}]}]"#,
            csv: "a,b,c\nx,z,\nq,z,\n", expected: ["1 c: Required when a is not \"x\" and b is not \"y\""]),
        ValidatorExample(
            section: "errorMessage",
            fields:
                #"[{"key": "a", "validators": [{"validate": "required", "errorMessage": "Give the order number"}, {"validate": "unique", "errorMessage": "Order numbers repeat"}]}, {"key": "b"}]"#,
            csv: "a,b\n,1\n7,2\n7,3\n", expected: ["0 a: Give the order number", "1 a: Order numbers repeat", "2 a: Order numbers repeat"]),
        ValidatorExample(
            section: "level warning",
            fields: #"[{"key": "a", "validators": [{"validate": "length", "max": 3, "level": "warning", "errorMessage": "Long"}]}]"#,
            csv: "a\nabcd\n", expected: ["0 a: Long (warning)"]),
    ]
}
