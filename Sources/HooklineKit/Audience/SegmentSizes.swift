import Foundation

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
        let snapshot = try Snapshot.load(from: store, now: now, thresholds: t)
        let counts = Self.count(SegmentRules(thresholds: t).memberships(snapshot.customers))
        if let data = try? JSONEncoder().encode(counts), let text = String(data: data, encoding: .utf8) {
            try store.storeCache(key, text)
        }
        return counts
    }

    static func count(_ memberships: [Membership]) -> [SegmentCount] {
        var tally: [String: Int] = [:]
        for membership in memberships {
            for name in membership.names { tally[name, default: 0] += 1 }
        }
        return allSegments.map { SegmentCount(name: $0.name, group: $0.group.rawValue, count: tally[$0.name] ?? 0) }
    }
}
