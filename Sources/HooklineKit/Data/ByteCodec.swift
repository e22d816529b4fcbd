import Foundation

/// Appends compact binary values to a byte buffer: LEB128 varints (zig-zag
/// for signed values) and raw little-endian doubles. A class over its own buffer,
/// so a write is a capacity check and a store (an array append per byte cost a
/// third of encoding ten million order lines).
final class ByteWriter {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    func reset() { count = 0 }

    /// A copy of what was written.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// What was written, without a copy; valid until the next write.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.update(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity = size
    }

    func write(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            storage[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count += 1
            v >>= 7
        }
        storage[count] = UInt8(v)
        count += 1
    }

    func write(_ value: Int) { write(UInt64(UInt(bitPattern: value))) }
    func write(_ value: Int32) { write(UInt64(UInt32(bitPattern: value))) }

    func write(signed value: Int64) {
        write(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    func write(_ value: Double) {
        reserve(8)
        UnsafeMutableRawPointer(storage + count).storeBytes(of: value.bitPattern.littleEndian, as: UInt64.self)
        count += 8
    }

    func write(bytes text: UnsafeBufferPointer<UInt8>) {
        write(text.count)
        guard let base = text.baseAddress else { return }
        reserve(text.count)
        if text.count <= 16 {
            for offset in 0..<text.count { storage[count + offset] = base[offset] }
        } else {
            (storage + count).update(from: base, count: text.count)
        }
        count += text.count
    }

    func write(text: String) {
        var text = text
        text.withUTF8 { write(bytes: $0) }
    }
}

/// Reads what `ByteWriter` wrote. Reading past the end yields zeros and sets
/// `failed`, so a damaged record is dropped rather than crashing.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var failed = false

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count || failed }

    mutating func readUInt() -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { break }
        }
        failed = true
        return 0
    }

    mutating func readInt() -> Int { Int(truncatingIfNeeded: readUInt()) }

    mutating func readSigned() -> Int64 {
        let raw = readUInt()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func readDouble() -> Double {
        guard position + 8 <= bytes.count else {
            failed = true
            return 0
        }
        let bits = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    mutating func readText() -> String {
        let count = readInt()
        guard count >= 0, position + count <= bytes.count else {
            failed = true
            return ""
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]), as: UTF8.self)
        position += count
        return text
    }
}
