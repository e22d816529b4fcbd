import Foundation
import GRDB

/// How many customers each segment holds.
public struct SegmentCount: Codable, Sendable, Equatable {
    public var name: String
    public var group: String
    public var count: Int
}

extension Workspace {
    /// Segment sizes at `now`. Cached in the store by data version, moment and
    /// thresholds, so asking again when nothing changed reads one row.
    public func segmentCounts(now: Date) throws -> [SegmentCount] {
        let (store, _) = try openStore()
        let t = config.segments
        let key = "segments|\(try store.dataVersion())|\(Int64(now.timeIntervalSince1970))|"
            + "\(t.typeWindowDays),\(t.loyalMinOrders),\(t.semiLoyalMinOrders),\(t.engagedDays),\(t.coolingDays)"
        if let cached = try store.cached(key), let data = cached.data(using: .utf8),
           let counts = try? JSONDecoder().decode([SegmentCount].self, from: data) {
            return counts
        }
        let facts = try Self.segmentFacts(store, now: now, typeWindowDays: t.typeWindowDays)
        let counts = Self.count(SegmentRules(thresholds: t).memberships(facts))
        if let data = try? JSONEncoder().encode(counts), let text = String(data: data, encoding: .utf8) {
            try store.storeCache(key, text)
        }
        return counts
    }

    /// Reads only what segments need, straight from the stored histories: the same
    /// numbers as `SegmentFacts(CustomerFeatures)` at a fraction of the cost. The three
    /// tables are read in key order and merged, so there are no lookups; the order of
    /// the result does not matter to the segment rules.
    static func segmentFacts(_ store: Store, now: Date, typeWindowDays: Int) throws -> [SegmentFacts] {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let windowStart = nowSeconds - Int64(typeWindowDays) * 86_400
        return try store.database.read { db in
            let customers = try KeyStream(db, "SELECT id FROM customer ORDER BY id")
            let orders = try KeyStream(db, "SELECT customer_id, data FROM order_history ORDER BY customer_id")
            let events = try KeyStream(db, "SELECT customer_id, data FROM engagement_history ORDER BY customer_id")
            var facts: [SegmentFacts] = []
            var id: [UInt8] = []
            while customers.hasRow || orders.hasRow {
                // The smallest id among customers and orders is the next customer.
                let known = customers.hasRow && (!orders.hasRow || !KeyOrder.less(orders.key, customers.key))
                id.removeAll(keepingCapacity: true)
                id.append(contentsOf: known ? customers.key : orders.key)
                var orderFacts: (count: Int, inWindow: Int, last: Int64?, total: Double)?
                if orders.hasRow && orders.key == id {
                    orderFacts = HistoryCoding.orderFacts(orders.statement.bytes(1), now: nowSeconds, windowStart: windowStart)
                    try orders.next()
                }
                while events.hasRow && KeyOrder.less(events.key, id) { try events.next() }
                var lastOpen: Int64?
                if events.hasRow && events.key == id {
                    lastOpen = HistoryCoding.lastOpen(events.statement.bytes(1), now: nowSeconds)
                    try events.next()
                }
                if known { try customers.next() }
                facts.append(SegmentFacts(
                    orderCount: orderFacts?.count ?? 0, ordersInTypeWindow: orderFacts?.inWindow ?? 0,
                    daysSinceLastOrder: orderFacts?.last.map { FeatureClock.days(from: $0, to: nowSeconds) },
                    totalSpend: orderFacts?.total ?? 0, hasEmail: known,
                    daysSinceLastOpen: lastOpen.map { FeatureClock.days(from: $0, to: nowSeconds) }))
            }
            return facts
        }
    }

    static func count(_ memberships: [Membership]) -> [SegmentCount] {
        var types: [CustomerType: Int] = [:], rfm: [RFMSegment: Int] = [:], tiers: [EngagementTier: Int] = [:]
        for membership in memberships {
            types[membership.type, default: 0] += 1
            if let segment = membership.rfmSegment { rfm[segment, default: 0] += 1 }
            if let tier = membership.engagement { tiers[tier, default: 0] += 1 }
        }
        var tally: [String: Int] = [:]
        for (key, count) in types { tally[key.rawValue] = count }
        for (key, count) in rfm { tally[key.rawValue] = count }
        for (key, count) in tiers { tally[key.rawValue] = count }
        return allSegments.map { SegmentCount(name: $0.name, group: $0.group.rawValue, count: tally[$0.name] ?? 0) }
    }
}

/// Rows of a query ordered by a text key, with the current key copied out.
final class KeyStream {
    let statement: RawStatement
    private(set) var key: [UInt8] = []
    private(set) var hasRow = false

    init(_ db: Database, _ sql: String) throws {
        statement = try RawStatement(db, sql)
        try next()
    }

    func next() throws {
        hasRow = try statement.step()
        key.removeAll(keepingCapacity: true)
        if hasRow { key.append(contentsOf: statement.bytes(0)) }
    }
}
