import Foundation

/// Runs of items handed from the one thread that reads them to worker threads, numbered
/// in reading order, at most `depth` waiting: memory holds a few runs however long the
/// stream (the preview's members, the audience pass's customers).
final class RunFeed<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [(Int, [Item])] = []
    private var given = 0
    private var closed = false, stopped = false
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    /// Queues a run, waiting while `depth` are queued; false once the feed has stopped.
    func put(_ run: [Item]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while waiting.count >= depth && !stopped { condition.wait() }
        guard !stopped else { return false }
        waiting.append((given, run))
        given += 1
        condition.broadcast()
        return true
    }

    /// The next run and its number (0, 1, … in the order put); nil when closed and empty,
    /// or stopped.
    func take() -> (Int, [Item])? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !closed && !stopped { condition.wait() }
        guard !stopped, !waiting.isEmpty else { return nil }
        let run = waiting.removeFirst()
        condition.broadcast()
        return run
    }

    /// No more runs will come; the workers end once the queued ones are taken.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Something failed: the queued runs are dropped, and both sides stop.
    func stop() {
        condition.lock()
        stopped = true
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
