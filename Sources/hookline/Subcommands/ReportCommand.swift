import ArgumentParser
import Foundation
import HooklineKit

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Retention, churn and customer lifetime value per month.",
        discussion: """
            A customer is active at a date when they ordered within report.active_window_days (default 180)
            before it. Retention = (E − N) ÷ S × 100, churn = lost ÷ S × 100, CLV = V × L.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("First month (YYYY-MM). Default: 12 months before --now.", valueName: "month"))
    var from: String?

    @Option(help: ArgumentHelp("Last month, included (YYYY-MM). Default: the month before --now.", valueName: "month"))
    var to: String?

    struct MonthOutput: Encodable {
        var month: String
        var customers_at_start: Int
        var customers_at_end: Int
        var new_customers: Int
        var lost_customers: Int
        var retention_rate: Double?
        var churn_rate: Double?
        var average_value: Double?
        var average_lifetime_months: Double?
        var clv: Double?
    }

    struct Output: Encodable {
        var active_window_days: Int
        var months: [MonthOutput]
        var segments: [SegmentCount]
    }

    func run() throws {
        try reportingErrors {
            let workspace = try global.openWorkspace()
            let now = try global.resolvedNow()
            let nowSeconds = Int64(now.timeIntervalSince1970)
            let thisMonth = try monthStart(ISODate.dayString(nowSeconds).prefix(7) + "", field: "--now")
            let start = try from.map { try monthStart($0, field: "--from") } ?? addMonths(thisMonth, -12)
            let end = try to.map { addMonths(try monthStart($0, field: "--to"), 1) } ?? thisMonth
            guard start < end else {
                throw InputError(field: "--from", "the first month comes after the last", hint: "swap --from and --to")
            }
            let (_, snapshot) = try workspace.snapshot(now: now)
            let report = RetentionReport(customers: snapshot.customers, from: start, to: end,
                                         activeWindowDays: workspace.config.report.activeWindowDays)
            func r(_ v: Double?) -> Double? { v.map { ($0 * 100).rounded() / 100 } }
            let months = report.months.map {
                MonthOutput(month: $0.month, customers_at_start: $0.start, customers_at_end: $0.end, new_customers: $0.new,
                            lost_customers: $0.lost, retention_rate: r($0.retentionRate), churn_rate: r($0.churnRate),
                            average_value: r($0.averageValue), average_lifetime_months: r($0.averageLifetimeMonths),
                            clv: r($0.clv))
            }
            let segments = try workspace.segmentCounts(now: now)
            if output.json {
                return try printJSON(Output(active_window_days: report.activeWindowDays, months: months, segments: segments))
            }
            func f(_ v: Double?, _ suffix: String = "") -> String { v.map { String(format: "%.1f", $0) + suffix } ?? "-" }
            var rows = [["MONTH", "S", "E", "N", "LOST", "RETENTION", "CHURN", "V", "L (months)", "CLV"]]
            for m in months {
                rows.append([m.month, String(m.customers_at_start), String(m.customers_at_end), String(m.new_customers),
                             String(m.lost_customers), f(m.retention_rate, "%"), f(m.churn_rate, "%"),
                             f(m.average_value), f(m.average_lifetime_months), f(m.clv)])
            }
            print("Active customer: ordered within \(report.activeWindowDays) days.")
            print(table(rows, rightAligned: Set(1...9)))
            print("")
            let groups = Dictionary(grouping: segments, by: \.group)
            for group in SegmentGroup.allCases {
                let parts = (groups[group.rawValue] ?? []).map { "\($0.name) \($0.count)" }
                print("\(group.rawValue): " + parts.joined(separator: ", "))
            }
        }
    }

    func monthStart(_ text: String, field: String) throws -> Int64 {
        guard let seconds = ISODate.seconds(text + "-01"), text.count == 7 else {
            throw InputError(field: field, "'\(text)' is not a month", hint: "write it as YYYY-MM, e.g. 2026-01")
        }
        return seconds
    }

    func addMonths(_ start: Int64, _ months: Int) -> Int64 {
        let parts = ISODate.dayString(start).split(separator: "-").compactMap { Int($0) }
        var total = parts[0] * 12 + (parts[1] - 1) + months
        if total < 0 { total = 0 }
        return ISODate.seconds(String(format: "%04d-%02d-01", total / 12, total % 12 + 1)) ?? start
    }
}
