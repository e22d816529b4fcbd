import Foundation

/// Renders the message for one ledger row (the composer, wired by the CLI).
public protocol MessageSource: Sendable {
    func message(for entry: LedgerEntry) throws -> OutgoingMessage
    /// A renderer for one thread. It may keep caches that are not thread-safe, such as
    /// the content-rule results that repeat across recipients.
    func threadRenderer() -> any ThreadRenderer
}

/// Renders messages on the one thread that made it.
public protocol ThreadRenderer {
    func message(for entry: LedgerEntry) throws -> OutgoingMessage
}

extension MessageSource {
    public func threadRenderer() -> any ThreadRenderer { SharedSourceRenderer(source: self) }
}

/// A source without per-thread state, used as it is.
struct SharedSourceRenderer: ThreadRenderer {
    let source: any MessageSource

    func message(for entry: LedgerEntry) throws -> OutgoingMessage { try source.message(for: entry) }
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
        let connections = max(1, min(mailer.connections, work.count))
        // Rendering runs ahead on its own threads, one per core at most: a connection
        // waiting for the server's reply then leaves the core to the next message's render.
        let renderers = max(1, min(connections, ProcessInfo.processInfo.activeProcessorCount))
        let rendered = RenderedQueue(capacity: 16 * connections, producers: renderers)
        // Checkpoints run beside the send, not inside the commit that precedes a transfer.
        let checkpoint = BackgroundCheckpoint.start(for: ledger.store)
        defer { checkpoint?.stop() }
        let group = DispatchGroup()
        func start(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            Thread {
                body()
                group.leave()
            }.start()
        }
        for _ in 0..<renderers {
            start { [self] in runRenderer(queue: queue, rendered: rendered) }
        }
        for _ in 0..<connections {
            // One connection claims its next row while a reply is on its way; several share
            // commits instead (see `ClaimGroup`), which a held write lock would serialise.
            start { [self] in
                runWorker(queue: queue, rendered: rendered, limiter: limiter, claimsWhileWaiting: connections == 1,
                          progress: progress)
            }
        }
        group.wait()
        var summary = queue.summary
        summary.leftForLater = leftForLater
        return summary
    }

    private func runRenderer(queue: SendQueue, rendered: RenderedQueue) {
        defer { rendered.producerFinished() }
        let renderer = source.threadRenderer()
        while let entry = queue.next() {
            let message = Result { try renderer.message(for: entry) }
            guard rendered.put(.init(entry: entry, message: message)) else { return }
            // Rendering runs in batches of several messages; a connection thread woken by a
            // reply on this core would otherwise wait for the whole batch (seen as 200–300 µs
            // stalls in `perf sched timehist`). Yielding lets it in after at most one message.
            sched_yield()
        }
    }

    private func runWorker(queue: SendQueue, rendered: RenderedQueue, limiter: RateLimiter, claimsWhileWaiting: Bool,
                           progress: @escaping @Sendable (SendProgress) -> Void) {
        let connection: any MailConnection
        do {
            connection = try mailer.openConnection()
        } catch {
            queue.stop(because: "\(error)")
            rendered.cancel()
            return
        }
        ConnectionWorker(sender: self, connection: connection, queue: queue, rendered: rendered, limiter: limiter,
                         claimsWhileWaiting: claimsWhileWaiting, progress: progress).run()
    }
}
