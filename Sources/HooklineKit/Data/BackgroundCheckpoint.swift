import Foundation
import GRDB
import GRDBSQLite

/// Copies the write-ahead log back into the store on a thread of its own while a send runs.
///
/// SQLite checkpoints inside the commit that takes the log past 1,000 pages: with a send's
/// one commit per message, that is every few hundred messages a pause of about 10 ms (the
/// copy and an fsync) on the connection thread, which holds up the next transfer — about a
/// tenth of one connection's time. Here the commit only notices the size (a log hook) and
/// wakes this thread, which runs a PASSIVE checkpoint through its own connection: it never
/// blocks the writer. The few commits made during that pass are then copied by the next
/// commit itself (a short checkpoint), after which the log starts over.
/// Durability is unchanged: commits are in the log either way, and the checkpoint still
/// syncs the store before the log is reused.
final class BackgroundCheckpoint: @unchecked Sendable {
    /// The log size, in pages, that wakes the checkpoint: SQLite's own default threshold.
    static let pages: Int32 = 1000

    private let store: Store
    private let checkpointer: DatabaseQueue
    private let condition = NSCondition()
    /// idle → due (the log is long; a commit woke the thread) → copying → copied (the
    /// next commit copies the rest itself) → idle.
    private enum Phase { case idle, due, copying, copied }
    private var phase = Phase.idle
    private var stopping = false
    private var finished = false

    private init(store: Store, checkpointer: DatabaseQueue) {
        self.store = store
        self.checkpointer = checkpointer
    }

    /// Starts for a store on disk. Nil for an in-memory store, or when a second connection
    /// cannot be opened — then SQLite checkpoints in the commit as usual.
    static func start(for store: Store) -> BackgroundCheckpoint? {
        guard !store.isInMemory, let checkpointer = try? DatabaseQueue(path: store.path) else { return nil }
        let running = BackgroundCheckpoint(store: store, checkpointer: checkpointer)
        store.database.writeWithoutTransaction { db in
            // Replaces the automatic checkpoint: SQLite keeps one log hook per connection.
            _ = sqlite3_wal_hook(db.sqliteConnection, { context, connection, _, pages in
                guard pages >= BackgroundCheckpoint.pages, let context else { return SQLITE_OK }
                let running = Unmanaged<BackgroundCheckpoint>.fromOpaque(context).takeUnretainedValue()
                if running.takeCopied() {
                    // The background pass copied all but the commits made meanwhile. Those are
                    // copied here, between two transactions, so that the next one starts the log
                    // over: a writer restarts it only when it begins with nothing left to copy,
                    // which a background pass alone never sees while commits keep coming.
                    _ = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                } else {
                    running.wake()
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(running).toOpaque())
        }
        Thread { running.run() }.start()
        return running
    }

    /// Gives the commit its automatic checkpoint back and waits for the thread to end.
    func stop() {
        store.database.writeWithoutTransaction { db in
            _ = sqlite3_wal_autocheckpoint(db.sqliteConnection, BackgroundCheckpoint.pages)
        }
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// Called from the committing connection: cheap when a checkpoint is already due.
    private func wake() {
        condition.lock()
        if phase == .idle {
            phase = .due
            condition.signal()
        }
        condition.unlock()
    }

    /// Whether a background pass has finished since the last call.
    private func takeCopied() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard phase == .copied else { return false }
        phase = .idle
        return true
    }

    private func run() {
        condition.lock()
        while true {
            while phase != .due && !stopping { condition.wait() }
            if stopping { break }
            phase = .copying
            condition.unlock()
            // PASSIVE copies what no reader still needs and gives up on nothing; a failure
            // (the disk is full) leaves the log longer, and the next commit wakes this again.
            _ = try? checkpointer.writeWithoutTransaction { try $0.checkpoint(.passive) }
            condition.lock()
            phase = .copied
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
