import Foundation

/// The work shared by a send's worker threads: rows to send, retries waiting
/// for their back-off, and the running totals.
final class SendQueue: @unchecked Sendable {
    enum Result {
        case done(LedgerState)
        case retry(after: Double)
        case skipped
        case stop(String)
    }

    private let condition = NSCondition()
    private var waiting: [(entry: LedgerEntry, notBefore: Double)]
    private var inFlight = 0
    private var stopped = false
    private var done = 0
    private let total: Int
    private let started = RateLimiter.monotonicSeconds()
    private(set) var summary = SendSummary()

    init(_ entries: [LedgerEntry]) {
        waiting = entries.reversed().map { ($0, 0) }
        total = entries.count
    }

    /// The next row ready to send; waits for back-offs; nil when everything is done or the run stopped.
    func next() -> LedgerEntry? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            let now = RateLimiter.monotonicSeconds()
            if let index = waiting.lastIndex(where: { $0.notBefore <= now }) {
                inFlight += 1
                return waiting.remove(at: index).entry
            }
            if waiting.isEmpty && inFlight == 0 { return nil }
            let soonest = waiting.map(\.notBefore).min() ?? now + 0.1
            _ = condition.wait(until: Date(timeIntervalSinceNow: max(0.005, min(soonest - now, 0.5))))
        }
        return nil
    }

    func finish(_ entry: LedgerEntry, result: Result, retry: RetryPolicy) {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        inFlight -= 1
        switch result {
        case .retry(let delay):
            waiting.insert((entry, RateLimiter.monotonicSeconds() + delay), at: 0)
            return
        case .done(let state):
            switch state {
            case .sent: summary.sent += 1
            case .deferred: summary.deferred += 1
            case .bounced: summary.bounced += 1
            case .failed: summary.failed += 1
            case .cancelled: summary.cancelled += 1
            default: break
            }
        case .skipped:
            break
        case .stop(let reason):
            summary.deferred += 1
            stopLocked(reason)
        }
        done += 1
    }

    func stop(because reason: String) {
        condition.lock()
        stopLocked(reason)
        condition.broadcast()
        condition.unlock()
    }

    private func stopLocked(_ reason: String) {
        if summary.stoppedBecause == nil { summary.stoppedBecause = reason }
        stopped = true
    }

    func progress() -> SendProgress {
        condition.lock()
        defer { condition.unlock() }
        return SendProgress(done: done, total: total, elapsedSeconds: RateLimiter.monotonicSeconds() - started)
    }
}
