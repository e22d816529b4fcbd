import Foundation
import Testing
@testable import HooklineKit

@Suite("Features per customer")
struct FeatureTests {
    let now = ISODate.seconds("2026-11-20T12:00:00Z")!

    func order(_ id: String, _ day: String, _ amount: Double, category: String = "coffee", product: String = "Beans") -> Order {
        Order(id: id, at: ISODate.seconds(day)!, items: [LineItem(product: product, category: category, amount: amount)])
    }

    @Test("order history gives recency, frequency, spend and the reorder rhythm")
    func orderFeatures() {
        let orders = [
            order("O1", "2026-08-01", 10), order("O2", "2026-08-31", 20),
            order("O3", "2026-10-10", 30, category: "tea", product: "Sencha"), order("O4", "2026-11-01", 40),
        ]
        let f = CustomerFeatures(customer: Customer(id: "C1", email: "a@example.com"), orders: orders, events: [],
                                 now: now, typeWindowDays: 100)
        #expect(f.orderCount == 4)
        #expect(f.totalSpend == 100)
        #expect(f.averageOrderValue == 25)
        #expect(f.daysSinceLastOrder == 19)
        #expect(f.lastOrderId == "O4")
        #expect(f.lastProduct == "Beans")
        // Gaps 30, 40, 22 days: the median is 30.
        #expect(f.medianDaysBetweenOrders == 30)
        // O1 lies 111 days back, outside the 100-day window.
        #expect(f.ordersInTypeWindow == 3)
        #expect(f.bought(category: "tea", withinDays: 41))
        #expect(!f.bought(category: "tea", withinDays: 40))
        #expect(f.bought(category: "Coffee", withinDays: 19))
        #expect(f.tenureDays == 111)
    }

    @Test("one order gives no median interval; no orders give no recency")
    func sparseHistory() {
        let one = CustomerFeatures(customer: Customer(id: "C"), orders: [order("O", "2026-11-01", 5)], events: [],
                                   now: now, typeWindowDays: 365)
        #expect(one.medianDaysBetweenOrders == nil)
        let none = CustomerFeatures(customer: Customer(id: "D"), orders: [], events: [], now: now, typeWindowDays: 365)
        #expect(none.daysSinceLastOrder == nil && none.orderCount == 0 && none.averageOrderValue == 0)
    }

    @Test("opens and clicks count by window; a click counts as engagement")
    func engagement() {
        let events = [
            EngagementEvent(type: .open, at: now - 10 * 86_400),
            EngagementEvent(type: .open, at: now - 60 * 86_400),
            EngagementEvent(type: .open, at: now - 200 * 86_400),
            EngagementEvent(type: .click, at: now - 5 * 86_400),
            EngagementEvent(type: .open, at: now + 86_400),  // after now: ignored
        ]
        let f = CustomerFeatures(customer: Customer(id: "C", email: "a@example.com"), orders: [], events: events,
                                 now: now, typeWindowDays: 365)
        #expect(f.opens30 == 1 && f.opens90 == 2 && f.clicks30 == 1 && f.clicks90 == 1)
        #expect(f.daysSinceLastOpen == 5)
    }

    @Test("suppression: the strongest reason wins and any of them blocks mailing", arguments: [
        ([EngagementType.unsubscribe], true, SuppressionReason.unsubscribed),
        ([.bounce, .unsubscribe], true, .bounced),
        ([.unsubscribe, .complaint, .bounce], true, .complained),
        ([], false, .unsubscribed),
    ])
    func suppression(types: [EngagementType], subscribed: Bool, expected: SuppressionReason) {
        let events = types.map { EngagementEvent(type: $0, at: now - 86_400) }
        let f = CustomerFeatures(customer: Customer(id: "C", email: "a@example.com", subscribed: subscribed),
                                 orders: [], events: events, now: now, typeWindowDays: 365)
        #expect(f.suppression == expected)
        #expect(!f.isMailable)
    }

    @Test("ISO 8601 dates with and without offsets", arguments: [
        ("2026-11-20", "2026-11-20T00:00:00Z"),
        ("2026-11-20T10:00:00+03:00", "2026-11-20T07:00:00Z"),
        ("2026-11-20T10:00-0500", "2026-11-20T15:00:00Z"),
        ("2026-11-20 10:00:00.250Z", "2026-11-20T10:00:00Z"),
        ("2024-02-29", "2024-02-29T00:00:00Z"),
    ])
    func dates(text: String, utc: String) {
        #expect(ISODate.seconds(text) == ISODate.seconds(utc))
        #expect(ISODate.seconds(text) != nil)
    }

    @Test("malformed dates are refused", arguments: ["2026-13-01", "2025-02-29", "20261120", "2026-11-20T25:00", "tomorrow", "2026-11-20T10:00+3"])
    func badDates(text: String) {
        #expect(ISODate.seconds(text) == nil)
    }
}
