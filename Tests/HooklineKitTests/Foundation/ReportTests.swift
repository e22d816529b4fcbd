import Foundation
import Testing
@testable import HooklineKit

@Suite("Retention report")
struct ReportTests {
    @Test("hand-checked month: S, E, N, lost, retention, churn, CLV")
    func oneMonth() throws {
        func customer(_ id: String, _ days: [String], amount: Double = 10) -> CustomerFeatures {
            CustomerFeatures(customer: Customer(id: id),
                             orders: days.enumerated().map { Order(id: "\(id)\($0)", at: ISODate.seconds($1)!, items: [LineItem(amount: amount)]) },
                             events: [], now: ISODate.seconds("2026-12-01")!, typeWindowDays: 365)
        }
        // Window 30 days. Month: 2026-11.
        let customers = [
            customer("A", ["2026-10-20", "2026-11-15"]),  // active at start and end
            customer("B", ["2026-10-10"]),                // active at start (within 30 days of Nov 1), lost by Dec 1
            customer("C", ["2026-11-20"], amount: 30),   // new in November, active at end
            customer("D", ["2026-08-01"]),                // not active at either
        ]
        let report = RetentionReport(customers: customers, from: ISODate.seconds("2026-11-01")!,
                                     to: ISODate.seconds("2026-12-01")!, activeWindowDays: 30)
        let month = try #require(report.months.first)
        #expect(report.months.count == 1)
        #expect(month.month == "2026-11")
        #expect((month.start, month.end, month.new, month.lost) == (2, 2, 1, 1))
        #expect(month.retentionRate == 50)  // (2 − 1) ÷ 2
        #expect(month.churnRate == 50)
        #expect(month.averageValue == 20)   // (10 + 30) ÷ 2 buyers
        #expect(month.averageLifetimeMonths == 2)
        #expect(month.clv == 40)
    }
}
