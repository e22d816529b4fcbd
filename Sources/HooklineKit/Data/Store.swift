import Foundation
import GRDB

/// The workspace's SQLite file (`.hookline/hookline.sqlite`): imported data,
/// sync state, suppressions, caches — and, later stages, the send ledger.
public final class Store: Sendable {
    public let database: DatabaseQueue
    public let path: String

    /// Opens (creating if needed) the store and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A million-customer sync touches many index pages; 64 MiB keeps them in memory.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try Store.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw OperationError("cannot open the store \(path): \(error.message ?? "\(error)")",
                                 hint: "check the folder's permissions, or delete .hookline/ to rebuild it from the CSV files")
        }
    }

    /// Switches a store on disk between its usual write-ahead log and a rollback journal
    /// for one large sync. A bulk load writes mostly new pages, which a rollback journal
    /// does not copy, while the log would take every page and then copy it into the file
    /// again (measured: 2 s less CPU for a million customers). The rollback transaction
    /// syncs fully (FULL) so it is as safe as the log. When another connection holds the
    /// store, the switch is refused and the sync just runs in the log.
    func useRollbackJournal(_ on: Bool) {
        guard !isInMemory else { return }
        try? database.writeWithoutTransaction { db in
            if on {
                try db.execute(sql: "PRAGMA journal_mode = TRUNCATE")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            } else {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
    }

    /// True for the store of `init()`, which has no file for another connection to open.
    var isInMemory: Bool { path == ":memory:" }

    /// An in-memory store, for tests and one-off runs.
    public init() throws {
        path = ":memory:"
        database = try DatabaseQueue()
        try Store.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-data") { db in
            try db.execute(sql: """
                CREATE TABLE source_file (
                    name TEXT PRIMARY KEY,
                    path TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    mtime DOUBLE NOT NULL,
                    hash TEXT NOT NULL,
                    lines INTEGER NOT NULL,
                    rows INTEGER NOT NULL,
                    synced_at DOUBLE NOT NULL
                );
                CREATE TABLE customer (
                    id TEXT PRIMARY KEY,
                    email TEXT,
                    first_name TEXT,
                    last_name TEXT,
                    locale TEXT,
                    timezone TEXT,
                    subscribed INTEGER NOT NULL,
                    created_at DOUBLE,
                    attributes TEXT NOT NULL,
                    line INTEGER NOT NULL
                );
                CREATE INDEX customer_email ON customer(email);
                CREATE TABLE order_history (
                    customer_id TEXT PRIMARY KEY,
                    data TEXT NOT NULL
                );
                CREATE TABLE engagement_history (
                    customer_id TEXT PRIMARY KEY,
                    data TEXT NOT NULL
                );
                CREATE TABLE suppression (
                    email TEXT PRIMARY KEY COLLATE NOCASE,
                    reason TEXT NOT NULL,
                    source TEXT NOT NULL,
                    at DOUBLE NOT NULL
                );
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                CREATE TABLE cache (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        LedgerSchema.register(in: &migrator)
        migrator.registerMigration("v3-binary-history") { db in
            // Histories become compact binary blobs with shared terms; the next sync re-reads every file.
            try db.execute(sql: """
                DROP TABLE order_history;
                DROP TABLE engagement_history;
                CREATE TABLE order_history (customer_id TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE engagement_history (customer_id TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
                CREATE TABLE history_term (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
                DELETE FROM source_file;
                DELETE FROM cache;
                """)
        }
        migrator.registerMigration("v4-no-email-index") { db in
            // Nothing looks customers up by email (suppressions have their own table), and
            // the index cost 1.6 s of every full import of a million customers.
            try db.execute(sql: "DROP INDEX IF EXISTS customer_email")
        }
        return migrator
    }

    /// Increases whenever imported data changes; caches are keyed by it.
    public func dataVersion() throws -> Int {
        try database.read { db in try Store.dataVersion(db) }
    }

    static func dataVersion(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'data_version'").flatMap { Int($0) } ?? 0
    }

    static func bumpDataVersion(_ db: Database) throws {
        let next = try dataVersion(db) + 1
        try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('data_version', ?)", arguments: [String(next)])
        try db.execute(sql: "DELETE FROM cache")
    }

    public func cached(_ key: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM cache WHERE key = ?", arguments: [key]) }
    }

    public func storeCache(_ key: String, _ value: String) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO cache(key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }
}
