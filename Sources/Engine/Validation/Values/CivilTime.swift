/// A time of day on a 24-hour clock, with no time zone: what a time cell says.
public struct CivilTime: Sendable, Hashable {
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// 0 ..< 1_000_000_000.
    public var nanosecond: Int

    public init(hour: Int, minute: Int, second: Int = 0, nanosecond: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    public static let midnight = CivilTime(hour: 0, minute: 0)
}

/// A date and a time of day, with the UTC offset when the cell gave one (`Z`, `+02:00`).
public struct ParsedDateTime: Sendable, Hashable {
    public var date: CivilDate
    public var time: CivilTime
    /// Seconds east of UTC; nil when the cell named no offset.
    public var utcOffsetSeconds: Int?

    public init(date: CivilDate, time: CivilTime, utcOffsetSeconds: Int? = nil) {
        self.date = date
        self.time = time
        self.utcOffsetSeconds = utcOffsetSeconds
    }
}
