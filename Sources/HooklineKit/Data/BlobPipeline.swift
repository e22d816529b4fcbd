import Foundation
import GRDB

/// Keyed blobs, many per batch, in two byte arenas.
struct BlobBatch {
    private(set) var keys: [UInt8] = []
    private(set) var keyEnds: [Int] = []
    private(set) var data: [UInt8] = []
    private(set) var dataEnds: [Int] = []

    var count: Int { keyEnds.count }

    mutating func add(key: UnsafeBufferPointer<UInt8>, data blob: UnsafeBufferPointer<UInt8>) {
        keys.append(contentsOf: key)
        keyEnds.append(keys.count)
        data.append(contentsOf: blob)
        dataEnds.append(data.count)
    }

    /// Calls `body` with each entry's position, key and blob.
    func forEach(_ body: (Int, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try keys.withUnsafeBufferPointer { k in
            try data.withUnsafeBufferPointer { d in
                var keyStart = 0, dataStart = 0
                for index in 0..<count {
                    try body(index, UnsafeBufferPointer(rebasing: k[keyStart..<keyEnds[index]]),
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
            Trace.phase("encode blobs") { produce { batch in
                condition.lock()
                while queue.count >= depth { condition.wait() }
                queue.append(batch)
                condition.broadcast()
                condition.unlock()
            } }
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

extension BlobPipeline {
    /// For the producer: one blob per customer, customers in key order, handed on in
    /// batches. `encode` gets the customer's rows (in file order) and an empty writer.
    ///
    /// A customer's rows lie scattered over the columns, so each would be a cache miss in
    /// turn. `prefetch(row, stage)` is called for the rows of the customer four ahead
    /// (stage 1: what the row's number alone locates) and two ahead (stage 2: what stage 1
    /// brought in locates), so that those reads are under way while this one is encoded.
    static func encodeInKeyOrder(_ customers: ByteInterner, _ sorted: [Int32], _ groups: Grouping,
                                 emit: (BlobBatch) -> Void, prefetch: (Int32, Int) -> Void,
                                 encode: (inout [Int32], inout ByteWriter) -> Void) {
        var batch = BlobBatch()
        var writer = ByteWriter(capacity: 4096)
        var rows: [Int32] = []
        for position in 0..<sorted.count {
            if position + 4 < sorted.count {
                customers.prefetch(Int(sorted[position + 4]), bytes: false)
                for k in groups.range(position + 4) { prefetch(groups.member(k), 1) }
            }
            if position + 2 < sorted.count {
                customers.prefetch(Int(sorted[position + 2]), bytes: true)
                for k in groups.range(position + 2) { prefetch(groups.member(k), 2) }
            }
            rows.removeAll(keepingCapacity: true)
            for k in groups.range(position) { rows.append(groups.member(k)) }
            if rows.isEmpty { continue }
            writer.reset()
            encode(&rows, &writer)
            customers.withBytes(Int(sorted[position])) { key in writer.withBytes { batch.add(key: key, data: $0) } }
            if batch.count == 4096 {
                emit(batch)
                batch = BlobBatch()
            }
        }
        emit(batch)
    }

    /// Rows per statement when nothing is merged: one statement's start, cursors and reset
    /// then serve this many rows (a statement per row cost a third of writing each blob).
    static let rowsPerInsert = 64

    /// Inserts every blob into `table` (`customer_id`, `data`). In an append, a customer who
    /// already has a stored blob gets `merge(stored, new)` instead.
    func store(in db: Database, table: String, append: Bool, merge: ([UInt8], [UInt8]) throws -> [UInt8]) throws {
        defer { drain() }
        let head = "INSERT OR REPLACE INTO \(table)(customer_id, data)"
        let upsert = try RawStatement(db, insert: head, columns: 2, rows: 1)
        let many = append ? nil : try RawStatement(db, insert: head, columns: 2, rows: BlobPipeline.rowsPerInsert)
        let existing = append ? try RawStatement(db, "SELECT data FROM \(table) WHERE customer_id = ?") : nil
        while let batch = next() {
            // Whole groups of rows go through `many`; the rest, and every merge, one by one.
            let grouped = many == nil ? 0 : batch.count - batch.count % BlobPipeline.rowsPerInsert
            try batch.forEach { index, key, blob in
                if let many, index < grouped {
                    let slot = Int32(index % BlobPipeline.rowsPerInsert)
                    many.bind(2 * slot + 1, text: key, copy: false)
                    many.bind(2 * slot + 2, blob: blob, copy: false)
                    if slot == Int32(BlobPipeline.rowsPerInsert - 1) { try many.run() }
                    return
                }
                upsert.bind(1, text: key, copy: false)
                if let existing {
                    existing.bind(1, text: key)
                    let stored = try existing.step() ? [UInt8](existing.bytes(0)) : nil
                    existing.reset()
                    if let stored { upsert.bind(2, blob: try merge(stored, Array(blob))) } else { upsert.bind(2, blob: blob) }
                } else {
                    upsert.bind(2, blob: blob, copy: false)
                }
                try upsert.run()
            }
        }
    }
}

/// Lets a producer thread read a value the caller no longer changes.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}
