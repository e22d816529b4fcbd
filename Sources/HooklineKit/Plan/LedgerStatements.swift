import GRDB
import GRDBSQLite

/// The statements a send runs for every message — BEGIN, the claim, the reply, COMMIT —
/// prepared once per store connection and driven through the SQLite C API.
///
/// Through GRDB each of them cost more in argument arrays, statement-cache lookups (hashing
/// the SQL) and execution bookkeeping than SQLite spent running it, on the thread that
/// holds up the next transfer. Only the common case runs here; rare branches (a suppressed
/// address, a bounce) use GRDB inside the same transaction.
final class LedgerStatements {
    private let begin: RawStatement
    private let commit: RawStatement
    private let claim: RawStatement
    private let attempts: RawStatement
    private let finish: RawStatement

    init(_ db: Database) throws {
        begin = try RawStatement(db, "BEGIN IMMEDIATE")
        commit = try RawStatement(db, "COMMIT")
        // The usual case in one statement: a pending row whose address is not suppressed.
        // Without RETURNING, which builds a temporary table per call; the attempt is read back.
        claim = try RawStatement(db, """
            UPDATE send_ledger SET state = 'sending', attempts = attempts + 1, sending_at = ?1, updated_at = ?1
            WHERE id = ?2 AND state IN ('planned', 'deferred')
                AND NOT EXISTS (SELECT 1 FROM suppression WHERE suppression.email = send_ledger.email)
            """)
        attempts = try RawStatement(db, "SELECT attempts FROM send_ledger WHERE id = ?1")
        finish = try RawStatement(db, """
            UPDATE send_ledger SET state = ?1, smtp_code = ?2, smtp_reply = ?3, note = ?4, updated_at = ?5,
                finished_at = COALESCE(?6, finished_at)
            WHERE id = ?7
            """)
    }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE … COMMIT), rolled back when it throws.
    func transaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try open()
        do {
            let result = try body()
            try close()
            return result
        } catch {
            rollback(db)
            throw error
        }
    }

    /// BEGIN IMMEDIATE: takes the store's write lock.
    func open() throws { try begin.run() }

    /// COMMIT.
    func close() throws { try commit.run() }

    /// Undoes the open transaction, if there is one.
    func rollback(_ db: Database) {
        if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }
    }

    /// Marks a pending, unsuppressed row `sending`; its attempt number, or nil when the row is
    /// not pending or its address is suppressed.
    func claim(_ db: Database, _ id: Int64, now: Int64) throws -> Int? {
        claim.bind(1, int: now)
        claim.bind(2, int: id)
        try claim.run()
        guard sqlite3_changes(db.sqliteConnection) > 0 else { return nil }
        attempts.bind(1, int: id)
        defer { attempts.reset() }
        guard try attempts.step() else {
            throw OperationError("the ledger row \(id) was claimed but its attempts cannot be read",
                                 hint: "delete .hookline/ to rebuild the store from the CSV files")
        }
        return Int(attempts.int(0))
    }

    /// Records a transfer's reply; `finished_at` only for a final state.
    func finish(_ finished: Ledger.Finish, now: Int64) throws {
        finish.bind(1, text: finished.state.rawValue)
        finish.bind(2, int: finished.code.map(Int64.init))
        finish.bind(3, text: finished.reply)
        finish.bind(4, text: finished.note)
        finish.bind(5, int: now)
        finish.bind(6, int: finished.state.isFinal ? now : nil)
        finish.bind(7, int: finished.id)
        try finish.run()
    }
}
