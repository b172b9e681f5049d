/// A day in the proleptic Gregorian calendar, with no time zone: what a date cell says.
public struct CivilDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `days` after 1970-01-01 (before, when negative), Howard Hinnant's `civil_from_days`.
    init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// Whether the three numbers name a real day (no February 30, no month 13), years 0–9999.
    public var isValid: Bool {
        year >= 0 && year <= 9999 && month >= 1 && month <= 12
            && day >= 1 && day <= CivilDate.daysInMonth(year: year, month: month)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before), Howard Hinnant's `days_from_civil`.
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: Monday is 1, Sunday is 7.
    var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let d = daysSinceEpoch
        let r = ((d % 7) + 7) % 7  // 0 = Thursday
        return (r + 3) % 7 + 1
    }

    /// Day of the year, 1-based.
    var ordinal: Int {
        daysSinceEpoch - CivilDate(year: year, month: 1, day: 1).daysSinceEpoch + 1
    }

    /// ISO 8601 week-numbering year and week (weeks start on Monday; week 1 holds January 4).
    var isoWeek: (year: Int, week: Int) {
        let week = (ordinal - isoWeekday + 10) / 7
        if week < 1 {
            return (year - 1, CivilDate.isoWeeksInYear(year - 1))
        }
        if week > CivilDate.isoWeeksInYear(year) {
            return (year + 1, 1)
        }
        return (year, week)
    }

    private static func isoWeeksInYear(_ year: Int) -> Int {
        // A year has 53 weeks when it starts on a Thursday, or on a Wednesday in a leap year.
        let jan1 = CivilDate(year: year, month: 1, day: 1).isoWeekday
        return jan1 == 4 || (jan1 == 3 && isLeapYear(year)) ? 53 : 52
    }
}

/// How to read an ambiguous `a/b/yyyy` date: `monthFirst` (US) or `dayFirst` (most of the world).
public enum DateOrder: Sendable, Hashable {
    case monthFirst
    case dayFirst
}
