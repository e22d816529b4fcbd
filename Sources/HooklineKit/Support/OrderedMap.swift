import Foundation

/// Maps a stream on worker threads and hands the results back in order, on the thread
/// that reads the stream.
///
/// The caller's thread reads (`produce`) and gathers runs of `runSize` inputs; the workers
/// transform whole runs; the caller's thread gives each result to `consume` in input order
/// as soon as its run is done. At most `2 × workers` runs wait to be transformed, so memory
/// stays flat in the length of the stream. Used where reading must stay on one thread (a
/// database read) but the per-item work (a customer's features) can spread over the cores.
enum OrderedMap {
    static func run<Input: Sendable, Output: Sendable>(
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, runSize: Int = 2048,
        transform: @escaping @Sendable (Input) -> Output,
        produce: ((Input) throws -> Void) throws -> Void, consume: (Output) throws -> Void
    ) throws {
        let workers = max(1, workers)
        let queue = Runs<Input, Output>(depth: 2 * workers)
        let group = DispatchGroup()
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                while let (number, inputs) = queue.take() {
                    queue.finish(number, inputs.map(transform))
                }
            }
        }
        defer {
            queue.close()
            group.wait()
        }
        // `consume` runs inside `produce`'s callback, on this thread, between two inputs.
        try withoutActuallyEscaping(consume) { consume in
            var run: [Input] = []
            var given = 0, consumed = 0
            func drain(waiting: Bool) throws {
                while consumed < given, let outputs = queue.result(consumed, wait: waiting) {
                    consumed += 1
                    for output in outputs { try consume(output) }
                }
            }
            try produce { input in
                if run.isEmpty { run.reserveCapacity(runSize) }
                run.append(input)
                guard run.count == runSize else { return }
                queue.put(given, run)
                given += 1
                run = []
                try drain(waiting: false)
            }
            if !run.isEmpty {
                queue.put(given, run)
                given += 1
            }
            try drain(waiting: true)
        }
    }

    /// Runs waiting for a worker, and results waiting for the reader.
    private final class Runs<Input, Output>: @unchecked Sendable {
        private let condition = NSCondition()
        private var waiting: [(Int, [Input])] = []
        private var results: [Int: [Output]] = [:]
        private var closed = false
        private let depth: Int

        init(depth: Int) { self.depth = depth }

        /// Queues a run, waiting while `depth` are queued (the workers always make room).
        func put(_ number: Int, _ run: [Input]) {
            condition.lock()
            defer { condition.unlock() }
            while waiting.count >= depth { condition.wait() }
            waiting.append((number, run))
            condition.broadcast()
        }

        /// The next run for a worker; nil once closed and empty.
        func take() -> (Int, [Input])? {
            condition.lock()
            defer { condition.unlock() }
            while waiting.isEmpty && !closed { condition.wait() }
            guard !waiting.isEmpty else { return nil }
            let run = waiting.removeFirst()
            condition.broadcast()
            return run
        }

        func finish(_ number: Int, _ outputs: [Output]) {
            condition.lock()
            results[number] = outputs
            condition.broadcast()
            condition.unlock()
        }

        /// Run `number`'s results once done; without `wait`, nil while it is not.
        func result(_ number: Int, wait: Bool) -> [Output]? {
            condition.lock()
            defer { condition.unlock() }
            while wait && results[number] == nil { condition.wait() }
            return results.removeValue(forKey: number)
        }

        /// No more runs; the workers end once the queue is empty. When the reader gave up
        /// (an error), the runs still queued are transformed and their results dropped.
        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
