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
        let feed = RunFeed<Input>(depth: 2 * workers)
        let results = Results<Output>()
        let group = DispatchGroup()
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                while let (number, inputs) = feed.take() {
                    results.finish(number, inputs.map(transform))
                }
            }
        }
        var finished = false
        defer {
            // After an error the queued runs are dropped rather than transformed.
            if finished { feed.close() } else { feed.stop() }
            group.wait()
        }
        // `consume` runs inside `produce`'s callback, on this thread, between two inputs.
        try withoutActuallyEscaping(consume) { consume in
            var run: [Input] = []
            var given = 0, consumed = 0
            func drain(waiting: Bool) throws {
                while consumed < given, let outputs = results.take(consumed, wait: waiting) {
                    consumed += 1
                    for output in outputs { try consume(output) }
                }
            }
            func put() {
                _ = feed.put(run)
                given += 1
                run = []
            }
            try produce { input in
                if run.isEmpty { run.reserveCapacity(runSize) }
                run.append(input)
                guard run.count == runSize else { return }
                put()
                try drain(waiting: false)
            }
            if !run.isEmpty { put() }
            try drain(waiting: true)
        }
        finished = true
    }

    /// Transformed runs waiting for the reader, by run number.
    private final class Results<Output>: @unchecked Sendable {
        private let condition = NSCondition()
        private var done: [Int: [Output]] = [:]

        func finish(_ number: Int, _ outputs: [Output]) {
            condition.lock()
            done[number] = outputs
            condition.broadcast()
            condition.unlock()
        }

        /// Run `number`'s results once done; without `wait`, nil while it is not.
        func take(_ number: Int, wait: Bool) -> [Output]? {
            condition.lock()
            defer { condition.unlock() }
            while wait && done[number] == nil { condition.wait() }
            return done.removeValue(forKey: number)
        }
    }
}
