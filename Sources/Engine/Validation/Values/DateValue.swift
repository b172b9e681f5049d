/// Reads a date cell, on bytes. Accepted forms:
///
/// - year first: `2024-02-29`, `2024/2/9`, `2024.02.09`, `2024-Feb-09`, and `20240229`
///   (eight digits starting with 19 or 20);
/// - day and month in either order, settled by `DateOrder`: `2/9/2024`, `09-02-2024`,
///   `9.2.2024`, `2/9/24`;
/// - with a month name (English, full or three letters, any case): `Feb 9, 2024`,
///   `February 9th 2024`, `9 Feb 2024`, `9-Feb-2024`, `9-Feb-24`, optionally after a weekday
///   (`Fri, 9 Feb 2024`; the weekday is not checked against the date);
/// - any of these followed by a time (`2024-02-29T13:45:00Z`), whose date is taken.
///
/// Two-digit years are read as strptime's `%y` does: 00–68 are 20xx, 69–99 are 19xx. Only real
/// calendar days are accepted (no 2023-02-29, no month 13).
public enum DateValue {
    /// The date in `bytes` (UTF-8, trimmed), or nil when it is not one.
    public static func parse(_ bytes: UnsafeRawBufferPointer, order: DateOrder) -> CivilDate? {
        guard let fields = Fields(bytes), let date = fields.date(order) else { return nil }
        if fields.end == bytes.count { return date }
        guard DateTimeValue.parseTimePart(bytes, from: fields.end) != nil else { return nil }
        return date
    }

    /// A real day written `yyyy-MM-dd`, the year from 1000 on: what `parse` reads in any order
    /// and the ISO pattern writes back unchanged (most date cells of machine-made files).
    @inline(__always)
    static func isISODate(_ b: UnsafeRawBufferPointer) -> Bool {
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[0] != 0x30 else { return false }
        var year = 0, month = 0, day = 0
        for i in 0..<4 {
            let d = b[i] &- 0x30
            guard d < 10 else { return false }
            year = year * 10 + Int(d)
        }
        for i in 5..<7 {
            let d = b[i] &- 0x30
            guard d < 10 else { return false }
            month = month * 10 + Int(d)
        }
        for i in 8..<10 {
            let d = b[i] &- 0x30
            guard d < 10 else { return false }
            day = day * 10 + Int(d)
        }
        return CivilDate(year: year, month: month, day: day).isValid
    }

    /// What the value says about day/month order: `.dayFirst` when its first number can only
    /// be a day (> 12), `.monthFirst` when its second can only be (> 12); nil when it cannot
    /// tell or is not of the `a/b/y` form.
    public static func orderEvidence(_ bytes: UnsafeRawBufferPointer) -> DateOrder? {
        guard let fields = Fields(bytes), fields.ambiguous else { return nil }
        if fields.end != bytes.count && DateTimeValue.parseTimePart(bytes, from: fields.end) == nil {
            return nil
        }
        let a = fields.first, b = fields.second
        if a > 12 && b >= 1 && b <= 12 && a <= 31 { return .dayFirst }
        if b > 12 && a >= 1 && a <= 12 && b <= 31 { return .monthFirst }
        return nil
    }

    /// The numbers of a date before the day/month order is applied, and where the date ends.
    struct Fields {
        var year = 0
        /// Month and day, or for an ambiguous `a/b/y` date the two numbers as written.
        var first = 0
        var second = 0
        var ambiguous = false
        var end = 0

        /// The date in the column's order; a value that can be read only one way (`27/03/2024` in
        /// a month-first column: 27 can only be a day) is read that way, as Dromo reads mixed
        /// formats. A value that reads two ways (`03/04/2024`) always follows `order`.
        func date(_ order: DateOrder) -> CivilDate? {
            var order = order
            if ambiguous && first > 12 && second >= 1 && second <= 12 { order = .dayFirst }
            if ambiguous && second > 12 && first >= 1 && first <= 12 { order = .monthFirst }
            let date =
                ambiguous && order == .dayFirst
                ? CivilDate(year: year, month: second, day: first)
                : CivilDate(year: year, month: first, day: second)
            return date.isValid ? date : nil
        }

        init?(_ bytes: UnsafeRawBufferPointer) {
            var c = ByteCursor(bytes)
            if ByteCursor.isLetter(c.current) {
                let start = c.index
                let word = c.letters()
                if EnglishCalendarNames.weekday(in: c, word) != nil {
                    _ = c.consume(UInt8(ascii: "."))
                    let comma = c.consume(UInt8(ascii: ","))
                    guard c.skipSpaces() > 0 || comma else { return nil }
                } else {
                    c.index = start
                }
            }
            if ByteCursor.isLetter(c.current) {
                guard readMonthFirstWords(&c) else { return nil }
            } else if ByteCursor.isDigit(c.current) {
                guard readNumeric(&c) else { return nil }
            } else {
                return nil
            }
            end = c.index
        }

        /// `Feb 9, 2024`, `February 9th 2024`, `Feb-09-2024`.
        private mutating func readMonthFirstWords(_ c: inout ByteCursor) -> Bool {
            guard let month = EnglishCalendarNames.month(in: c, c.letters()) else { return false }
            _ = c.consume(UInt8(ascii: "."))
            let dashed = c.consume(UInt8(ascii: "-"))
            guard dashed || c.skipSpaces() > 0 else { return false }
            let day = c.digits()
            guard day.count >= 1 && day.count <= 2 else { return false }
            first = month
            second = day.value
            if dashed {
                guard c.consume(UInt8(ascii: "-")), let y = Fields.year(c.digits(), allowTwoDigits: true) else {
                    return false
                }
                year = y
                return true
            }
            c.skipOrdinalSuffix()
            let comma = c.consume(UInt8(ascii: ","))
            guard c.skipSpaces() > 0 || comma, let y = Fields.year(c.digits(), allowTwoDigits: false) else {
                return false
            }
            year = y
            return true
        }

        /// Dates that start with a number.
        private mutating func readNumeric(_ c: inout ByteCursor) -> Bool {
            let lead = c.digits()
            if lead.count == 8 {
                let century = lead.value / 1_000_000
                guard century == 19 || century == 20 else { return false }
                year = lead.value / 10_000
                first = lead.value / 100 % 100
                second = lead.value % 100
                return true
            }
            let separator = c.current
            let isSeparator =
                separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/")
                || separator == UInt8(ascii: ".")
            if lead.count == 4 {  // year first
                guard isSeparator else { return false }
                c.index += 1
                year = lead.value
                if ByteCursor.isLetter(c.current) {
                    guard let month = EnglishCalendarNames.month(in: c, c.letters()) else { return false }
                    first = month
                } else {
                    let month = c.digits()
                    guard month.count >= 1 && month.count <= 2 else { return false }
                    first = month.value
                }
                guard c.consume(separator) else { return false }
                let day = c.digits()
                guard day.count >= 1 && day.count <= 2 else { return false }
                second = day.value
                return true
            }
            guard lead.count <= 2 else { return false }
            if isSeparator {
                c.index += 1
                if ByteCursor.isLetter(c.current) {  // 9-Feb-2024
                    guard let month = EnglishCalendarNames.month(in: c, c.letters()),
                        c.consume(separator),
                        let y = Fields.year(c.digits(), allowTwoDigits: true)
                    else { return false }
                    (year, first, second) = (y, month, lead.value)
                    return true
                }
                let middle = c.digits()
                guard middle.count >= 1 && middle.count <= 2, c.consume(separator),
                    let y = Fields.year(c.digits(), allowTwoDigits: true)
                else { return false }
                (year, first, second, ambiguous) = (y, lead.value, middle.value, true)
                return true
            }
            // 9 Feb 2024, 9th February, 2024
            c.skipOrdinalSuffix()
            guard c.skipSpaces() > 0, let month = EnglishCalendarNames.month(in: c, c.letters()) else {
                return false
            }
            _ = c.consume(UInt8(ascii: "."))
            let comma = c.consume(UInt8(ascii: ","))
            guard c.skipSpaces() > 0 || comma, let y = Fields.year(c.digits(), allowTwoDigits: false) else {
                return false
            }
            (year, first, second) = (y, month, lead.value)
            return true
        }

        /// A four-digit year, or a two-digit one read as strptime's `%y` (00–68 → 20xx).
        private static func year(_ digits: (value: Int, count: Int), allowTwoDigits: Bool) -> Int? {
            if digits.count == 4 { return digits.value }
            if digits.count == 2 && allowTwoDigits { return digits.value < 69 ? 2000 + digits.value : 1900 + digits.value }
            return nil
        }
    }
}
