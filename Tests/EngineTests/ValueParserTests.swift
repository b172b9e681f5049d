import Testing
@testable import Engine

/// Runs `body` on the UTF-8 bytes of `text`, as the CSV reader hands a cell to the parsers.
private func withCell<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
    var text = text
    return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}

/// Every string of 1 to `length` characters over `alphabet` (for checks that a quick answer
/// is the slow one's on every small case).
func allStrings(over alphabet: [String], upTo length: Int) -> [String] {
    var all: [String] = []
    var level = [""]
    for _ in 0..<length {
        level = level.flatMap { prefix in alphabet.map { prefix + $0 } }
        all += level
    }
    return all
}

/// The cell value parsers of `Validation/Values`, one nested suite per kind of value.
struct ValueParserTests {}

private func date(_ y: Int, _ m: Int, _ d: Int) -> CivilDate { CivilDate(year: y, month: m, day: d) }

// MARK: - Numbers

extension ValueParserTests {
    struct Numbers {
        @Test(
            arguments: [
                ("12", "12", false), ("-12", "-12", false), ("+12", "12", false), ("- 12", "-12", false),
                ("1,234.50", "1234.5", false), ("1,234,567", "1234567", false), ("999,999", "999999", false),
                ("$99", "99", false), ("-$99", "-99", false), ("$-99", "-99", false), ("$ 1,000.00", "1000", false),
                ("€5", "5", false), ("5 €", "5", false), ("5€", "5", false), ("£5.25", "5.25", false),
                ("¥1000", "1000", false), ("USD 99", "99", false), ("99 USD", "99", false), ("usd99", "99", false),
                ("5EUR", "5", false), ("99%", "99", true), ("12.5 %", "12.5", true), ("-3%", "-3", true),
                ("(12)", "-12", false), ("( 1,234.5 )", "-1234.5", false), ("($5)", "-5", false),
                ("1e3", "1000", false), ("1E-3", "0.001", false), ("2.5e+2", "250", false), ("1,000e2", "100000", false),
                (".5", "0.5", false), ("5.", "5", false), ("-.5", "-0.5", false), ("007", "7", false),
                ("0.50", "0.5", false), ("0", "0", false), ("-0", "0", false), ("0.000", "0", false), ("0e10", "0", false),
                ("100", "100", false), ("1e20", "100000000000000000000", false), ("1e21", "1e+21", false),
                ("1.5e30", "1.5e+30", false), ("-1.5E30", "-1.5e+30", false),
                ("123456789012345678901", "123456789012345678901", false),
                ("1234567890123456789012", "1.234567890123456789012e+21", false),
                ("0.000001", "0.000001", false), ("0.0000001", "1e-7", false), ("1.5e-10", "1.5e-10", false),
                ("12345678901234567890.123", "12345678901234567890.123", false),
                ("0.1", "0.1", false), ("3.14159265358979323846", "3.14159265358979323846", false),
            ] as [(String, String, Bool)])
        func acceptsNumberAsCanonicalJSON(input: String, json: String, isPercent: Bool) throws {
            let parsed = try #require(withCell(input) { NumberValue.parse($0) })
            #expect(parsed.json == json)
            #expect(parsed.isPercent == isPercent)
            #expect(parsed.value == Double(json))
            // The byte-buffer variant appends the same text after what is already there.
            var out: [UInt8] = Array("[".utf8)
            let facts = withCell(input) { NumberValue.appendJSONWithFacts($0, to: &out) }
            #expect(String(decoding: out, as: UTF8.self) == "[" + json)
            #expect(facts == NumberFacts(value: parsed.value, isPercent: isPercent))
        }

        @Test(arguments: [
            "", " ", "1,23", "1234,567", ",123", "1,,234", "1,234,56", "12abc", "--1", "+-1", "-+1", "1.2.3",
            "NaN", "nan", "Infinity", "-Infinity", "inf", "1e", "1e+", "e5", ".", "-", "$", "%", "abc",
            "1e400", "-1e999", "1e1000000", "(-12)", "(12", "12)", "$5%", "5 5", "1,234.5,6", "0x1F", "1_000",
            "12-", "1.5.", "USDX 5", "$$5", "5 EURO", "1 234,5", "12,", "1.234,56", "5%%", "()",
        ])
        func rejectsWhatIsNotANumber(input: String) {
            #expect(withCell(input) { NumberValue.parse($0) } == nil)
            var out: [UInt8] = [0x41]
            #expect(withCell(input) { NumberValue.appendJSON($0, to: &out) } == false)
            #expect(out == [0x41])
        }

        /// The copy of a number already in canonical form (`NumberValue.isCanonical`) must be what
        /// the scan writes: every string of up to 7 characters over `0 1 9 - .`, and long ones
        /// around 15 digits and 6 fraction zeros, give the same text (or none) both ways.
        @Test func aNumberCopiedAsWrittenIsTheScansText() {
            func both(_ input: String) -> (copied: String?, scanned: String?) {
                var copied: [UInt8] = [], scanned: [UInt8] = []
                let a = withCell(input) { NumberValue.appendJSONWithFacts($0, needsValue: false, to: &copied) }
                let b = withCell(input) { NumberValue.appendJSONWithFacts($0, needsValue: true, to: &scanned) }
                return (a.map { _ in String(decoding: copied, as: UTF8.self) }, b.map { _ in String(decoding: scanned, as: UTF8.self) })
            }
            var inputs = allStrings(over: ["0", "1", "9", "-", "."], upTo: 7)
            inputs += [
                "123456789012345", "1234567890123456", "-123456789012345", "12345678.1234567", "1234567.1234567",
                "0.00000123", "0.0000012", "0.000001", "0.0000001", "-0.000001", "100000000000000", "0.12345678901234",
                "0.123456789012345", "99999999999999.9",
            ]
            var different: [String] = []
            for input in inputs {
                let (copied, scanned) = both(input)
                if copied != scanned { different.append("\(input): \(copied ?? "nil") vs \(scanned ?? "nil")") }
            }
            let count = different.count
            #expect(count == 0, "\(different.prefix(20))")
            #expect(inputs.count > 90_000)
        }

        @Test func valueIsTheNearestDoubleForLongDigitStrings() throws {
            let parsed = try #require(withCell("12345678901234567890.123") { NumberValue.parse($0) })
            #expect(parsed.value == 12345678901234567890.123)
            let tiny = try #require(withCell("1e-400") { NumberValue.parse($0) })
            #expect(tiny.json == "1e-400")
            #expect(tiny.value == 0)
        }
    }
}

// MARK: - Dates

extension ValueParserTests {
    struct Dates {
        /// A cell copied as an ISO date (`DateValue.isISODate`) must be one the parser reads, in
        /// either order, and the ISO pattern writes back unchanged: every `yyyy-MM-dd` with the
        /// month 00–13 and the day 00–32, years around each century's leap rule and from 0999 on.
        @Test func aDateCopiedAsWrittenIsTheParsersDate() {
            var different: [String] = []
            var copied = 0
            for year in [999, 1000, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 2400, 9999] {
                for month in 0...13 {
                    for day in 0...32 {
                        func pad(_ n: Int, _ width: Int) -> String {
                            String(repeating: "0", count: max(0, width - String(n).count)) + String(n)
                        }
                        let text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
                        let fast = withCell(text) { DateValue.isISODate($0) }
                        if fast { copied += 1 }
                        for order in [DateOrder.monthFirst, .dayFirst] {
                            let written = withCell(text) { DateValue.parse($0, order: order) }.map {
                                DateFormatPattern.isoDate.format(date: $0, time: nil, utcOffsetSeconds: nil)
                            }
                            // Copied: the parser must read it and write the same text. Not copied: fine either way.
                            if fast && written != text { different.append("\(text) \(order): \(written ?? "nil")") }
                            if !fast && written == text && year >= 1000 { different.append("\(text) not copied") }
                        }
                    }
                }
            }
            let count = different.count
            #expect(count == 0, "\(different.prefix(20))")
            #expect(copied > 4000)
        }

        @Test(
            arguments: [
                ("2024-02-29", DateOrder.monthFirst, date(2024, 2, 29)),
                ("2024/2/9", .monthFirst, date(2024, 2, 9)),
                ("2024.02.09", .dayFirst, date(2024, 2, 9)),
                ("2024-Feb-09", .monthFirst, date(2024, 2, 9)),
                ("20240229", .monthFirst, date(2024, 2, 29)),
                ("19991231", .dayFirst, date(1999, 12, 31)),
                ("2/9/2024", .monthFirst, date(2024, 2, 9)),
                ("2/9/2024", .dayFirst, date(2024, 9, 2)),
                ("09-02-2024", .monthFirst, date(2024, 9, 2)),
                ("09-02-2024", .dayFirst, date(2024, 2, 9)),
                ("9.2.2024", .dayFirst, date(2024, 2, 9)),
                ("2/9/24", .monthFirst, date(2024, 2, 9)),
                ("2/9/68", .monthFirst, date(2068, 2, 9)),
                ("2/9/69", .monthFirst, date(1969, 2, 9)),
                ("12/31/99", .monthFirst, date(1999, 12, 31)),
                ("13/2/2024", .dayFirst, date(2024, 2, 13)),
                ("Feb 9, 2024", .dayFirst, date(2024, 2, 9)),
                ("feb 9 2024", .monthFirst, date(2024, 2, 9)),
                ("February 9 2024", .monthFirst, date(2024, 2, 9)),
                ("February 9th, 2024", .monthFirst, date(2024, 2, 9)),
                ("Sept 30, 2024", .monthFirst, date(2024, 9, 30)),
                ("Sep. 1, 2024", .monthFirst, date(2024, 9, 1)),
                ("Feb-09-2024", .monthFirst, date(2024, 2, 9)),
                ("9 Feb 2024", .monthFirst, date(2024, 2, 9)),
                ("1st March, 2023", .monthFirst, date(2023, 3, 1)),
                ("9-Feb-2024", .monthFirst, date(2024, 2, 9)),
                ("09-feb-24", .monthFirst, date(2024, 2, 9)),
                ("Fri, 9 Feb 2024", .monthFirst, date(2024, 2, 9)),
                ("Friday, February 9, 2024", .monthFirst, date(2024, 2, 9)),
                ("Thurs, Feb 8, 2024", .monthFirst, date(2024, 2, 8)),
                ("2024-02-29T13:45:00Z", .monthFirst, date(2024, 2, 29)),
                ("2024-02-29 13:45", .monthFirst, date(2024, 2, 29)),
                ("2/9/2024 1:45 PM", .monthFirst, date(2024, 2, 9)),
                ("2000-02-29", .monthFirst, date(2000, 2, 29)),
                // Mixed formats in one column (Dromo reads them): a value that reads only one way is
                // read that way whatever the column's order; one that reads two ways follows it.
                ("27/03/2024", .monthFirst, date(2024, 3, 27)), ("13/2/2024", .monthFirst, date(2024, 2, 13)),
                ("03/27/2024", .dayFirst, date(2024, 3, 27)), ("03/04/2024", .dayFirst, date(2024, 4, 3)),
                ("03/04/2024", .monthFirst, date(2024, 3, 4)), ("27/03/2024 10:15", .monthFirst, date(2024, 3, 27)),
            ] as [(String, DateOrder, CivilDate)])
        func acceptsDate(input: String, order: DateOrder, expected: CivilDate) {
            #expect(withCell(input) { DateValue.parse($0, order: order) } == expected)
        }

        @Test(arguments: [
            "", "2024", "2024-02", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-02-30",
            "02/30/2024", "32/2/2024", "0/1/2024", "1/0/2024", "1.2.3", "2024-2-9x", "Feb 2024", "Foo 9, 2024",
            "2024/02-09", "12345", "30240229", "2/9/2024 25:00", "9 Feb", "2024-02-29T", "Feb 9, 24",
            "2024-002-09", "31 Apr 2024", "2/9/202", "Feb 30, 2024", "Mon", "2024-02-29 13:45 EST",
        ])
        func rejectsWhatIsNotARealDate(input: String) {
            #expect(withCell(input) { DateValue.parse($0, order: .monthFirst) } == nil)
        }

        @Test(
            arguments: [
                ("13/02/2024", DateOrder?.some(.dayFirst)),
                ("02/13/2024", .monthFirst),
                ("31.12.2023", .dayFirst),
                ("12/31/23 10:00", .monthFirst),
                ("02/03/2024", nil),
                ("2024-02-13", nil),
                ("13/13/2024", nil),
                ("Feb 13, 2024", nil),
                ("13/02/2024x", nil),
                ("32/01/2024", nil),
            ] as [(String, DateOrder?)])
        func tellsDayMonthOrderOnlyWhenANumberExceedsTwelve(input: String, expected: DateOrder?) {
            #expect(withCell(input) { DateValue.orderEvidence($0) } == expected)
        }
    }
}

// MARK: - Times

extension ValueParserTests {
    struct Times {
        @Test(
            arguments: [
                ("13:45", CivilTime(hour: 13, minute: 45)),
                ("13:45:30", CivilTime(hour: 13, minute: 45, second: 30)),
                ("13:45:30.250", CivilTime(hour: 13, minute: 45, second: 30, nanosecond: 250_000_000)),
                ("13:45:30,5", CivilTime(hour: 13, minute: 45, second: 30, nanosecond: 500_000_000)),
                ("23:59:59.9999999999", CivilTime(hour: 23, minute: 59, second: 59, nanosecond: 999_999_999)),
                ("00:00", CivilTime(hour: 0, minute: 0)),
                ("7:05", CivilTime(hour: 7, minute: 5)),
                ("1:45 PM", CivilTime(hour: 13, minute: 45)),
                ("1:45pm", CivilTime(hour: 13, minute: 45)),
                ("1:45 p.m.", CivilTime(hour: 13, minute: 45)),
                ("1 PM", CivilTime(hour: 13, minute: 0)),
                ("7AM", CivilTime(hour: 7, minute: 0)),
                ("12:00 AM", CivilTime(hour: 0, minute: 0)),
                ("12:30 PM", CivilTime(hour: 12, minute: 30)),
                ("11:59:59 pm", CivilTime(hour: 23, minute: 59, second: 59)),
                ("9:05 am", CivilTime(hour: 9, minute: 5)),
            ] as [(String, CivilTime)])
        func acceptsTime(input: String, expected: CivilTime) {
            #expect(withCell(input) { TimeValue.parse($0) } == expected)
        }

        @Test(arguments: [
            "", "ab", "24:00", "24:01", "13:60", "13:45:60", "13:5", "13", "0:30 AM", "13:00 PM", "1:45 XM",
            "13:45:30Z", "13:45 +02:00", "1:45 PMx", "123:45", "-1:00", "13:45:", "13:45:30.", "1:45 P M",
        ])
        func rejectsWhatIsNotATime(input: String) {
            #expect(withCell(input) { TimeValue.parse($0) } == nil)
        }

        /// A time field takes the time of a date-time, as a date field takes its date.
        @Test func takesTheTimeOfADateTimeInUTC() {
            #expect(
                withCell("2021-01-01T18:00:00") { TimeValue.parse(ofDateTime: $0, order: .monthFirst) } == CivilTime(hour: 18, minute: 0))
            #expect(withCell("2/9/2024 1:45 PM") { TimeValue.parse(ofDateTime: $0, order: .monthFirst) } == CivilTime(hour: 13, minute: 45))
            #expect(
                withCell("2021-01-01T18:00:00Z") { TimeValue.parse(ofDateTime: $0, order: .monthFirst) } == CivilTime(hour: 18, minute: 0))
            #expect(
                withCell("2021-01-01T01:30+02:00") { TimeValue.parse(ofDateTime: $0, order: .monthFirst) }
                    == CivilTime(hour: 23, minute: 30))
            for input in ["2021-01-01", "18:00", "2021-01-01T25:00"] {
                #expect(withCell(input) { TimeValue.parse(ofDateTime: $0, order: .monthFirst) } == nil, "\(input)")
            }
        }
    }
}

// MARK: - Date-times

extension ValueParserTests {
    struct DateTimes {
        @Test(
            arguments: [
                (
                    "2024-02-29T13:45:30Z", DateOrder.monthFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: CivilTime(hour: 13, minute: 45, second: 30), utcOffsetSeconds: 0)
                ),
                (
                    "2024-02-29T13:45:30.250+01:00", .monthFirst,
                    ParsedDateTime(
                        date: date(2024, 2, 29), time: CivilTime(hour: 13, minute: 45, second: 30, nanosecond: 250_000_000),
                        utcOffsetSeconds: 3600)
                ),
                (
                    "2024-02-29 13:45", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: CivilTime(hour: 13, minute: 45), utcOffsetSeconds: nil)
                ),
                (
                    "2024-02-29t13:45:30-0530", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: CivilTime(hour: 13, minute: 45, second: 30), utcOffsetSeconds: -19800)
                ),
                (
                    "2024-02-29T13:45+02", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: CivilTime(hour: 13, minute: 45), utcOffsetSeconds: 7200)
                ),
                (
                    "2024-02-29", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: .midnight, utcOffsetSeconds: nil)
                ),
                (
                    "2/9/2024 1:45 PM", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 9), time: CivilTime(hour: 13, minute: 45), utcOffsetSeconds: nil)
                ),
                (
                    "Feb 9, 2024, 1:45 pm", .dayFirst,
                    ParsedDateTime(date: date(2024, 2, 9), time: CivilTime(hour: 13, minute: 45), utcOffsetSeconds: nil)
                ),
                (
                    "Fri, 09 Feb 2024 13:45:30 +0000", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 9), time: CivilTime(hour: 13, minute: 45, second: 30), utcOffsetSeconds: 0)
                ),
                (
                    "Fri, 09 Feb 2024 13:45:30 GMT", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 9), time: CivilTime(hour: 13, minute: 45, second: 30), utcOffsetSeconds: 0)
                ),
                (
                    "2024-02-29 1:45 PM UTC", .monthFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: CivilTime(hour: 13, minute: 45), utcOffsetSeconds: 0)
                ),
                (
                    "9.2.2024 13:45", .dayFirst,
                    ParsedDateTime(date: date(2024, 2, 9), time: CivilTime(hour: 13, minute: 45), utcOffsetSeconds: nil)
                ),
                (
                    "20240229 08:00:00", .dayFirst,
                    ParsedDateTime(date: date(2024, 2, 29), time: CivilTime(hour: 8, minute: 0), utcOffsetSeconds: nil)
                ),
            ] as [(String, DateOrder, ParsedDateTime)])
        func acceptsDateTime(input: String, order: DateOrder, expected: ParsedDateTime) {
            #expect(withCell(input) { DateTimeValue.parse($0, order: order) } == expected)
        }

        @Test(arguments: [
            "2024-02-29T", "2024-02-29T25:00", "2024-02-29 13:45 +25:00", "2024-02-29 13:45 EST", "13:45",
            "2024-02-29T13:45Zx", "2024-02-30T10:00", "2024-02-29 13:45 +02:000", "2024-02-2913:45",
            "2024-02-29 13:45 +", "2024-02-29,13:45 Z Z",
        ])
        func rejectsWhatIsNotADateTime(input: String) {
            #expect(withCell(input) { DateTimeValue.parse($0, order: .monthFirst) } == nil)
        }
    }
}

// MARK: - Output formats

extension ValueParserTests {
    struct OutputFormats {
        static let friday = date(2024, 2, 9)
        static let afternoon = CivilTime(hour: 13, minute: 7, second: 4, nanosecond: 54_000_000)

        @Test(
            arguments: [
                ("yyyy-MM-dd", "2024-02-09"), ("MM/dd/yyyy", "02/09/2024"), ("M/d/yy", "2/9/24"),
                ("dd.MM.yyyy", "09.02.2024"), ("MMM d, yyyy", "Feb 9, 2024"), ("MMMM d, y", "February 9, 2024"),
                ("EEE, d MMM yyyy", "Fri, 9 Feb 2024"), ("EEEE", "Friday"), ("EEEEE", "F"), ("E", "5"), ("ccc", "Fri"),
                ("LLLLL", "F"), ("LL", "02"), ("HH:mm:ss", "13:07:04"), ("h:mm a", "1:07 PM"), ("hh:mm:ss a", "01:07:04 PM"),
                ("SSS", "054"), ("S", "54"), ("u", "054"), ("yyyy-MM-dd'T'HH:mm:ss", "2024-02-09T13:07:04"),
                ("HH 'hours and' mm 'minutes'", "13 hours and 07 minutes"), ("yyyy 'at", "2024 at"),
                ("dd/MM/yyyy — HH:mm", "09/02/2024 — 13:07"), ("X", "1707484024"), ("x", "1707484024054"),
                ("D", "2/9/2024"), ("DD", "Feb 9, 2024"), ("DDD", "February 9, 2024"), ("DDDD", "Friday, February 9, 2024"),
                ("t", "1:07 PM"), ("tt", "1:07:04 PM"), ("T", "13:07"), ("TT", "13:07:04"), ("f", "2/9/2024, 1:07 PM"),
                ("ff", "Feb 9, 2024, 1:07 PM"), ("F", "2/9/2024, 1:07:04 PM"), ("FF", "Feb 9, 2024, 1:07:04 PM"),
                ("o", "40"), ("ooo", "040"), ("q", "1"), ("qq", "01"), ("W", "6"), ("WW", "06"), ("kkkk", "2024"), ("kk", "24"),
                ("G", "AD"), ("GG", "Anno Domini"), ("GGGGG", "A"), ("yyyyyy", "002024"), ("ZZ", ""),
                ("[ISO]", "2024-02-09T13:07:04.054"),
            ] as [(String, String)])
        func formatsLuxonTokens(pattern: String, expected: String) throws {
            let format = try DateFormatPattern(pattern)
            #expect(format.format(date: Self.friday, time: Self.afternoon, utcOffsetSeconds: nil) == expected)
            var out: [UInt8] = Array(">".utf8)
            format.append(date: Self.friday, time: Self.afternoon, utcOffsetSeconds: nil, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == ">" + expected)
        }

        @Test(
            arguments: [
                ("ZZ", 3600, "+01:00"), ("ZZZ", 3600, "+0100"), ("Z", 3600, "+1"), ("Z", 19800, "+5:30"),
                ("ZZ", -18000, "-05:00"), ("ZZ", 0, "+00:00"), ("ZZZ", -34200, "-0930"), ("X", 3600, "1707480424"),
                ("HH:mmZZ", -3600, "13:07-01:00"),
            ] as [(String, Int, String)])
        func formatsOffsets(pattern: String, offset: Int, expected: String) throws {
            let format = try DateFormatPattern(pattern)
            #expect(format.format(date: Self.friday, time: Self.afternoon, utcOffsetSeconds: offset) == expected)
        }

        @Test(
            arguments: [
                (date(2024, 2, 9), CivilTime(hour: 0, minute: 5), "hh:mm a", "12:05 AM"),
                (date(2024, 2, 9), CivilTime(hour: 12, minute: 0), "h a", "12 PM"),
                (date(2024, 2, 9), CivilTime(hour: 9, minute: 5, second: 3), "H:m:s", "9:5:3"),
                (date(987, 6, 5), .midnight, "yyyy y yy", "0987 987 87"),
                (date(2005, 1, 1), .midnight, "yy", "05"),
                (date(2021, 1, 1), .midnight, "kkkk-'W'WW-c", "2020-W53-5"),
                (date(2024, 12, 30), .midnight, "kkkk-'W'WW", "2025-W01"),
                (date(2024, 12, 31), .midnight, "o q", "366 4"),
                (date(1969, 12, 31), CivilTime(hour: 23, minute: 59, second: 59), "X", "-1"),
                (date(1970, 1, 1), .midnight, "x", "0"),
            ] as [(CivilDate, CivilTime, String, String)])
        func formatsCalendarEdges(date: CivilDate, time: CivilTime, pattern: String, expected: String) throws {
            #expect(try DateFormatPattern(pattern).format(date: date, time: time, utcOffsetSeconds: nil) == expected)
        }

        @Test func missingPartsPrintMidnightOrNothing() throws {
            let both = try DateFormatPattern("yyyy-MM-dd HH:mm")
            #expect(both.format(date: Self.friday, time: nil, utcOffsetSeconds: nil) == "2024-02-09 00:00")
            #expect(both.format(date: nil, time: Self.afternoon, utcOffsetSeconds: nil) == "-- 13:07")
            #expect(both.usesDate && both.usesTime)
            let timeOnly = try DateFormatPattern("h:mm a")
            #expect(timeOnly.usesTime && !timeOnly.usesDate)
            let dateOnly = try DateFormatPattern("DD")
            #expect(dateOnly.usesDate && !dateOnly.usesTime)
        }

        @Test(
            arguments: [
                (DateFormatPattern.isoDate, CivilTime?.none, Int?.none, "2024-02-09"),
                (.isoDateTime, CivilTime(hour: 13, minute: 7, second: 4), nil, "2024-02-09T13:07:04"),
                (.isoDateTime, CivilTime(hour: 13, minute: 7, second: 4, nanosecond: 250_000_000), 0, "2024-02-09T13:07:04.250"),
                (
                    .isoDateTime, CivilTime(hour: 13, minute: 7, second: 4, nanosecond: 123_456_000), 19800,
                    "2024-02-09T07:37:04.123456"
                ),
                (.isoDateTime, CivilTime(hour: 13, minute: 7, second: 4, nanosecond: 1), -3600, "2024-02-09T14:07:04.000000001"),
                (.isoDateTime, nil, nil, "2024-02-09T00:00:00"),
                (.isoTime, CivilTime(hour: 13, minute: 7, second: 4, nanosecond: 5), nil, "13:07:04"),
                (.isoDateTimeMinutes, CivilTime(hour: 13, minute: 7, second: 4), 3600, "2024-02-09T12:07"),
                (.isoDateTimeMinutes, CivilTime(hour: 0, minute: 30), 3600, "2024-02-08T23:30"),
                (.isoTimeMinutes, CivilTime(hour: 13, minute: 7, second: 4), nil, "13:07"),
            ] as [(DateFormatPattern, CivilTime?, Int?, String)])
        func defaultsAreISO8601(format: DateFormatPattern, time: CivilTime?, offset: Int?, expected: String) {
            let day: CivilDate? = format == .isoTime || format == .isoTimeMinutes ? nil : Self.friday
            #expect(format.format(date: day, time: time, utcOffsetSeconds: offset) == expected)
        }

        @Test func dromoISOFollowsWhatIsGiven() throws {
            let iso = try DateFormatPattern("[ISO]")
            #expect(iso.format(date: Self.friday, time: nil, utcOffsetSeconds: nil) == "2024-02-09")
            #expect(iso.format(date: nil, time: Self.afternoon, utcOffsetSeconds: nil) == "13:07:04")
            #expect(iso.format(date: Self.friday, time: .midnight, utcOffsetSeconds: 0) == "2024-02-09T00:00:00Z")
        }

        @Test(
            arguments: [
                (
                    "YYYY-MM-DD", DateFormatPattern.FormatError.Code.unknownToken,
                    "unknown token 'YYYY' in \"YYYY-MM-DD\" (did you mean 'yyyy'?)"
                ),
                ("hh:mm A", .unknownToken, "unknown token 'A' in \"hh:mm A\" (did you mean 'a'?)"),
                ("dddd", .unknownToken, "unknown token 'dddd' in \"dddd\" (did you mean 'EEEE'?)"),
                ("yyyyy", .unknownToken, "unknown token 'yyyyy' in \"yyyyy\""),
                ("HH:mm:ss.SS", .unknownToken, "unknown token 'SS' in \"HH:mm:ss.SS\" (did you mean 'SSS'?)"),
                ("yyyy-MM-dd bbb", .unknownToken, "unknown token 'bbb' in \"yyyy-MM-dd bbb\""),
                ("", .empty, "empty format"),
                ("yyyy-MM-dd z", .unsupportedToken, "token 'z' in \"yyyy-MM-dd z\" is not supported"),
                ("HH:mm ZZZZ", .unsupportedToken, "token 'ZZZZ' in \"HH:mm ZZZZ\" is not supported"),
                ("fff", .unsupportedToken, "token 'fff' in \"fff\" is not supported"),
            ] as [(String, DateFormatPattern.FormatError.Code, String)])
        func refusesUnknownTokensNamingThem(pattern: String, code: DateFormatPattern.FormatError.Code, messageStart: String) {
            #expect {
                _ = try DateFormatPattern(pattern)
            } throws: { error in
                guard let error = error as? DateFormatPattern.FormatError else { return false }
                return error.code == code && error.message.hasPrefix(messageStart)
            }
        }
    }
}

// MARK: - Select options

extension ValueParserTests {
    struct SelectOptions {
        /// Options whose length, first, middle and last bytes agree (`axcb`, `aycb`) share a place
        /// in the table and are told apart by their bytes; case, inner and outer spacing, and
        /// non-ASCII case are folded; an exact lookup folds nothing.
        @Test func aCellFindsItsOptionHoweverItIsCased() {
            let options =
                [
                    SelectOption(label: "axcb", value: "1"), SelectOption(label: "aycb", value: "2"),
                    SelectOption(label: "New York", value: "NY"), SelectOption(label: "Ñandú", value: "rhea"),
                    SelectOption(label: "Yes", value: "Y", exactMatchOnly: true),
                ] + (0..<40).map { SelectOption(label: "option \($0)", value: "o\($0)") }
            let lookup = SelectLookup(options, exact: false)
            func value(_ cell: String, _ lookup: SelectLookup) -> String? {
                var text = cell
                var out: [UInt8] = []
                let found = text.withUTF8 { lookup.appendValue(UnsafeRawBufferPointer($0), to: &out) }
                return found ? String(decoding: out, as: UTF8.self) : nil
            }
            for (cell, json) in [
                ("axcb", "\"1\""), ("AYCB", "\"2\""), ("azcb", nil), ("new york", "\"NY\""), ("NEW  YORK", "\"NY\""),
                ("  New York ", "\"NY\""), ("ñandú", "\"rhea\""), ("ÑANDÚ", "\"rhea\""), ("Yes", "\"Y\""), ("yes", nil),
                ("Option 39", "\"o39\""), ("option 40", nil), ("", nil),
            ] as [(String, String?)] {
                #expect(value(cell, lookup) == json, "\(cell)")
            }
            let exact = SelectLookup(options, exact: true)
            #expect(value("New York", exact) == "\"NY\"")
            #expect(value("new york", exact) == nil)
            #expect(value("aycb", exact) == "\"2\"")
        }
    }
}

// MARK: - Email and checkbox

extension ValueParserTests {
    struct EmailsAndCheckboxes {
        @Test(arguments: [
            "a@b.co", "john.doe@example.com", "john+tag@sub.example.co.uk", "o'brien@example.ie",
            "x_y-z@ex-ample.com", "jörg@müller.de", "用户@例子.广告", "user@xn--80ak6aa92e.xn--p1ai",
            "1234@123.com", "first.last!#$%&*/=?^`{|}~@example.org", "UPPER@EXAMPLE.COM",
        ])
        func acceptsEmail(input: String) {
            #expect(withCell(input) { EmailValue.isValid($0) })
        }

        @Test(arguments: [
            "", "plain", "@example.com", "a@", "a@b", "a@b.c", "a@b.c1", ".a@b.co", "a.@b.co", "a..b@c.co",
            "a@@b.co", "a@b@c.co", "a b@c.co", "a@-b.co", "a@b-.co", "a@b..co", "a@.b.co", "a@b.co.",
            "a@[1.2.3.4]", "\"quoted\"@b.co", "a@b.123", "a@b_c.com", "a(b)@c.com",
            String(repeating: "a", count: 65) + "@example.com",
            "a@" + String(repeating: "b", count: 64) + ".com",
            "a@" + String(repeating: "abcdefghi.", count: 25) + "com",
        ])
        func rejectsWhatIsNotAnEmail(input: String) {
            #expect(!withCell(input) { EmailValue.isValid($0) })
        }

        @Test(
            arguments: [
                ("", false), ("0", false), ("off", false), ("OFF", false), ("n", false), ("N", false), ("no", false),
                ("No", false), ("false", false), ("FALSE", false), ("disabled", false), ("Disabled", false),
                ("1", true), ("yes", true), ("true", true), ("on", true), ("x", true), ("✓", true), ("enabled", true),
                ("00", true), ("nope", true), ("f", true), ("0.0", true), ("falsey", true),
            ] as [(String, Bool)])
        func readsCheckboxAsDromoDoes(input: String, expected: Bool) {
            #expect(withCell(input) { CheckboxValue.parse($0) } == expected)
        }
    }
}
