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
    /// the result does not matter to the segment rules. A store of `parallelFrom`
    /// customers or more is read in two key ranges at once, the upper one on a second
    /// read-only connection (the log lets it read beside this one).
    static func segmentFacts(_ store: Store, now: Date, typeWindowDays: Int, parallelFrom: Int = 50_000) throws -> [SegmentFacts] {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let windowStart = nowSeconds - Int64(typeWindowDays) * 86_400
        let pivot: [UInt8]? = store.isInMemory ? nil : try store.database.read { db in
            try middleKey(db, from: parallelFrom)
        }
        guard let pivot else {
            return try store.database.read { db in
                try segmentFacts(db, below: nil, from: nil, now: nowSeconds, windowStart: windowStart)
            }
        }
        let path = store.path
        let upper = Background { () throws -> [SegmentFacts] in
            var configuration = Configuration()
            configuration.readonly = true
            let reader = try DatabaseQueue(path: path, configuration: configuration)
            return try reader.read { db in
                try segmentFacts(db, below: nil, from: pivot, now: nowSeconds, windowStart: windowStart)
            }
        }
        let lower = try store.database.read { db in
            try segmentFacts(db, below: pivot, from: nil, now: nowSeconds, windowStart: windowStart)
        }
        return lower + (try upper.take())
    }

    /// A key near the middle of the customers (the median of a few evenly spaced rows), or
    /// nil when there are fewer than `minimum`.
    private static func middleKey(_ db: Database, from minimum: Int) throws -> [UInt8]? {
        guard let last = try Int.fetchOne(db, sql: "SELECT max(rowid) FROM customer"), last >= max(minimum, 2) else { return nil }
        var samples: [[UInt8]] = []
        for step in 1...15 {
            if let id = try String.fetchOne(db, sql: "SELECT id FROM customer WHERE rowid >= ? ORDER BY rowid LIMIT 1",
                                            arguments: [last * step / 16]) {
                samples.append(Array(id.utf8))
            }
        }
        samples.sort(by: KeyOrder.less)
        return samples.isEmpty ? nil : samples[samples.count / 2]
    }

    /// The facts of the customers whose key is in `[from, below)` (open where nil).
    private static func segmentFacts(_ db: Database, below: [UInt8]?, from: [UInt8]?, now nowSeconds: Int64,
                                     windowStart: Int64) throws -> [SegmentFacts] {
        func query(_ columns: String, _ table: String, _ key: String) throws -> KeyStream {
            var conditions: [String] = []
            if from != nil { conditions.append("\(key) >= ?1") }
            if below != nil { conditions.append("\(key) < ?2") }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            let statement = try RawStatement(db, "SELECT \(columns) FROM \(table)\(filter) ORDER BY \(key)")
            if let from { from.withUnsafeBufferPointer { statement.bind(1, text: $0) } }
            if let below { below.withUnsafeBufferPointer { statement.bind(2, text: $0) } }
            return try KeyStream(statement)
        }
        let customers = try query("id", "customer", "id")
        let orders = try query("customer_id, data", "order_history", "customer_id")
        let events = try query("customer_id, data", "engagement_history", "customer_id")
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

    init(_ statement: RawStatement) throws {
        self.statement = statement
        try next()
    }

    func next() throws {
        hasRow = try statement.step()
        key.removeAll(keepingCapacity: true)
        if hasRow { key.append(contentsOf: statement.bytes(0)) }
    }
}
