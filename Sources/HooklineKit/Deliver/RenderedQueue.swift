import Foundation

/// Messages rendered ahead of the connections that send them, so that a connection
/// never waits for rendering while another core is free. Bounded, so memory stays
/// flat in the number of recipients.
final class RenderedQueue: @unchecked Sendable {
    struct Item {
        let entry: LedgerEntry
        let message: Result<OutgoingMessage, any Error>
        /// ``EnvelopeCheck``'s verdict, reached on the rendering thread rather than the
        /// connection's, which has the ledger commit and the transfer to do per message.
        let envelopeProblem: String?

        init(entry: LedgerEntry, message: Result<OutgoingMessage, any Error>) {
            self.entry = entry
            self.message = message
            envelopeProblem = (try? message.get()).flatMap(EnvelopeCheck.problem)
        }
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private var producers: Int
    private var cancelled = false

    /// `producers` threads will call ``put(_:)`` and then ``producerFinished()`` once each.
    init(capacity: Int, producers: Int) {
        self.capacity = max(1, capacity)
        self.producers = producers
    }

    /// Adds a rendered message; waits while the queue is full. False once the run is cancelled.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The oldest rendered message. With `wait`, waits until one is ready or every
    /// producer has finished; nil when there is none or the run is cancelled.
    func take(wait: Bool) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled {
            if !items.isEmpty {
                // Producers waiting on a full queue are woken once it is half empty, not after
                // every message: they then render a batch each time instead of one per wake-up.
                if items.count == capacity / 2 + 1 || items.count == 1 { condition.broadcast() }
                return items.removeFirst()
            }
            guard wait, producers > 0 else { return nil }
            condition.wait()
        }
        return nil
    }

    func producerFinished() {
        condition.lock()
        producers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the run: waiting producers and consumers return, rendered messages are dropped
    /// (their rows were never claimed, so they stay pending in the ledger).
    func cancel() {
        condition.lock()
        cancelled = true
        items = []
        condition.broadcast()
        condition.unlock()
    }
}
