import GRDB

/// The store's suppression list: addresses that must never be mailed.
public struct Suppressions: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Every suppressed address (lower-cased) with its reason.
    public func all() throws -> [String: SuppressionReason] {
        try store.database.read { db in
            var result: [String: SuppressionReason] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT email, reason FROM suppression") {
                let email: String = row[0]
                result[email.lowercased()] = SuppressionReason(rawValue: row[1]) ?? .manual
            }
            return result
        }
    }

    /// Suppresses an address by hand (`hookline suppress`). Returns false when it already was.
    @discardableResult
    public func add(_ email: String, reason: SuppressionReason = .manual, now: Int64) throws -> Bool {
        try store.database.write { db in
            try Self.insert(db, email: email, reason: reason, source: reason == .manual ? "user" : "smtp", at: now)
        }
    }

    /// Lifts a suppression. Returns false when the address was not suppressed.
    @discardableResult
    public func remove(_ email: String) throws -> Bool {
        try store.database.write { db in
            try db.execute(sql: "DELETE FROM suppression WHERE email = ?", arguments: [email])
            return db.changesCount > 0
        }
    }

    /// Inserts unless a suppression exists; the first reason recorded stays.
    @discardableResult
    static func insert(_ db: Database, email: String, reason: SuppressionReason, source: String, at: Int64) throws -> Bool {
        try db.execute(sql: "INSERT OR IGNORE INTO suppression(email, reason, source, at) VALUES (?, ?, ?, ?)",
                       arguments: [email, reason.rawValue, source, Double(at)])
        return db.changesCount > 0
    }
}
