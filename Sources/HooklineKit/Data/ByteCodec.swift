import Foundation

/// Appends compact binary values to a byte buffer: LEB128 varints (zig-zag
/// for signed values) and raw little-endian doubles.
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func write(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func write(_ value: Int) { write(UInt64(UInt(bitPattern: value))) }
    mutating func write(_ value: Int32) { write(UInt64(UInt32(bitPattern: value))) }

    mutating func write(signed value: Int64) {
        write(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func write(_ value: Double) {
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    mutating func write(bytes text: UnsafeBufferPointer<UInt8>) {
        write(text.count)
        bytes.append(contentsOf: text)
    }

    mutating func write(text: String) {
        var text = text
        text.withUTF8 { utf8 in
            write(utf8.count)
            bytes.append(contentsOf: utf8)
        }
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
