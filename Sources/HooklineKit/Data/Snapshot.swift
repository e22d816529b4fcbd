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
    ///
    /// This thread reads; the features (decoding each history) are computed on all cores,
    /// and `body` gets them here, in order.
    @discardableResult
    static func forEach(
        in db: Database, now: Date, thresholds: WorkspaceConfig.SegmentThresholds, _ body: (CustomerFeatures) throws -> Void
    ) throws -> (now: Int64, dataVersion: Int) {
        var read: (now: Int64, dataVersion: Int) = (0, 0)
        try OrderedMap.run(transform: { (stored: StoredCustomer) in stored.features() }, produce: { give in
            read = try forEachStored(in: db, now: now, thresholds: thresholds) { try give($0) }
        }, consume: body)
        return read
    }

    /// Calls `body` with each customer as stored, in the order of ``forEach(in:now:thresholds:_:)``,
    /// before the features are computed: reading is cheap, so one thread can read while
    /// others compute the features (``StoredCustomer/features()``).
    ///
    /// Without `history` the order and engagement histories are not read (they are most of
    /// the bytes): the customers come in the same order, with empty histories.
    @discardableResult
    static func forEachStored(
        in db: Database, now: Date, thresholds: WorkspaceConfig.SegmentThresholds, history: Bool = true,
        _ body: (StoredCustomer) throws -> Void
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
        // Read through the SQLite C API by column position: GRDB's rows cost a tenth of a
        // pass over a million customers.
        // Customer rows are inserted in file order, so rowid order is file order.
        // One history row per customer at most (customer_id is each table's key), so leaving
        // the joins out changes no row.
        let customers = try RawStatement(db, history ? """
            SELECT c.id, c.email, c.first_name, c.last_name, c.locale, c.timezone, c.subscribed, c.created_at,
                   c.attributes, o.data, e.data
            FROM customer c
            LEFT JOIN order_history o ON o.customer_id = c.id
            LEFT JOIN engagement_history e ON e.customer_id = c.id
            ORDER BY c.rowid
            """ : """
            SELECT c.id, c.email, c.first_name, c.last_name, c.locale, c.timezone, c.subscribed, c.created_at,
                   c.attributes, NULL, NULL
            FROM customer c
            ORDER BY c.rowid
            """)
        while try customers.step() {
            let email = customers.text(1)
            try body(StoredCustomer(
                id: customers.text(0) ?? "", email: email, firstName: customers.text(2), lastName: customers.text(3),
                locale: customers.text(4), timezone: customers.text(5),
                subscribed: customers.isNull(6) ? nil : customers.int(6) != 0,
                createdAt: customers.isNull(7) ? nil : customers.double(7), attributes: customers.text(8),
                orders: [UInt8](customers.bytes(9)), events: [UInt8](customers.bytes(10)),
                manualSuppression: email.flatMap { manual[$0.lowercased()] }, terms: terms, now: nowSeconds, typeWindowDays: window))
        }
        let orphans = try RawStatement(db, """
            SELECT o.customer_id, \(history ? "o.data, e.data" : "NULL, NULL")
            FROM order_history o
            LEFT JOIN engagement_history e ON e.customer_id = o.customer_id
            WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = o.customer_id)
            ORDER BY o.customer_id
            """)
        while try orphans.step() {
            try body(StoredCustomer(
                id: orphans.text(0) ?? "", email: nil, firstName: nil, lastName: nil, locale: nil, timezone: nil, subscribed: nil,
                createdAt: nil, attributes: nil, orders: [UInt8](orphans.bytes(1)), events: [UInt8](orphans.bytes(2)),
                manualSuppression: nil, terms: terms, now: nowSeconds, typeWindowDays: window))
        }
        return (nowSeconds, try Store.dataVersion(db))
    }
}

/// One customer's row as read from the store, before its features are computed.
struct StoredCustomer: Sendable {
    var id: String
    var email: String?
    var firstName: String?
    var lastName: String?
    var locale: String?
    var timezone: String?
    /// Nil for a customer known only from orders.
    var subscribed: Bool?
    var createdAt: Double?
    var attributes: String?
    var orders: [UInt8]
    var events: [UInt8]
    var manualSuppression: SuppressionReason?
    var terms: TermList
    var now: Int64
    var typeWindowDays: Int

    /// The features; without `attributes` the extra columns are left undecoded (empty).
    func features(attributes withAttributes: Bool = true) -> CustomerFeatures {
        let customer = subscribed.map { subscribed in
            Customer(id: id, email: email, firstName: firstName, lastName: lastName, locale: locale, timezone: timezone,
                     subscribed: subscribed, createdAt: createdAt.map { Date(timeIntervalSince1970: $0) },
                     attributes: withAttributes ? CustomerParser.decodeAttributes(attributes ?? "") : [:])
        } ?? Customer(id: id)
        return CustomerFeatures(customer: customer, history: CustomerHistory(encodedOrders: orders, events: events, terms: terms),
                                manualSuppression: manualSuppression, now: now, typeWindowDays: typeWindowDays)
    }
}
