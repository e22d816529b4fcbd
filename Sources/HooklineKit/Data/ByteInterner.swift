import CSupport
import Foundation

/// Maps byte strings (ids, product names, URLs, straight from the CSV chunk)
/// to dense numbers 0, 1, 2, … without making a `String` for every row: an
/// open-addressing hash table over one byte arena. Only a value never seen
/// before becomes a string, once.
struct ByteInterner {
    /// One table entry, 16 bytes: the value's first 8 bytes, its hash and length decide
    /// most lookups in one memory read; the arena is read only for values longer than 8.
    struct Slot {
        /// The first 8 bytes, zero-padded.
        var prefix: UInt64
        /// 0 for an empty slot, else the hash (32 bits), the length (4 bits: 9 means
        /// longer than 8) and the number + 1 (28 bits).
        var meta: UInt64
    }

    /// At most this many values (the number + 1 must fit in 28 bits).
    static let limit = (1 << 28) - 2
    private static let numberBits: UInt64 = (1 << 28) - 1

    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var slots: [Slot]
    private var mask: Int

    /// Values can be added with `append` before the first lookup: the table is built then.
    static func unindexed() -> ByteInterner {
        var interner = ByteInterner()
        interner.dropLookups()
        return interner
    }

    init(capacity: Int = 1024) {
        var size = 1024
        while size * 3 < capacity * 4 { size <<= 1 }
        slots = [Slot](large: size, repeating: Slot(prefix: 0, meta: 0))
        mask = size - 1
    }

    /// Reserves room for `values` values of about `bytes` bytes each (reserved, not touched).
    mutating func reserve(values: Int, bytes: Int) {
        starts.reserveLarge(values + 1)
        arena.reserveLarge(values * bytes)
    }

    var count: Int { starts.count - 1 }

    /// An error for the row that would add a value past `limit`, else nil.
    func roomError(_ row: CSVRow, field: String) -> InputError? {
        guard count >= ByteInterner.limit else { return nil }
        return InputError(file: row.file, line: row.line, field: field,
                          "more than \(ByteInterner.limit) distinct values in one file",
                          hint: "split the file and import the parts one after another")
    }

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

    /// Starts loading what `withBytes(index)` reads: the value's offset, or (`bytes`, once
    /// an earlier call has brought the offset in) its first bytes.
    @inline(__always)
    func prefetch(_ index: Int, bytes: Bool) {
        starts.withUnsafeBufferPointer { starts in
            guard bytes else { return hl_prefetch(starts.baseAddress! + index) }
            arena.withUnsafeBufferPointer { arena in
                if let base = arena.baseAddress { hl_prefetch(base + starts[index]) }
            }
        }
    }

    /// Every value's number, in SQLite's BINARY order of the bytes (what `ORDER BY` on a
    /// text key gives), so rows keyed by these values can be inserted in key order.
    func sortedIndices() -> [Int32] {
        // The first 8 bytes as a big-endian number order values as their bytes do, so most
        // comparisons are one integer compare; equal prefixes fall back to the bytes.
        var keyed = [(prefix: UInt64, index: Int32)]()
        keyed.reserveLarge(count)
        arena.withUnsafeBufferPointer { b in
            for index in 0..<count {
                var prefix: UInt64 = 0
                let start = starts[index], length = min(starts[index + 1] - start, 8)
                for offset in 0..<length { prefix |= UInt64(b[start + offset]) << (56 - 8 * UInt64(offset)) }
                keyed.append((prefix, Int32(index)))
            }
            func bytes(_ index: Int32) -> UnsafeBufferPointer<UInt8> {
                UnsafeBufferPointer(rebasing: b[starts[Int(index)]..<starts[Int(index) + 1]])
            }
            keyed.sort { x, y in x.prefix != y.prefix ? x.prefix < y.prefix : KeyOrder.less(bytes(x.index), bytes(y.index)) }
        }
        return keyed.map(\.index)
    }

    /// Frees the lookup table once every value is in (a file has been read): the values
    /// stay readable, and a later `intern` rebuilds the table.
    mutating func dropLookups() {
        slots = []
        mask = 0
    }

    /// The number of `bytes`, and whether it is new.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> (index: Int32, isNew: Bool) {
        if slots.isEmpty { rebuildLookups() }
        let key = Key(bytes)
        let (slot, found) = probe(key, bytes)
        if let found { return (found, false) }
        let index = count
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        slots[slot] = Slot(prefix: key.prefix, meta: key.meta | UInt64(index + 1))
        if count * 4 > slots.count * 3 { grow() }
        return (Int32(index), true)
    }

    /// Looks up without adding.
    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        if slots.isEmpty { return (0..<count).first { equals($0, bytes) }.map { Int32($0) } }
        return probe(Key(bytes), bytes).found
    }

    /// Adds a value known to be new without a lookup (the table, if any, is dropped).
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        if !slots.isEmpty { dropLookups() }
        arena.append(contentsOf: bytes)
        starts.append(arena.count)
        return Int32(count - 1)
    }

    mutating func rebuildLookups() {
        var size = 1024
        while size * 3 < count * 4 { size <<= 1 }
        slots = [Slot](large: size, repeating: Slot(prefix: 0, meta: 0))
        mask = size - 1
        for index in 0..<count {
            let key = withBytes(index) { Key($0) }
            var slot = Int(truncatingIfNeeded: key.meta >> 32) & mask
            while slots[slot].meta != 0 { slot = (slot + 1) & mask }
            slots[slot] = Slot(prefix: key.prefix, meta: key.meta | UInt64(index + 1))
        }
    }

    /// The value's slot if present, else the empty slot where it would go.
    private func probe(_ key: Key, _ bytes: UnsafeBufferPointer<UInt8>) -> (slot: Int, found: Int32?) {
        slots.withUnsafeBufferPointer { table in
            var slot = Int(truncatingIfNeeded: key.meta >> 32) & mask
            while true {
                let entry = table[slot]
                if entry.meta == 0 { return (slot, nil) }
                if entry.meta & ~ByteInterner.numberBits == key.meta, entry.prefix == key.prefix {
                    let index = Int(entry.meta & ByteInterner.numberBits) - 1
                    if bytes.count <= 8 || equals(index, bytes) { return (slot, Int32(index)) }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    func equals(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[index], end = starts[index + 1]
        guard end - start == bytes.count else { return false }
        guard let base = bytes.baseAddress else { return true }
        return arena.withUnsafeBufferPointer { b in ByteInterner.same(b.baseAddress! + start, base, bytes.count) }
    }

    /// Byte equality, a word at a time: ids and names are short, and a call to `memcmp`
    /// costs more than comparing them here.
    @inline(__always)
    static func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if count > 64 { return memcmp(a, b, count) == 0 }
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var offset = 0
        while offset + 8 <= count {
            if x.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != y.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                return false
            }
            offset += 8
        }
        while offset < count {
            if a[offset] != b[offset] { return false }
            offset += 1
        }
        return true
    }

    private mutating func grow() {
        let size = slots.count * 2
        var table = [Slot](large: size, repeating: Slot(prefix: 0, meta: 0))
        mask = size - 1
        for entry in slots where entry.meta != 0 {
            var slot = Int(truncatingIfNeeded: entry.meta >> 32) & mask
            while table[slot].meta != 0 { slot = (slot + 1) & mask }
            table[slot] = entry
        }
        slots = table
    }

    /// What a lookup compares: the first 8 bytes, and the hash (whose low bits pick the
    /// slot) and length code as they appear in a slot's `meta`.
    struct Key {
        let prefix: UInt64
        let meta: UInt64

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            let hash = ByteInterner.hash(bytes)
            meta = UInt64(hash >> 32) << 32 | UInt64(min(bytes.count, 9)) << 28
            prefix = Key.prefix(bytes)
        }

        /// The first 8 bytes, zero-padded, as a little-endian number.
        @inline(__always)
        static func prefix(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            if bytes.count >= 8, let base = bytes.baseAddress { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self) }
            var prefix: UInt64 = 0
            for (offset, byte) in bytes.enumerated() { prefix |= UInt64(byte) << (8 * UInt64(offset)) }
            return prefix
        }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
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
        return h
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
