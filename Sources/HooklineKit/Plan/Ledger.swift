import Foundation
import GRDB

/// Where one (campaign, occurrence, customer) stands.
public enum LedgerState: String, Sendable, CaseIterable, Codable {
    /// Planned; goes out when due (and, under a daily quota, first in the next run).
    case planned
    /// Committed just before the transfer; left over only when the process died mid-transfer.
    case sending
    case sent
    /// A transient failure; retried by the next run.
    case deferred
    /// A permanent refusal; the address is suppressed.
    case bounced
    /// Refused by Hookline itself (invalid address, message could not be built).
    case failed
    /// The process died during the transfer: the server may or may not have the message.
    /// Never re-sent automatically; `hookline resolve` decides.
    case inDoubt = "in_doubt"
    /// Dropped before the transfer because the address became suppressed.
    case cancelled

    /// States that count against frequency caps: the customer has (or may have) the message.
    public static let counted: [LedgerState] = [.sent, .sending, .inDoubt]
    /// States that still wait for a send.
    public static let pending: [LedgerState] = [.planned, .deferred]
    public var isFinal: Bool { [.sent, .bounced, .failed, .cancelled].contains(self) }
}

/// One row of the send ledger.
public struct LedgerEntry: Sendable, Equatable {
    public var id: Int64
    public var campaign: String
    public var occurrence: String
    public var customerId: String
    public var email: String
    public var state: LedgerState
    public var priority: Int
    public var transactional: Bool
    /// When the message may go out, seconds since 1970.
    public var dueAt: Int64
    public var updatedAt: Int64
    public var attempts: Int
    public var smtpCode: Int?
    public var smtpReply: String?
    /// Why the row was deferred to a later slot, or why it was cancelled.
    public var note: String?
    public var messageId: String

    /// The occurrence key of a `hookline send --test` message; such a row is never stored.
    public static let testOccurrence = "test"
    /// A test message: the composer marks its subject, and it is not counted anywhere.
    public var isTest: Bool { occurrence == Self.testOccurrence }

    /// A row that is not in the ledger: a test message for `customerId`, sent to `email`.
    public static func test(campaign: String, customerId: String, email: String, messageId: String, now: Int64) -> LedgerEntry {
        LedgerEntry(id: 0, campaign: campaign, occurrence: testOccurrence, customerId: customerId, email: email,
                    state: .planned, priority: 0, transactional: false, dueAt: now, updatedAt: now, attempts: 0,
                    smtpCode: nil, smtpReply: nil, note: nil, messageId: messageId)
    }

    init(id: Int64, campaign: String, occurrence: String, customerId: String, email: String, state: LedgerState,
         priority: Int, transactional: Bool, dueAt: Int64, updatedAt: Int64, attempts: Int, smtpCode: Int?,
         smtpReply: String?, note: String?, messageId: String) {
        self.id = id
        self.campaign = campaign
        self.occurrence = occurrence
        self.customerId = customerId
        self.email = email
        self.state = state
        self.priority = priority
        self.transactional = transactional
        self.dueAt = dueAt
        self.updatedAt = updatedAt
        self.attempts = attempts
        self.smtpCode = smtpCode
        self.smtpReply = smtpReply
        self.note = note
        self.messageId = messageId
    }

    /// The columns ``init(_:)`` reads, in its order.
    static let columns = """
        id, campaign, occurrence, customer_id, email, state, priority, transactional, due_at, updated_at,
        attempts, smtp_code, smtp_reply, note, message_id
        """

    /// The current row of a statement that selects ``columns``.
    init(_ row: RawStatement) {
        id = row.int(0)
        campaign = row.text(1) ?? ""
        occurrence = row.text(2) ?? ""
        customerId = row.text(3) ?? ""
        email = row.text(4) ?? ""
        state = row.text(5).flatMap(LedgerState.init(rawValue:)) ?? .inDoubt
        priority = Int(row.int(6))
        transactional = row.int(7) != 0
        dueAt = row.int(8)
        updatedAt = row.int(9)
        attempts = Int(row.int(10))
        smtpCode = row.isNull(11) ? nil : Int(row.int(11))
        smtpReply = row.text(12)
        note = row.text(13)
        messageId = row.text(14) ?? ""
    }

    /// The rows `clause` (what follows WHERE) selects, through the SQLite C API: a send
    /// reads every recipient's row before it starts, and GRDB's rows by column name took
    /// several times as long as the query.
    static func fetch(_ db: Database, where clause: String, _ bind: (RawStatement) -> Void) throws -> [LedgerEntry] {
        let statement = try RawStatement(db, "SELECT \(columns) FROM send_ledger WHERE \(clause)")
        bind(statement)
        var entries: [LedgerEntry] = []
        while try statement.step() { entries.append(LedgerEntry(statement)) }
        return entries
    }
}

/// The send ledger in the store: one row per (campaign, occurrence, customer), so
/// that no occurrence reaches anyone twice — even across crashes.
public struct Ledger: Sendable {
    public let store: Store
    /// Shared by the copies of this ledger that the connections hold.
    let group = ClaimGroup()

    public init(store: Store) {
        self.store = store
    }

    /// Turns rows left `sending` by a process that died into `in_doubt`. Call once
    /// at start-up, before planning or sending. Returns how many there were.
    @discardableResult
    public func recoverInterrupted(now: Int64) throws -> Int {
        try store.database.write { db in
            try db.execute(sql: """
                UPDATE send_ledger SET state = 'in_doubt', updated_at = ?,
                    note = 'the process stopped during the transfer'
                WHERE state = 'sending'
                """, arguments: [now])
            return db.changesCount
        }
    }

    /// Records planned sends; a row that already exists is left alone. Returns how many were new.
    @discardableResult
    public func record(_ sends: [PlannedSend], now: Int64) throws -> Int {
        try store.database.write { db in
            // Prepared once and bound per row: parsing the INSERT for every row took longer
            // than the send of the row itself (50 µs a row).
            let insert = try RawStatement(db, """
                INSERT OR IGNORE INTO send_ledger
                    (campaign, occurrence, customer_id, email, state, priority, transactional,
                     due_at, planned_at, updated_at, note, message_id)
                VALUES (?1, ?2, ?3, ?4, 'planned', ?5, ?6, ?7, ?8, ?8, ?9, ?10)
                """)
            var inserted = 0
            for send in sends {
                insert.bind(1, text: send.campaign)
                insert.bind(2, text: send.occurrence)
                insert.bind(3, text: send.customerId)
                insert.bind(4, text: send.email)
                insert.bind(5, int: Int64(send.priority))
                insert.bind(6, int: send.transactional ? 1 : 0)
                insert.bind(7, int: send.dueAt)
                insert.bind(8, int: now)
                insert.bind(9, text: send.deferredBecause)
                insert.bind(10, text: send.messageId)
                try insert.run()
                inserted += db.changesCount
            }
            return inserted
        }
    }

    /// Rows waiting to go out at `now` — earliest due first, then by campaign priority.
    public func pending(now: Int64, campaigns: Set<String>? = nil) throws -> [LedgerEntry] {
        try store.database.read { db in
            try LedgerEntry.fetch(db, where: """
                state IN ('planned', 'deferred') AND due_at <= ?1 ORDER BY due_at, priority DESC, id
                """) { $0.bind(1, int: now) }
                .filter { campaigns?.contains($0.campaign) ?? true }
        }
    }

    public enum Claim: Sendable, Equatable {
        /// Committed as `sending`: transfer now.
        case claimed(attempt: Int)
        /// The address is suppressed; the row is now `cancelled`.
        case suppressed(SuppressionReason)
        /// Another process or an earlier attempt took it; do not send.
        case notPending
    }

    /// The reply to one transfer, as the ledger records it.
    public struct Finish: Sendable, Equatable {
        public var id: Int64
        public var state: LedgerState
        public var code: Int?
        public var reply: String?
        public var note: String?

        public init(id: Int64, state: LedgerState, code: Int? = nil, reply: String? = nil, note: String? = nil) {
            self.id = id
            self.state = state
            self.code = code
            self.reply = reply
            self.note = note
        }
    }

    /// Commits the row as `sending` — the step that makes a crash visible afterwards.
    ///
    /// `finished`, the previous transfer on the same connection, is recorded in the same
    /// transaction: one commit per message instead of two, and still no transfer starts
    /// before its own row and the previous reply are committed.
    public func claim(_ id: Int64, now: Int64, recording finished: Finish? = nil) throws -> Claim {
        // This commit runs once per message, before its content goes out; connections that
        // claim at the same moment share it (see `ClaimGroup`).
        try group.claim(id, now: now, recording: finished, store: store) { db, statements, id, now, finished in
            if let finished { try Self.finish(db, statements, finished, now: now) }
            return try Self.claim(db, statements, id, now: now)
        }
    }

    /// Runs `transfer` (one message's) and claims row `next` while its reply is on its way:
    /// `transfer` calls `claimNext` once its content is out. The claim and the reply that
    /// `recording` makes of the result then share one commit, after the reply — as with
    /// ``claim(_:now:recording:)``, no content goes out before its row and the previous
    /// reply are committed, but the claim's statements no longer wait for the reply.
    ///
    /// Holds the store's write lock from `claimNext` to the commit, so it is for one
    /// connection alone, and the closure `claimNext` returns gives the lock up when the
    /// reply is slow. Returns the transfer's result and `next`'s claim, nil when it was not
    /// made (not called, given up, or `recording` returned nil). Throws only ledger failures.
    public func claimWhileWaiting<T>(_ next: Int64, clock: @escaping @Sendable () -> Int64,
                                     transfer: (_ claimNext: () -> (() -> Void)?) -> T,
                                     recording: (T) -> Finish?) throws -> (result: T, next: Claim?) {
        try group.overlapping(store: store, transfer: transfer,
                              claim: { db, statements in try Self.claim(db, statements, next, now: clock()) },
                              record: recording,
                              finish: { db, statements, finished in try Self.finish(db, statements, finished, now: clock()) })
    }

    /// Records the reply right after the transfer; a bounce also suppresses the address.
    public func finish(_ id: Int64, state: LedgerState, code: Int?, reply: String?, note: String? = nil, now: Int64) throws {
        try finish(Finish(id: id, state: state, code: code, reply: reply, note: note), now: now)
    }

    /// Records the reply right after the transfer; a bounce also suppresses the address.
    public func finish(_ finished: Finish, now: Int64) throws {
        try group.transaction(store: store) { db, statements in try Self.finish(db, statements, finished, now: now) }
    }

    // The common case of both runs once per message, through statements prepared once.
    private static func claim(_ db: Database, _ statements: LedgerStatements, _ id: Int64, now: Int64) throws -> Claim {
        if let attempt = try statements.claim(db, id, now: now) { return .claimed(attempt: attempt) }
        guard let row = try Row.fetchOne(db, sql: "SELECT email, state FROM send_ledger WHERE id = ?", arguments: [id]),
              let state = LedgerState(rawValue: row["state"]), LedgerState.pending.contains(state) else {
            return .notPending
        }
        let email: String = row["email"]
        if let reason = try String.fetchOne(db, sql: "SELECT reason FROM suppression WHERE email = ?", arguments: [email]) {
            let suppression = SuppressionReason(rawValue: reason) ?? .manual
            try db.execute(sql: """
                UPDATE send_ledger SET state = 'cancelled', note = ?, updated_at = ? WHERE id = ?
                """, arguments: ["suppressed:\(suppression.rawValue)", now, id])
            return .suppressed(suppression)
        }
        return .notPending
    }

    private static func finish(_ db: Database, _ statements: LedgerStatements, _ finished: Finish, now: Int64) throws {
        try statements.finish(finished, now: now)
        if finished.state == .bounced,
           let email = try String.fetchOne(db, sql: "SELECT email FROM send_ledger WHERE id = ?", arguments: [finished.id]) {
            try Suppressions.insert(db, email: email, reason: .bounced, source: "smtp", at: now)
        }
    }

    /// Rows per state, optionally for one campaign.
    public func counts(campaign: String? = nil) throws -> [LedgerState: Int] {
        try store.database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT state, COUNT(*) FROM send_ledger WHERE ? IS NULL OR campaign = ? GROUP BY state
                """, arguments: [campaign, campaign])
            var result: [LedgerState: Int] = [:]
            for row in rows {
                if let state = LedgerState(rawValue: row[0]) { result[state] = row[1] }
            }
            return result
        }
    }

    /// Rows in the given states, oldest first.
    public func entries(in states: [LedgerState], campaign: String? = nil) throws -> [LedgerEntry] {
        try store.database.read { db in
            try LedgerEntry.fetch(db, where: """
                state IN (\(states.map { "'\($0.rawValue)'" }.joined(separator: ",")))
                AND (?1 IS NULL OR campaign = ?1) ORDER BY updated_at, id
                """) { $0.bind(1, text: campaign) }
        }
    }

    /// Messages handed to the relay since `start` (for the daily quota).
    public func sentCount(since start: Int64) throws -> Int {
        try store.database.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM send_ledger WHERE state IN ('sent', 'sending', 'in_doubt') AND sending_at >= ?
                """, arguments: [start]) ?? 0
        }
    }

    /// What the user decided about an `in_doubt` row (or a deferred/failed one).
    public enum Resolution: String, Sendable, CaseIterable {
        /// The recipient got it: count it as sent, never send it again.
        case sent
        /// The recipient did not get it: send it in the next run.
        case retry
    }

    /// Resolves rows by id, or every `in_doubt` row of a campaign when `ids` is empty. Returns the count.
    @discardableResult
    public func resolve(ids: [Int64], campaign: String? = nil, as resolution: Resolution, now: Int64) throws -> Int {
        try store.database.write { db in
            let newState = resolution == .sent ? LedgerState.sent : .planned
            let note = "resolved as \(resolution.rawValue) by the user"
            if ids.isEmpty {
                try db.execute(sql: """
                    UPDATE send_ledger SET state = ?, note = ?, updated_at = ?, due_at = MIN(due_at, ?)
                    WHERE state = 'in_doubt' AND (? IS NULL OR campaign = ?)
                    """, arguments: [newState.rawValue, note, now, now, campaign, campaign])
                return db.changesCount
            }
            var changed = 0
            for id in ids {
                try db.execute(sql: """
                    UPDATE send_ledger SET state = ?, note = ?, updated_at = ?, due_at = MIN(due_at, ?)
                    WHERE id = ? AND state IN ('in_doubt', 'deferred', 'failed')
                    """, arguments: [newState.rawValue, note, now, now, id])
                changed += db.changesCount
            }
            return changed
        }
    }

    /// The ledger as the planner needs it: every row's key and state, and the
    /// counted sends per customer.
    /// Pending rows count at `now` at the earliest, since none can go out before it.
    public func history(campaigns: [String], now: Int64) throws -> SendHistory {
        try store.database.read { db in
            var history = SendHistory()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT campaign, occurrence, customer_id, state, transactional,
                       COALESCE(sending_at, MAX(due_at, ?)) AS at FROM send_ledger
                """, arguments: [now])
            let wanted = Set(campaigns)
            while let row = try rows.next() {
                guard let state = LedgerState(rawValue: row["state"]) else { continue }
                let campaign: String = row["campaign"]
                let customer: String = row["customer_id"]
                if wanted.contains(campaign) {
                    history.states[SendKey(campaign: campaign, occurrence: row["occurrence"], customerId: customer)] = state
                }
                let transactional: Bool = row["transactional"]
                if !transactional, LedgerState.counted.contains(state) || LedgerState.pending.contains(state) {
                    history.add(customerId: customer, campaign: campaign, at: row["at"])
                }
            }
            return history
        }
    }
}

extension Ledger {
    /// Who received each campaign and when, for the `received` and `not_opened` audience conditions.
    public func facts() throws -> LedgerFacts {
        try store.database.read { db in
            var facts = LedgerFacts()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT campaign, customer_id, MAX(COALESCE(sending_at, updated_at)) FROM send_ledger
                WHERE state IN ('sent', 'in_doubt') GROUP BY campaign, customer_id
                """)
            while let row = try rows.next() {
                facts.sentAt[row[0], default: [:]][row[1]] = row[2]
            }
            return facts
        }
    }
}
