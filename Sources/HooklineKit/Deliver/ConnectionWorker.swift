import Foundation

/// One connection's loop: claim a row, transfer its message, record the reply.
///
/// The reply to a transfer is committed in the same transaction as the next row's claim,
/// or on its own as soon as no next message is ready. So each message costs one ledger
/// commit, every reply is committed before the next transfer starts, and at most one row
/// per connection is ever `sending` — which is what a crash can leave `in_doubt`.
///
/// The next message's envelope may go out before its row is claimed (behind the current
/// content, see ``MailConnection/deliver(_:announcing:whileWaiting:)``): an envelope alone delivers
/// nothing, and its content waits for the claim. A row that cannot be claimed is withdrawn.
final class ConnectionWorker {
    /// A transfer whose reply is known but not committed yet.
    private struct Unrecorded {
        let entry: LedgerEntry
        let finish: Ledger.Finish
        let result: SendQueue.Result
    }

    private let sender: Sender
    private let connection: any MailConnection
    private let queue: SendQueue
    private let rendered: RenderedQueue
    private let limiter: RateLimiter
    private let progress: @Sendable (SendProgress) -> Void
    private var unrecorded: Unrecorded?
    /// The message after the one in transfer, taken early so that its commands can follow
    /// the current content on the wire (see ``MailConnection/deliver(_:announcing:whileWaiting:)``).
    private var lookahead: RenderedQueue.Item?
    /// Whether the next row is claimed while the current reply is on its way (one
    /// connection only: that holds the store's write lock across the wait).
    private let claimsWhileWaiting: Bool
    /// The lookahead's row, claimed and committed with the previous reply.
    private var claimedAhead: (id: Int64, claim: Ledger.Claim)?

    init(sender: Sender, connection: any MailConnection, queue: SendQueue, rendered: RenderedQueue,
         limiter: RateLimiter, claimsWhileWaiting: Bool, progress: @escaping @Sendable (SendProgress) -> Void) {
        self.claimsWhileWaiting = claimsWhileWaiting
        self.sender = sender
        self.connection = connection
        self.queue = queue
        self.rendered = rendered
        self.limiter = limiter
        self.progress = progress
    }

    func run() {
        while true {
            let item: RenderedQueue.Item
            do {
                guard let next = try nextItem() else { break }
                item = next
            } catch {
                stop(ledgerError: error)
                return
            }
            guard let result = send(item) else { continue }
            report(item.entry, result)
            if case .stop = result {
                rendered.cancel()
                return
            }
        }
        do { try recordReply() } catch { stop(ledgerError: error) }
    }

    /// The next rendered message; the pending reply is committed first if there is a wait.
    private func nextItem() throws -> RenderedQueue.Item? {
        if let ready = lookahead ?? rendered.take(wait: false) {
            lookahead = nil
            return ready
        }
        try recordReply()
        return rendered.take(wait: true)
    }

    private func recordReply() throws {
        guard let pending = unrecorded else { return }
        try sender.ledger.finish(pending.finish, now: sender.clock())
        unrecorded = nil
        report(pending.entry, pending.result)
    }

    private func report(_ entry: LedgerEntry, _ result: SendQueue.Result) {
        queue.finish(entry, result: result, retry: sender.retry)
        progress(queue.progress())
    }

    private func stop(ledgerError error: any Error) {
        let reason = "the ledger could not be updated: \(error)"
        if let pending = unrecorded {
            unrecorded = nil
            report(pending.entry, .stop(reason))
        }
        rendered.cancel()
    }

    /// The next rendered message, if one is ready, to be announced behind the current content.
    /// Not under a rate limit: an announced DATA must not wait for the limiter.
    private func peekNext() -> OutgoingMessage? {
        guard !limiter.limits else { return nil }
        if lookahead == nil { lookahead = rendered.take(wait: false) }
        guard case .success(let message)? = lookahead?.message else { return nil }
        return message
    }

    /// Claims and transfers one message. Returns its result, or nil when the reply is left
    /// in `unrecorded`, to be committed with the next claim.
    private func send(_ item: RenderedQueue.Item) -> SendQueue.Result? {
        let ledger = sender.ledger
        let entry = item.entry
        do {
            let message: OutgoingMessage
            switch item.message {
            case .success(let rendered):
                message = rendered
            case .failure(let error):
                connection.withdrawAnnounced()
                try recordReply()
                try ledger.finish(entry.id, state: .failed, code: nil, reply: nil,
                                  note: "the message could not be built: \(error)", now: sender.clock())
                return .done(.failed)
            }
            if let problem = item.envelopeProblem {
                connection.withdrawAnnounced()
                try recordReply()
                try ledger.finish(entry.id, state: .failed, code: nil, reply: nil, note: problem, now: sender.clock())
                return .done(.failed)
            }
            // A reply is never held back while the rate limiter sleeps.
            if limiter.limits { try recordReply() }
            limiter.acquire()
            let claim: Ledger.Claim
            if let ahead = claimedAhead, ahead.id == entry.id {
                claim = ahead.claim
            } else {
                let previous = unrecorded
                claim = try ledger.claim(entry.id, now: sender.clock(), recording: previous?.finish)
                if let previous {
                    unrecorded = nil
                    report(previous.entry, previous.result)
                }
            }
            claimedAhead = nil
            let attempt: Int
            switch claim {
            case .claimed(let number): attempt = number
            case .suppressed:
                connection.withdrawAnnounced()
                return .done(.cancelled)
            case .notPending:
                connection.withdrawAnnounced()
                return .skipped
            }
            let next = peekNext()
            let delivered: Result<DeliveryOutcome, any Error>
            if claimsWhileWaiting, next != nil, let ahead = lookahead?.entry, lookahead?.envelopeProblem == nil {
                let overlapped = try ledger.claimWhileWaiting(ahead.id, clock: sender.clock) { claimNext in
                    Result { try connection.deliver(message, announcing: next, whileWaiting: claimNext) }
                } recording: { delivered in
                    (try? delivered.get()).map { finish(entry, $0) }
                }
                delivered = overlapped.result
                if let claim = overlapped.next {
                    // This reply is committed with the claim: report it now.
                    claimedAhead = (ahead.id, claim)
                    if case .success(let outcome) = delivered { return result(outcome, attempt: attempt) }
                }
            } else {
                delivered = Result { try connection.deliver(message, announcing: next) }
            }
            switch delivered {
            case .success(let outcome):
                unrecorded = Unrecorded(entry: entry, finish: finish(entry, outcome), result: result(outcome, attempt: attempt))
                return nil
            case .failure(let error):
                // Not handed over: the row waits for the next run.
                try ledger.finish(entry.id, state: .deferred, code: nil, reply: nil, note: "\(error)", now: sender.clock())
                return .stop("\(error)")
            }
        } catch {
            let reason = "the ledger could not be updated: \(error)"
            if let pending = unrecorded {
                unrecorded = nil
                report(pending.entry, .stop(reason))
            }
            return .stop(reason)
        }
    }

    private func finish(_ entry: LedgerEntry, _ outcome: DeliveryOutcome) -> Ledger.Finish {
        let note: String? = if case .failed(let reason) = outcome { reason } else { nil }
        return Ledger.Finish(id: entry.id, state: outcome.state, code: outcome.reply?.code, reply: outcome.reply?.text,
                             note: note)
    }

    private func result(_ outcome: DeliveryOutcome, attempt: Int) -> SendQueue.Result {
        if case .deferred = outcome, attempt < sender.retry.attempts {
            return .retry(after: sender.retry.delay(beforeAttempt: attempt + 1))
        }
        return .done(outcome.state)
    }
}
