import GRDB

/// The send ledger's tables, added to the store as migration `v2-ledger`.
enum LedgerSchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-ledger") { db in
            try db.execute(sql: """
                CREATE TABLE send_ledger (
                    id INTEGER PRIMARY KEY,
                    campaign TEXT NOT NULL,
                    occurrence TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    email TEXT NOT NULL,
                    state TEXT NOT NULL,
                    priority INTEGER NOT NULL DEFAULT 0,
                    transactional INTEGER NOT NULL DEFAULT 0,
                    due_at INTEGER NOT NULL,
                    planned_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    sending_at INTEGER,
                    finished_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    smtp_code INTEGER,
                    smtp_reply TEXT,
                    note TEXT,
                    message_id TEXT NOT NULL,
                    UNIQUE (campaign, occurrence, customer_id)
                );
                CREATE INDEX send_ledger_customer ON send_ledger(customer_id);
                CREATE INDEX send_ledger_state ON send_ledger(state, due_at);
                """)
        }
        // An index over every state changed three index pages per message (planned → sending,
        // sending → sent land in different leaves), doubling the pages each send commits. Only
        // the pending rows are ever looked up by state, so only they are indexed: a claim now
        // removes one entry and recording a reply touches no index at all.
        migrator.registerMigration("v2-ledger-pending-index") { db in
            try db.execute(sql: """
                DROP INDEX send_ledger_state;
                CREATE INDEX send_ledger_pending ON send_ledger(due_at) WHERE state IN ('planned', 'deferred');
                """)
        }
    }
}
