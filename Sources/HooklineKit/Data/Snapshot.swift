import Foundation
import GRDB

/// Every customer's features at one `now`, read from the store in one pass.
public struct Snapshot: Sendable {
    public var now: Int64
    public var customers: [CustomerFeatures]
    public var dataVersion: Int

    /// Loads customers (including ids known only from orders) with their histories.
    public static func load(from store: Store, now: Date, thresholds: WorkspaceConfig.SegmentThresholds) throws -> Snapshot {
        var customers: [CustomerFeatures] = []
        let (seconds, version) = try forEach(in: store, now: now, thresholds: thresholds) { customers.append($0) }
        return Snapshot(now: seconds, customers: customers, dataVersion: version)
    }

    /// Calls `body` with each customer's features in file order (then the customers known only
    /// from orders, by id) without keeping them: memory stays flat in the number of customers.
    @discardableResult
    public static func forEach(
        in store: Store, now: Date, thresholds: WorkspaceConfig.SegmentThresholds, _ body: (CustomerFeatures) throws -> Void
    ) throws -> (now: Int64, dataVersion: Int) {
        try store.database.read { db in try forEach(in: db, now: now, thresholds: thresholds, body) }
    }

    /// ``forEach(in:now:thresholds:_:)`` inside a read the caller holds, so that several
    /// passes see the same data.
    @discardableResult
    static func forEach(
        in db: Database, now: Date, thresholds: WorkspaceConfig.SegmentThresholds, _ body: (CustomerFeatures) throws -> Void
    ) throws -> (now: Int64, dataVersion: Int) {
        let nowSeconds = Int64(now.timeIntervalSince1970.rounded(.down))
        let window = thresholds.typeWindowDays
        let terms = try TermList.load(db)
        var manual: [String: SuppressionReason] = [:]
        let suppressionRows = try Row.fetchCursor(db, sql: "SELECT email, reason FROM suppression")
        while let row = try suppressionRows.next() {
            let email: String = row[0]
            manual[email.lowercased()] = SuppressionReason(rawValue: row[1]) ?? .manual
        }
        func history(_ row: Row, _ orders: Int, _ events: Int) throws -> CustomerHistory {
            let o: [UInt8] = try row.withUnsafeData(atIndex: orders) { $0.map { [UInt8]($0) } } ?? []
            let e: [UInt8] = try row.withUnsafeData(atIndex: events) { $0.map { [UInt8]($0) } } ?? []
            return CustomerHistory(encodedOrders: o, events: e, terms: terms)
        }
        // Customer rows are inserted in file order, so rowid order is file order.
        let customerRows = try Row.fetchCursor(db, sql: """
            SELECT c.id, c.email, c.first_name, c.last_name, c.locale, c.timezone, c.subscribed, c.created_at,
                   c.attributes, o.data, e.data
            FROM customer c
            LEFT JOIN order_history o ON o.customer_id = c.id
            LEFT JOIN engagement_history e ON e.customer_id = c.id
            ORDER BY c.rowid
            """)
        while let row = try customerRows.next() {
            let email: String? = row[1]
            let createdAt: Double? = row[7]
            let customer = Customer(
                id: row[0], email: email, firstName: row[2], lastName: row[3], locale: row[4], timezone: row[5],
                subscribed: row[6], createdAt: createdAt.map { Date(timeIntervalSince1970: $0) },
                attributes: CustomerParser.decodeAttributes(row[8]))
            try body(CustomerFeatures(
                customer: customer, history: try history(row, 9, 10),
                manualSuppression: email.flatMap { manual[$0.lowercased()] },
                now: nowSeconds, typeWindowDays: window))
        }
        let orphans = try Row.fetchCursor(db, sql: """
            SELECT o.customer_id, o.data, e.data
            FROM order_history o
            LEFT JOIN engagement_history e ON e.customer_id = o.customer_id
            WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = o.customer_id)
            ORDER BY o.customer_id
            """)
        while let row = try orphans.next() {
            try body(CustomerFeatures(customer: Customer(id: row[0]), history: try history(row, 1, 2),
                                      manualSuppression: nil, now: nowSeconds, typeWindowDays: window))
        }
        return (nowSeconds, try Store.dataVersion(db))
    }
}
