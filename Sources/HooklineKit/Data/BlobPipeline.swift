import Foundation

/// Keyed blobs, many per batch, in two byte arenas.
struct BlobBatch {
    private(set) var keys: [UInt8] = []
    private(set) var keyEnds: [Int] = []
    private(set) var data: [UInt8] = []
    private(set) var dataEnds: [Int] = []

    var count: Int { keyEnds.count }

    mutating func add(key: UnsafeBufferPointer<UInt8>, data blob: [UInt8]) {
        keys.append(contentsOf: key)
        keyEnds.append(keys.count)
        data.append(contentsOf: blob)
        dataEnds.append(data.count)
    }

    /// Calls `body` with each key and blob.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try keys.withUnsafeBufferPointer { k in
            try data.withUnsafeBufferPointer { d in
                var keyStart = 0, dataStart = 0
                for index in 0..<count {
                    try body(UnsafeBufferPointer(rebasing: k[keyStart..<keyEnds[index]]),
                             UnsafeBufferPointer(rebasing: d[dataStart..<dataEnds[index]]))
                    keyStart = keyEnds[index]
                    dataStart = dataEnds[index]
                }
            }
        }
    }
}

/// Encodes blobs on another thread while the caller writes them to the store: the
/// encoding reads columns scattered over hundreds of megabytes, the store is busy with
/// its B-tree, and the two overlap on two cores. At most `depth` batches wait.
final class BlobPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [BlobBatch] = []
    private var finished = false
    private let depth = 4

    /// `produce` runs on its own thread and hands batches to `emit` in order.
    init(_ produce: @escaping @Sendable (_ emit: (BlobBatch) -> Void) -> Void) {
        let thread = Thread { [self] in
            produce { batch in
                condition.lock()
                while queue.count >= depth { condition.wait() }
                queue.append(batch)
                condition.broadcast()
                condition.unlock()
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next batch, or nil when the producer is done.
    func next() -> BlobBatch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        guard !queue.isEmpty else { return nil }
        let batch = queue.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Takes every batch that is left (after an error), so the producer can finish.
    func drain() { while next() != nil {} }
}

/// Lets a producer thread read a value the caller no longer changes.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}
