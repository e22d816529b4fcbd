import Foundation

/// When a campaign goes out: a campaign's `schedule:` block.
///
/// ```yaml
/// schedule:
///   at: 2026-12-01T09:00              # one-off
///   every: monday 09:00               # or: day 09:30 | month 1 10:00
///   after_last_order: {days: 25}      # trigger: N days after the customer's last order
///   reorder_due: {lead_days: 3}       # trigger: lead_days before the customer's usual reorder
///   send_at: "10:00"                  # triggers: the local time of day to send (default 10:00)
///   timezone: recipient               # or an IANA name (Europe/Berlin); default recipient
///   quiet_hours: "21:00-08:00"        # local; a send due inside moves to the end
///   catch_up_hours: 36                # how late a missed slot may still go out
/// ```
/// Exactly one of `at`, `every`, `after_last_order`, `reorder_due`. Times are local to
/// `timezone`; a customer without a valid time zone uses the workspace's (UTC by default).
public struct Schedule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case once(year: Int, month: Int, day: Int, minutes: Int)
        case daily(minutes: Int)
        /// `weekday` as in `Calendar`: 1 = Sunday … 7 = Saturday.
        case weekly(weekday: Int, minutes: Int)
        case monthly(day: Int, minutes: Int)
        case afterLastOrder(days: Int)
        /// `fallbackDays` is the interval for customers with one order: the setting, or
        /// else the shop-wide median interval, or else 30 days.
        case reorderDue(leadDays: Int, fallbackDays: Int?)
    }

    public var kind: Kind
    public var sendAt = 10 * 60
    /// nil: the recipient's own time zone.
    public var timeZone: String?
    public var quietHours: QuietHours?
    public var catchUpSeconds: Int64

    public static let keys = [
        "at", "every", "after_last_order", "reorder_due", "send_at", "timezone", "quiet_hours", "catch_up_hours",
    ]

    public init(kind: Kind, sendAt: Int = 600, timeZone: String? = nil, quietHours: QuietHours? = nil,
                catchUpHours: Int? = nil) {
        self.kind = kind
        self.sendAt = sendAt
        self.timeZone = timeZone
        self.quietHours = quietHours
        self.catchUpSeconds = Int64(catchUpHours ?? Self.defaultCatchUpHours(kind)) * 3600
    }

    /// Slots are skipped after 36 hours (a stale "good morning" helps no one); trigger
    /// offers stay useful for a week, so a cron outage delays them rather than losing them.
    static func defaultCatchUpHours(_ kind: Kind) -> Int {
        switch kind {
        case .afterLastOrder, .reorderDue: return 7 * 24
        default: return 36
        }
    }

    public init(yaml node: YAMLNode) throws {
        let map = try node.mapping(allowed: Self.keys)
        let kinds = ["at", "every", "after_last_order", "reorder_due"].filter { map[$0] != nil }
        guard kinds.count == 1, let which = kinds.first, let value = map[which] else {
            throw (kinds.count > 1 ? map[kinds[1]] ?? node : node).error(
                kinds.isEmpty ? "the schedule says nothing about when" : "give only one of \(kinds.joined(separator: ", "))",
                hint: "use exactly one of at, every, after_last_order, reorder_due")
        }
        let kind: Kind
        switch which {
        case "at": kind = try Self.parseAt(value)
        case "every": kind = try Self.parseEvery(value)
        case "after_last_order":
            let trigger = try value.mapping(allowed: ["days"])
            kind = .afterLastOrder(days: try trigger.required("days").int(in: 1...3650))
        default:
            let trigger = try value.mapping(allowed: ["lead_days", "fallback_days"])
            kind = .reorderDue(leadDays: try trigger.int("lead_days", in: 0...365) ?? 3,
                               fallbackDays: try trigger.int("fallback_days", in: 1...3650))
        }
        var sendAt = 10 * 60
        if let sendAtNode = map["send_at"] {
            guard let minutes = Self.minutes(try sendAtNode.string()) else {
                throw sendAtNode.error("'\(try sendAtNode.string())' is not a time of day", hint: "write it as HH:MM, e.g. \"10:00\"")
            }
            sendAt = minutes
        }
        var timeZone: String?
        if let zoneNode = map["timezone"], try zoneNode.string().lowercased() != "recipient" {
            let name = try zoneNode.string()
            guard TimeZone(identifier: name) != nil else {
                throw zoneNode.error("unknown time zone '\(name)'", hint: "use recipient or an IANA name such as Europe/Berlin")
            }
            timeZone = name
        }
        self.init(kind: kind, sendAt: sendAt, timeZone: timeZone,
                  quietHours: try map["quiet_hours"].map(QuietHours.init(yaml:)),
                  catchUpHours: try map.int("catch_up_hours", in: 1...24 * 60))
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }

    private static func parseAt(_ node: YAMLNode) throws -> Kind {
        let text = try node.string()
        let halves = text.split(separator: "T", maxSplits: 1).map(String.init)
        let date = halves.first?.split(separator: "-").compactMap { Int($0) } ?? []
        guard halves.count == 2, date.count == 3, let minutes = minutes(halves[1]),
              ISODate.seconds(halves[0]) != nil else {
            throw node.error("'\(text)' is not a local date and time", hint: "write it as 2026-12-01T09:00")
        }
        return .once(year: date[0], month: date[1], day: date[2], minutes: minutes)
    }

    private static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    private static func parseEvery(_ node: YAMLNode) throws -> Kind {
        let text = try node.string()
        let words = text.lowercased().split(separator: " ").map(String.init)
        let bad = node.error("'\(text)' is not a repeating slot",
                             hint: "write 'day 09:30', 'monday 09:00' or 'month 1 10:00'")
        guard let last = words.last, let minutes = minutes(last) else { throw bad }
        switch (words.count, words.first) {
        case (2, "day"): return .daily(minutes: minutes)
        case (3, "month"):
            guard let day = Int(words[1]), (1...28).contains(day) else {
                throw node.error("day of month must be 1 to 28", hint: "later days do not exist in every month")
            }
            return .monthly(day: day, minutes: minutes)
        case (2, let name?):
            guard let index = weekdays.firstIndex(of: name) else { throw bad }
            return .weekly(weekday: index + 1, minutes: minutes)
        default: throw bad
        }
    }
}

/// One occurrence of a campaign for one customer: its ledger key and when it is due.
public struct Occurrence: Sendable, Equatable {
    /// The slot's local date (`2026-12-01`, `2026-12` for monthly) or, for triggers, `order:ID`.
    public var key: String
    public var dueAt: Int64

    public init(key: String, dueAt: Int64) {
        self.key = key
        self.dueAt = dueAt
    }
}

/// Shop-wide facts schedules fall back on.
public struct ScheduleContext: Sendable {
    /// The time zone for customers without a valid one.
    public var defaultTimeZone: String
    /// The median of all customers' reorder intervals, for one-order customers.
    public var shopMedianReorderDays: Double?

    public init(defaultTimeZone: String = "UTC", shopMedianReorderDays: Double? = nil) {
        self.defaultTimeZone = defaultTimeZone
        self.shopMedianReorderDays = shopMedianReorderDays
    }

    /// The median of the customers' own median intervals.
    public static func shopMedian(_ customers: [CustomerFeatures]) -> Double? {
        let values = customers.compactMap(\.medianDaysBetweenOrders).sorted()
        guard !values.isEmpty else { return nil }
        return values[values.count / 2]
    }
}
