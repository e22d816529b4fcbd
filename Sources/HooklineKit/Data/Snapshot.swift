import Foundation
import GRDB

/// Every customer's features at one `now`, read from the store in one pass.
public struct Snapshot: Sendable {
    public var now: Int64
    public var customers: [CustomerFeatures]
    public var dataVersion: Int

    /// Loads customers (including ids known only from orders) with their histories.
    public static func load(from store: Store, now: Date, thresholds: WorkspaceConfig.SegmentThresholds) throws -> Snapshot {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return try store.database.read { db in
            var orders: [String: String] = [:]
            let orderRows = try Row.fetchCursor(db, sql: "SELECT customer_id, data FROM order_history")
            while let row = try orderRows.next() { orders[row[0]] = row[1] }
            var events: [String: String] = [:]
            let eventRows = try Row.fetchCursor(db, sql: "SELECT customer_id, data FROM engagement_history")
            while let row = try eventRows.next() { events[row[0]] = row[1] }
            var manual: [String: SuppressionReason] = [:]
            let suppressionRows = try Row.fetchCursor(db, sql: "SELECT email, reason FROM suppression")
            while let row = try suppressionRows.next() {
                let email: String = row[0]
                manual[email.lowercased()] = SuppressionReason(rawValue: row[1]) ?? .manual
            }

            var result: [CustomerFeatures] = []
            var seen = Set<String>()
            let customerRows = try Row.fetchCursor(db, sql: """
                SELECT id, email, first_name, last_name, locale, timezone, subscribed, created_at, attributes
                FROM customer ORDER BY line
                """)
            while let row = try customerRows.next() {
                let email: String? = row[1]
                let createdAt: Double? = row[7]
                let customer = Customer(
                    id: row[0], email: email, firstName: row[2], lastName: row[3], locale: row[4], timezone: row[5],
                    subscribed: row[6], createdAt: createdAt.map { Date(timeIntervalSince1970: $0) },
                    attributes: CustomerParser.decodeAttributes(row[8]))
                seen.insert(customer.id)
                result.append(CustomerFeatures(
                    customer: customer,
                    orders: orders[customer.id].map(HistoryCoding.decodeOrders) ?? [],
                    events: events[customer.id].map(HistoryCoding.decodeEvents) ?? [],
                    manualSuppression: email.flatMap { manual[$0.lowercased()] },
                    now: nowSeconds, typeWindowDays: thresholds.typeWindowDays))
            }
            for id in orders.keys.sorted() where !seen.contains(id) {
                result.append(CustomerFeatures(
                    customer: Customer(id: id), orders: HistoryCoding.decodeOrders(orders[id] ?? ""),
                    events: events[id].map(HistoryCoding.decodeEvents) ?? [],
                    now: nowSeconds, typeWindowDays: thresholds.typeWindowDays))
            }
            return Snapshot(now: nowSeconds, customers: result, dataVersion: try Store.dataVersion(db))
        }
    }
}
