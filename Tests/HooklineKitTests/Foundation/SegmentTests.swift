import Foundation
import Testing
@testable import HooklineKit

@Suite("Segments")
struct SegmentTests {
    let now = ISODate.seconds("2026-11-20T00:00:00Z")!

    func customer(_ id: String, orderDaysAgo: [Int], spend: Double = 10, email: String? = "x@example.com",
                  openedDaysAgo: Int? = nil) -> CustomerFeatures {
        let orders = orderDaysAgo.enumerated().map { index, days in
            Order(id: "\(id)-\(index)", at: now - Int64(days) * 86_400, items: [LineItem(amount: spend)])
        }
        let events = openedDaysAgo.map { [EngagementEvent(type: .open, at: now - Int64($0) * 86_400)] } ?? []
        return CustomerFeatures(customer: Customer(id: id, email: email), orders: orders, events: events,
                                now: now, typeWindowDays: 365)
    }

    @Test("customer types by orders in the window", arguments: [
        ([10, 40, 80, 120], CustomerType.loyal),
        ([10, 40, 80, 400], .semiLoyal),
        ([10, 40], .semiLoyal),
        ([10], .latent),
        ([400, 500, 600, 700], .latent),
        ([], .nonCustomer),
    ])
    func types(days: [Int], expected: CustomerType) {
        #expect(SegmentRules(thresholds: .init()).type(of: customer("C", orderDaysAgo: days)) == expected)
    }

    @Test("thresholds from hookline.yml change the types")
    func configuredThresholds() throws {
        var thresholds = WorkspaceConfig.SegmentThresholds()
        thresholds.loyalMinOrders = 2
        thresholds.semiLoyalMinOrders = 1
        #expect(SegmentRules(thresholds: thresholds).type(of: customer("C", orderDaysAgo: [10, 40])) == .loyal)
        #expect(SegmentRules(thresholds: thresholds).type(of: customer("C", orderDaysAgo: [10])) == .semiLoyal)
    }

    @Test("engagement tiers by last open", arguments: [
        (Optional(3), Optional(EngagementTier.engaged)), (30, .engaged), (31, .cooling), (90, .cooling),
        (91, .unengaged), (nil, .neverOpened),
    ])
    func engagement(days: Int?, expected: EngagementTier?) {
        #expect(SegmentRules(thresholds: .init()).engagement(of: customer("C", orderDaysAgo: [], openedDaysAgo: days)) == expected)
    }

    @Test("no email: no engagement tier")
    func noEmailNoTier() {
        #expect(SegmentRules(thresholds: .init()).engagement(of: customer("C", orderDaysAgo: [1], email: nil)) == nil)
    }

    @Test("the RFM table, first match wins", arguments: [
        ((5, 5, 5), RFMSegment.champions), ((4, 4, 4), .champions), ((3, 4, 4), .loyalCustomers),
        ((2, 3, 3), .loyalCustomers), ((1, 5, 5), .cantLoseThem), ((1, 3, 3), .atRisk), ((2, 2, 5), .atRisk),
        ((5, 1, 1), .newCustomers), ((5, 1, 4), .newCustomers), ((4, 1, 2), .promising), ((3, 2, 2), .needAttention),
        ((3, 1, 1), .potentialLoyalist), ((5, 2, 1), .potentialLoyalist), ((2, 1, 1), .aboutToSleep),
        ((2, 2, 1), .aboutToSleep), ((2, 1, 4), .hibernating), ((1, 1, 1), .lost), ((1, 1, 5), .lost),
    ])
    func rfmTable(score: (Int, Int, Int), expected: RFMSegment) {
        let rfm = RFMScore(recency: score.0, frequency: score.1, monetary: score.2)
        #expect(SegmentRules.segment(for: rfm) == expected)
    }

    @Test("quintiles: ten distinct values give two per score; ties share the lower score")
    func quintiles() {
        #expect(SegmentRules.quintiles((1...10).map(Double.init)) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        #expect(SegmentRules.quintiles([1, 1, 1, 1, 1, 1, 2, 3, 4, 5]) == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5])
    }

    @Test("RFM scores only buyers; recent buyers score high on R")
    func rfmScores() {
        let customers = (0..<10).map { customer("C\($0)", orderDaysAgo: Array(repeating: ($0 + 1) * 10, count: $0 + 1),
                                                 spend: Double($0 + 1)) }
            + [customer("N", orderDaysAgo: [])]
        let scores = SegmentRules.rfmScores(customers)
        #expect(scores.last! == nil)
        #expect(scores[0] == RFMScore(recency: 5, frequency: 1, monetary: 1))
        #expect(scores[9] == RFMScore(recency: 1, frequency: 5, monetary: 5))
    }

    @Test("every customer is in exactly one type, every buyer in one RFM segment")
    func exactlyOne() throws {
        let workspace = try Workspace(root: CLI.exampleWorkspace)
        let (store, _) = try workspace.openStore()
        let snapshot = try Snapshot.load(from: store, now: november20, thresholds: workspace.config.segments)
        let memberships = SegmentRules(thresholds: workspace.config.segments).memberships(snapshot.customers)
        for (c, m) in zip(snapshot.customers, memberships) {
            #expect((m.rfmSegment != nil) == (c.orderCount > 0))
            #expect((m.engagement != nil) == (c.customer.email != nil))
        }
        let counts = Workspace.count(memberships)
        let types = counts.filter { $0.group == "type" }.reduce(0) { $0 + $1.count }
        #expect(types == snapshot.customers.count)
        // The example shop has all four customer types.
        #expect(counts.filter { $0.group == "type" }.allSatisfy { $0.count > 0 })
    }
}

@Suite("Segments: the fast path reads the same numbers as the full features")
struct SegmentFastPathTests {
    struct Key: Hashable {
        var orders: Int, inWindow: Int, days: Int?, cents: Int, email: Bool, open: Int?
    }

    static func key(_ f: SegmentFacts) -> Key {
        Key(orders: f.orderCount, inWindow: f.ordersInTypeWindow, days: f.daysSinceLastOrder,
            cents: Int((f.totalSpend * 100).rounded()), email: f.hasEmail, open: f.daysSinceLastOpen)
    }

    @Test("on the example shop, at several moments, customer by customer and in the counts",
          arguments: ["2026-11-20", "2026-06-01", "2025-12-31T23:00:00Z"])
    func sameAsFeatures(_ moment: String) throws {
        let now = try #require(ISODate.date(moment))
        let shop = try ExampleShop.get()
        let (store, snapshot) = try shop.workspace.snapshot(now: now)
        let days = shop.workspace.config.segments.typeWindowDays
        let fast = try Workspace.segmentFacts(store, now: now, typeWindowDays: days)
        // The same, read in two key ranges on two connections.
        let split = try Workspace.segmentFacts(store, now: now, typeWindowDays: days, parallelFrom: 0)
        let full = snapshot.customers.map(SegmentFacts.init)
        #expect(fast.count == full.count && split.count == full.count && full.count > 1000)
        // Compared as multisets: the fast path reads in key order, the snapshot in file order.
        let fastKeys = Dictionary(fast.map { (Self.key($0), 1) }, uniquingKeysWith: +)
        let fullKeys = Dictionary(full.map { (Self.key($0), 1) }, uniquingKeysWith: +)
        #expect(fastKeys == fullKeys)
        #expect(Dictionary(split.map { (Self.key($0), 1) }, uniquingKeysWith: +) == fullKeys)
        let rules = SegmentRules(thresholds: shop.workspace.config.segments)
        #expect(Workspace.count(rules.memberships(fast)) == Workspace.count(rules.memberships(snapshot.customers)))
    }
}
