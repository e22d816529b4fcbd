import Foundation

/// Renders the message for one ledger row (the composer, wired by the CLI).
public protocol MessageSource: Sendable {
    func message(for entry: LedgerEntry) throws -> OutgoingMessage
}

/// A ``MessageSource`` made from a function.
public struct MessageRenderer: MessageSource {
    private let render: @Sendable (LedgerEntry) throws -> OutgoingMessage

    public init(_ render: @escaping @Sendable (LedgerEntry) throws -> OutgoingMessage) {
        self.render = render
    }

    public func message(for entry: LedgerEntry) throws -> OutgoingMessage { try render(entry) }
}

/// A snapshot of a running send, for a progress bar.
public struct SendProgress: Sendable {
    public var done: Int
    public var total: Int
    public var elapsedSeconds: Double
    /// Messages per second so far.
    public var rate: Double { elapsedSeconds > 0 ? Double(done) / elapsedSeconds : 0 }
    /// Seconds left at the current rate; nil until there is a rate.
    public var etaSeconds: Double? { rate > 0 ? Double(total - done) / rate : nil }
}

/// What one send run did. `deferred` rows are retried by the next run; `leftForLater`
/// rows did not fit the daily quota and go first next time.
public struct SendSummary: Sendable, Codable, Equatable {
    public var sent = 0
    public var deferred = 0
    public var bounced = 0
    public var failed = 0
    public var cancelled = 0
    public var leftForLater = 0
    /// Why the run stopped early (refused login, TLS failure, …), if it did.
    public var stoppedBecause: String?

    public init() {}
}

/// Sends ledger rows through a mailer: each row is committed as `sending` before its
/// transfer and updated right after, so a crash leaves at most one row per connection
/// `in_doubt` and never causes a duplicate.
public struct Sender: Sendable {
    public var ledger: Ledger
    public var mailer: any Mailer
    public var source: any MessageSource
    public var retry: RetryPolicy
    public var rate: Rate?
    public var dailyQuota: Int?
    /// Seconds since 1970 for ledger timestamps; injected so tests control it.
    public var clock: @Sendable () -> Int64

    public init(ledger: Ledger, mailer: any Mailer, source: any MessageSource, retry: RetryPolicy = RetryPolicy(),
                rate: Rate? = nil, dailyQuota: Int? = nil,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.ledger = ledger
        self.mailer = mailer
        self.source = source
        self.retry = retry
        self.rate = rate
        self.dailyQuota = dailyQuota
        self.clock = clock
    }

    /// Sends `entries` (from ``Ledger/pending(now:campaigns:)``) over the mailer's connections.
    public func send(_ entries: [LedgerEntry], progress: @escaping @Sendable (SendProgress) -> Void = { _ in }) throws
        -> SendSummary {
        var work = entries
        var leftForLater = 0
        if let quota = dailyQuota {
            let now = clock()
            let used = try ledger.sentCount(since: now - ((now % 86_400) + 86_400) % 86_400)
            let room = max(0, quota - used)
            if work.count > room {
                leftForLater = work.count - room
                work = Array(work.prefix(room))
            }
        }
        let queue = SendQueue(work)
        let limiter = RateLimiter(rate: rate)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(mailer.connections, work.count)) {
            group.enter()
            let worker = Thread { [self] in
                defer { group.leave() }
                runWorker(queue: queue, limiter: limiter, progress: progress)
            }
            worker.start()
        }
        group.wait()
        var summary = queue.summary
        summary.leftForLater = leftForLater
        return summary
    }

    private func runWorker(queue: SendQueue, limiter: RateLimiter, progress: @Sendable (SendProgress) -> Void) {
        let connection: any MailConnection
        do {
            connection = try mailer.openConnection()
        } catch {
            queue.stop(because: "\(error)")
            return
        }
        while let entry = queue.next() {
            let result = deliverOne(entry, connection: connection, limiter: limiter)
            queue.finish(entry, result: result, retry: retry)
            progress(queue.progress())
        }
    }

    private func deliverOne(_ entry: LedgerEntry, connection: any MailConnection, limiter: RateLimiter) -> SendQueue.Result {
        do {
            let message: OutgoingMessage
            do {
                message = try source.message(for: entry)
            } catch {
                try ledger.finish(entry.id, state: .failed, code: nil, reply: nil,
                                  note: "the message could not be built: \(error)", now: clock())
                return .done(.failed)
            }
            if let problem = EnvelopeCheck.problem(message) {
                try ledger.finish(entry.id, state: .failed, code: nil, reply: nil, note: problem, now: clock())
                return .done(.failed)
            }
            limiter.acquire()
            let attempt: Int
            switch try ledger.claim(entry.id, now: clock()) {
            case .claimed(let number): attempt = number
            case .suppressed: return .done(.cancelled)
            case .notPending: return .skipped
            }
            let outcome: DeliveryOutcome
            do {
                outcome = try connection.deliver(message)
            } catch {
                // Not handed over: the row waits for the next run.
                try ledger.finish(entry.id, state: .deferred, code: nil, reply: nil, note: "\(error)", now: clock())
                return .stop("\(error)")
            }
            let note: String? = if case .failed(let reason) = outcome { reason } else { nil }
            try ledger.finish(entry.id, state: outcome.state, code: outcome.reply?.code, reply: outcome.reply?.text,
                              note: note, now: clock())
            if case .deferred = outcome, attempt < retry.attempts {
                return .retry(after: retry.delay(beforeAttempt: attempt + 1))
            }
            return .done(outcome.state)
        } catch {
            return .stop("the ledger could not be updated: \(error)")
        }
    }
}
