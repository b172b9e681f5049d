/// English month and weekday names: read from cells (`Feb`, `february`, `Sept.`) and written
/// by output patterns (`MMM`, `EEEE`), as Luxon does for the `en-US` locale Dromo defaults to.
enum EnglishCalendarNames {
    static let months: [String] = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]
    static let weekdays: [String] = [  // ISO order: Monday is 1
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    ]

    private static let monthBytes: [[UInt8]] = months.map { Array($0.utf8) }
    private static let weekdayBytes: [[UInt8]] = weekdays.map { Array($0.utf8) }

    /// Appends the name of `month` (1–12): 1 letter, 3 letters (`Feb`) or the full name.
    static func appendMonth(_ month: Int, length: Int, to out: inout some ByteSink) {
        let name = monthBytes[month - 1]
        out.append(contentsOf: length >= name.count ? name[...] : name[..<length])
    }

    /// Appends the name of ISO `weekday` (1–7): 1 letter, 3 letters (`Fri`) or the full name.
    static func appendWeekday(_ weekday: Int, length: Int, to out: inout some ByteSink) {
        let name = weekdayBytes[weekday - 1]
        out.append(contentsOf: length >= name.count ? name[...] : name[..<length])
    }

    /// The month (1–12) named by the letters in `range`: the full name or its first three
    /// letters, any case, and `Sept`.
    static func month(in cursor: ByteCursor, _ range: Range<Int>) -> Int? {
        guard range.count >= 3, let m = match(cursor, range, monthBytes) else {
            return nil
        }
        return m
    }

    /// The ISO weekday (1–7) named by the letters in `range`: full name, first three letters,
    /// `Tues`, `Thur`, `Thurs`, any case.
    static func weekday(in cursor: ByteCursor, _ range: Range<Int>) -> Int? {
        guard range.count >= 3 else { return nil }
        if let d = match(cursor, range, weekdayBytes) { return d }
        if cursor.matches(range, "tues") { return 2 }
        if cursor.matches(range, "thur") || cursor.matches(range, "thurs") { return 4 }
        return nil
    }

    /// Index + 1 of the name that `range` spells in full or as its three-letter abbreviation.
    private static func match(_ cursor: ByteCursor, _ range: Range<Int>, _ names: [[UInt8]]) -> Int? {
        let b = cursor.bytes
        let c0 = ByteCursor.lower(b[range.lowerBound])
        let c1 = ByteCursor.lower(b[range.lowerBound + 1])
        let c2 = ByteCursor.lower(b[range.lowerBound + 2])
        for (i, name) in names.enumerated() {
            guard name[0] | 0x20 == c0, name[1] == c1, name[2] == c2 else { continue }
            if range.count == 3 { return i + 1 }
            if range.count == 4 && names.count == 12 && i == 8 && ByteCursor.lower(b[range.lowerBound + 3]) == 0x74 {
                return 9  // "Sept"
            }
            guard range.count == name.count else { return nil }
            var j = 3
            while j < name.count {
                if ByteCursor.lower(b[range.lowerBound + j]) != name[j] { return nil }
                j += 1
            }
            return i + 1
        }
        return nil
    }
}
