import Foundation

/// Wall-clock arithmetic in a named time zone, for schedules and quiet hours.
struct LocalTime {
    let calendar: Calendar

    init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    struct Parts: Equatable {
        var year, month, day, weekday, hour, minute: Int
        var minutesOfDay: Int { hour * 60 + minute }
        var dateKey: String { String(format: "%04d-%02d-%02d", year, month, day) }
    }

    func parts(_ instant: Int64) -> Parts {
        let c = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute],
                                        from: Date(timeIntervalSince1970: TimeInterval(instant)))
        return Parts(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1, weekday: c.weekday ?? 1,
                     hour: c.hour ?? 0, minute: c.minute ?? 0)
    }

    /// The instant of a local wall-clock time; a time skipped by a DST change moves forward.
    func instant(year: Int, month: Int, day: Int, minutes: Int) -> Int64? {
        let components = DateComponents(year: year, month: month, day: day, hour: minutes / 60, minute: minutes % 60)
        return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
    }

    /// The same wall-clock minute `days` days later (or earlier).
    func addingDays(_ days: Int, to instant: Int64) -> Int64 {
        let date = Date(timeIntervalSince1970: TimeInterval(instant))
        return calendar.date(byAdding: .day, value: days, to: date).map { Int64($0.timeIntervalSince1970) }
            ?? instant + Int64(days) * 86_400
    }

    /// The instant at local `minutes` on the local day of `instant`.
    func sameDay(_ instant: Int64, minutes: Int) -> Int64 {
        let p = parts(instant)
        return self.instant(year: p.year, month: p.month, day: p.day, minutes: minutes) ?? instant
    }
}

/// A local time-of-day range in which nothing is delivered, e.g. `21:00-08:00`.
public struct QuietHours: Sendable, Equatable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    init(yaml node: YAMLNode) throws {
        let text = try node.string()
        let halves = text.split(separator: "-").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard halves.count == 2, let start = Schedule.minutes(halves[0]), let end = Schedule.minutes(halves[1]),
              start != end else {
            throw node.error("'\(text)' is not a time range", hint: "write it as 21:00-08:00 (local time of the recipient)")
        }
        self.start = start
        self.end = end
    }

    func contains(_ minutes: Int) -> Bool {
        start < end ? (minutes >= start && minutes < end) : (minutes >= start || minutes < end)
    }

    /// `instant` itself, or the end of the quiet hours it falls in.
    func adjust(_ instant: Int64, in local: LocalTime) -> Int64 {
        let minutes = local.parts(instant).minutesOfDay
        guard contains(minutes) else { return instant }
        let endToday = local.sameDay(instant, minutes: end)
        return start > end && minutes >= start ? local.addingDays(1, to: endToday) : endToday
    }
}
