import Foundation

/// Maps byte strings (ids, product names, URLs, straight from the CSV chunk)
/// to dense numbers 0, 1, 2, … without making a `String` for every row: an
/// open-addressing hash table over one byte arena. Only a value never seen
/// before becomes a string, once.
struct ByteInterner {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    /// 0 for an empty slot, else the value's hash (high half) and number + 1 (low half):
    /// one memory read per probe.
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 1024
        while size * 3 < capacity * 4 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// Reserves room for `values` values of about `bytes` bytes each (reserved, not touched).
    mutating func reserve(values: Int, bytes: Int) {
        starts.reserveCapacity(values + 1)
        arena.reserveCapacity(values * bytes)
    }

    var count: Int { starts.count - 1 }

    /// The bytes of value `index`, as text (values are checked UTF-8 by the caller).
    func string(_ index: Int) -> String {
        arena.withUnsafeBufferPointer { b in
            String(decoding: UnsafeBufferPointer(rebasing: b[starts[index]..<starts[index + 1]]), as: UTF8.self)
        }
    }

    /// Calls `body` with the bytes of value `index`.
    func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try arena.withUnsafeBufferPointer { b in try body(UnsafeBufferPointer(rebasing: b[starts[index]..<starts[index + 1]])) }
    }

    /// Every value's number, in SQLite's BINARY order of the bytes (what `ORDER BY` on a
    /// text key gives), so rows keyed by these values can be inserted in key order.
    func sortedIndices() -> [Int32] {
        var order = (0..<Int32(count)).map { $0 }
        arena.withUnsafeBufferPointer { b in
            order.sort { x, y in
                KeyOrder.less(UnsafeBufferPointer(rebasing: b[starts[Int(x)]..<starts[Int(x) + 1]]),
                              UnsafeBufferPointer(rebasing: b[starts[Int(y)]..<starts[Int(y) + 1]]))
            }
        }
        return order
    }

    /// The number of `bytes`, and whether it is new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> (index: Int32, isNew: Bool) {
        let hash = ByteInterner.hash(bytes)
        var slot = Int(hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash, equals(Int(entry & 0xFFFF_FFFF) - 1, bytes) {
                return (Int32(entry & 0xFFFF_FFFF) - 1, false)
            }
            slot = (slot + 1) & mask
        }
        let index = count
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        slots[slot] = UInt64(hash) << 32 | UInt64(index + 1)
        if count * 4 > slots.count * 3 { grow() }
        return (Int32(index), true)
    }

    /// Looks up without adding.
    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let hash = ByteInterner.hash(bytes)
        var slot = Int(hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash, equals(Int(entry & 0xFFFF_FFFF) - 1, bytes) {
                return Int32(entry & 0xFFFF_FFFF) - 1
            }
            slot = (slot + 1) & mask
        }
    }

    func equals(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[index], end = starts[index + 1]
        guard end - start == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { b in
            memcmp(b.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        let old = slots
        let size = slots.count * 2
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for entry in old where entry != 0 {
            var slot = Int(UInt32(truncatingIfNeeded: entry >> 32)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = 0
        let n = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
                h ^= h >> 32
                i += 8
            }
        }
        while i < n {
            h = (h ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3
            i += 1
        }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return UInt32(truncatingIfNeeded: h)
    }
}

/// SQLite's BINARY order (what `ORDER BY` on a text key gives): bytes compared, then length.
enum KeyOrder {
    static func less(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = min(x.count, y.count)
        let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
        return c != 0 ? c < 0 : x.count < y.count
    }

    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in less(x, y) } }
    }
}
