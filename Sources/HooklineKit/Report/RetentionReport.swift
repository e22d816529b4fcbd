import Foundation

/// Retention metrics per calendar month (UTC).
///
/// A customer is *active* at a moment when they ordered within
/// `report.active_window_days` before it. For each month: S = active at the
/// start, E = active at the end, N = new (first order in the month), lost =
/// active at the start but not at the end. Retention = (E − N) ÷ S × 100,
/// churn = lost ÷ S × 100, V = revenue in the month ÷ customers who ordered in
/// it, L = expected lifetime in months = 1 ÷ monthly churn, CLV = V × L.
public struct RetentionReport: Sendable {
    public struct Month: Sendable {
        public var month: String
        public var start: Int
        public var end: Int
        public var new: Int
        public var lost: Int
        public var revenue: Double
        public var buyers: Int
        public var retentionRate: Double?
        public var churnRate: Double?
        public var averageValue: Double?
        public var averageLifetimeMonths: Double?
        public var clv: Double?
    }

    public var activeWindowDays: Int
    public var months: [Month]

    /// Months whose start lies in `from..<to` (month starts, seconds since 1970).
    public init(customers: [CustomerFeatures], from: Int64, to: Int64, activeWindowDays: Int) {
        self.activeWindowDays = activeWindowDays
        let window = Int64(activeWindowDays) * 86_400
        let histories = customers.compactMap { c -> [(Int64, Double)]? in
            c.orders.isEmpty ? nil : c.orders.map { ($0.at, $0.amount) }.sorted { $0.0 < $1.0 }
        }
        func active(_ orders: [(Int64, Double)], at moment: Int64) -> Bool {
            orders.contains { $0.0 < moment && $0.0 >= moment - window }
        }
        var result: [Month] = []
        var start = RetentionReport.monthStart(from)
        while start < to {
            let end = RetentionReport.nextMonth(start)
            var month = Month(month: String(ISODate.dayString(start).prefix(7)), start: 0, end: 0, new: 0, lost: 0,
                              revenue: 0, buyers: 0)
            for orders in histories {
                let atStart = active(orders, at: start), atEnd = active(orders, at: end)
                if atStart { month.start += 1 }
                if atEnd { month.end += 1 }
                if atStart && !atEnd { month.lost += 1 }
                if let first = orders.first?.0, first >= start, first < end { month.new += 1 }
                var bought = false
                for (at, amount) in orders where at >= start && at < end {
                    month.revenue += amount
                    bought = true
                }
                if bought { month.buyers += 1 }
            }
            if month.start > 0 {
                month.retentionRate = Double(month.end - month.new) / Double(month.start) * 100
                month.churnRate = Double(month.lost) / Double(month.start) * 100
            }
            if month.buyers > 0 { month.averageValue = month.revenue / Double(month.buyers) }
            if let churn = month.churnRate, churn > 0 {
                month.averageLifetimeMonths = 100 / churn
                if let value = month.averageValue { month.clv = value * (100 / churn) }
            }
            result.append(month)
            start = end
        }
        months = result
    }

    static func monthStart(_ seconds: Int64) -> Int64 {
        let (y, m, _) = ISODate.civil(fromDays: Int(ISODate.floorDiv(seconds, 86_400)))
        return Int64(ISODate.daysFromCivil(year: y, month: m, day: 1)) * 86_400
    }

    static func nextMonth(_ start: Int64) -> Int64 {
        let (y, m, _) = ISODate.civil(fromDays: Int(ISODate.floorDiv(start, 86_400)))
        let (ny, nm) = m == 12 ? (y + 1, 1) : (y, m + 1)
        return Int64(ISODate.daysFromCivil(year: ny, month: nm, day: 1)) * 86_400
    }
}
