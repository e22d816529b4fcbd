import Foundation
import GRDB

/// Group commit for claims: connections that claim at the same moment share one
/// transaction. The first to arrive commits everything queued by then; the others wait
/// for that commit and return their own result. Each claim is still committed before
/// its caller's transfer starts, so a crash leaves at most one row per connection
/// `sending` — but with four connections, one commit can carry up to four claims
/// (each with the reply it records) instead of four commits in a row.
final class ClaimGroup: @unchecked Sendable {
    private struct Request {
        let id: Int64
        let now: Int64
        let finished: Ledger.Finish?
    }

    private let condition = NSCondition()
    private var queued: [(ticket: Int, request: Request)] = []
    private var results: [Int: Result<Ledger.Claim, Error>] = [:]
    private var nextTicket = 0
    private var committing = false
    /// Prepared on the store's connection at the first use and only used inside its write
    /// access; finalized with the last copy of the ledger, once its sends have finished.
    private var statements: LedgerStatements?

    typealias Body = (Database, LedgerStatements, Int64, Int64, Ledger.Finish?) throws -> Ledger.Claim

    /// Runs `body` in one write transaction of the ledger's prepared statements.
    func transaction<T>(store: Store, _ body: (Database, LedgerStatements) throws -> T) throws -> T {
        try store.database.writeWithoutTransaction { db in
            let prepared = try statements(db)
            return try prepared.transaction(db) { try body(db, prepared) }
        }
    }

    /// The prepared statements; call only inside the store's write access.
    private func statements(_ db: Database) throws -> LedgerStatements {
        if let statements { return statements }
        let prepared = try LedgerStatements(db)
        statements = prepared
        return prepared
    }

    /// Ends this caller's turn at committing and wakes those who wait for it.
    private func endCommitting() {
        condition.lock()
        committing = false
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `request` in a shared transaction; `body` is one claim inside it.
    func claim(_ id: Int64, now: Int64, recording finished: Ledger.Finish?, store: Store,
               body: @escaping Body) throws -> Ledger.Claim {
        condition.lock()
        if !committing && queued.isEmpty {
            // Nobody else is claiming (always so with one connection): commit alone, without
            // the queue's arrays and result table.
            committing = true
            condition.unlock()
            defer { endCommitting() }
            return try transaction(store: store) { db, statements in try body(db, statements, id, now, finished) }
        }
        let ticket = nextTicket
        nextTicket += 1
        queued.append((ticket, Request(id: id, now: now, finished: finished)))
        while true {
            if let result = results.removeValue(forKey: ticket) {
                condition.unlock()
                return try result.get()
            }
            if !committing {
                committing = true
                let batch = queued
                queued = []
                condition.unlock()
                let outcome = commit(batch.map(\.request), store: store, body: body)
                condition.lock()
                for (index, item) in batch.enumerated() {
                    results[item.ticket] = outcome.map { $0[index] }
                }
                committing = false
                condition.broadcast()
                continue
            }
            condition.wait()
        }
    }

    /// A transfer whose reply commits together with the next row's claim, the claim made
    /// while the reply is on its way (see ``Ledger/claimWhileWaiting(_:clock:transfer:recording:)``).
    /// `transfer` may call `claimNext` once; that opens the transaction and returns how to
    /// give it up again. `record` turns the transfer's result into the reply to commit with
    /// the claim, or nil to roll the claim back.
    func overlapping<T>(store: Store, transfer: (_ claimNext: () -> (() -> Void)?) -> T,
                        claim: @escaping (Database, LedgerStatements) throws -> Ledger.Claim,
                        record: (T) -> Ledger.Finish?,
                        finish: (Database, LedgerStatements, Ledger.Finish) throws -> Void) throws -> (T, Ledger.Claim?) {
        condition.lock()
        while committing || !queued.isEmpty { condition.wait() }
        committing = true
        condition.unlock()
        defer { endCommitting() }
        return try store.database.writeWithoutTransaction { db in
            let prepared = try statements(db)
            var open = false
            var claimed: Ledger.Claim?
            func giveUp() {
                prepared.rollback(db)
                open = false
                claimed = nil
            }
            let result = transfer {
                guard !open else { return nil }
                do {
                    try prepared.open()
                    open = true
                    claimed = try claim(db, prepared)
                } catch {
                    giveUp()
                    return nil
                }
                return giveUp
            }
            guard open else { return (result, nil) }
            guard let finished = record(result) else {
                giveUp()
                return (result, nil)
            }
            do {
                try finish(db, prepared, finished)
                try prepared.close()
            } catch {
                giveUp()
                throw error
            }
            return (result, claimed)
        }
    }

    /// One transaction for the whole batch.
    private func commit(_ batch: [Request], store: Store, body: Body) -> Result<[Ledger.Claim], Error> {
        Result {
            try transaction(store: store) { db, statements in
                try batch.map { try body(db, statements, $0.id, $0.now, $0.finished) }
            }
        }
    }
}
