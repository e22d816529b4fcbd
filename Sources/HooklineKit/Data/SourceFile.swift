import Foundation

/// What a data file looks like on disk compared with what was last imported.
struct SourceFileState: Sendable {
    var name: String
    var path: String
    var size: Int
    var mtime: Double
    var hash: String
    var lines: Int
    var rows: Int
}

enum SyncAction: Equatable, Sendable {
    /// Same bytes as last time.
    case unchanged
    /// Only the modification time moved; the content hash matched.
    case touched
    /// The old content is an exact prefix: read from this byte offset, numbering lines from `line`.
    case append(offset: Int, line: Int)
    case full
    /// The file was imported before and is gone now (only allowed for optional files).
    case removed
}

/// A fast 64-bit hash of a file's bytes (FNV-1a-style over 8-byte words, in four
/// independent lanes by word number so the multiplications overlap), fed in chunks of
/// any size, with the file's size and line count. It detects edits, not attackers.
struct ContentHasher {
    private var lanes: (UInt64, UInt64, UInt64, UInt64) =
        (0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f)
    /// Whole words mixed so far: word `n` goes to lane `n % 4`.
    private var words = 0
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private(set) var size = 0
    private var newlines = 0
    private var last: UInt8?

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        size += bytes.count
        last = bytes[bytes.count - 1]
        var index = 0
        while pendingCount > 0 && pendingCount < 8 && index < bytes.count {
            pending |= UInt64(bytes[index]) << (8 * UInt64(pendingCount))
            pendingCount += 1
            index += 1
        }
        if pendingCount == 8 {
            mix(pending)
            pending = 0
            pendingCount = 0
        }
        // Newlines are counted a word at a time too: a byte of `word ^ 0x0A…` is zero
        // exactly where the word holds a newline, and the bit trick marks those bytes.
        var count = 0
        for offset in 0..<index where bytes[offset] == 0x0A { count += 1 }
        while words & 3 != 0 && index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            mix(word)
            count += ContentHasher.newlines(in: word)
            index += 8
        }
        var (a, b, c, d) = lanes
        let prime: UInt64 = 0x0000_0100_0000_01B3
        while index + 32 <= bytes.count {
            let w0 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let w1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
            let w2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self))
            let w3 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self))
            a = (a ^ w0) &* prime; a ^= a >> 29
            b = (b ^ w1) &* prime; b ^= b >> 29
            c = (c ^ w2) &* prime; c ^= c >> 29
            d = (d ^ w3) &* prime; d ^= d >> 29
            count += ContentHasher.newlines(in: w0) + ContentHasher.newlines(in: w1)
                + ContentHasher.newlines(in: w2) + ContentHasher.newlines(in: w3)
            index += 32
            words += 4
        }
        lanes = (a, b, c, d)
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            mix(word)
            count += ContentHasher.newlines(in: word)
            index += 8
        }
        while index < bytes.count {
            if bytes[index] == 0x0A { count += 1 }
            pending |= UInt64(bytes[index]) << (8 * UInt64(pendingCount))
            pendingCount += 1
            index += 1
        }
        newlines += count
    }

    @inline(__always)
    private static func newlines(in word: UInt64) -> Int {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let x = word ^ 0x0A0A_0A0A_0A0A_0A0A
        return (~(((x & low7) &+ low7) | x | low7)).nonzeroBitCount
    }

    private mutating func mix(_ word: UInt64) {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        switch words & 3 {
        case 0: lanes.0 = (lanes.0 ^ word) &* prime; lanes.0 ^= lanes.0 >> 29
        case 1: lanes.1 = (lanes.1 ^ word) &* prime; lanes.1 ^= lanes.1 >> 29
        case 2: lanes.2 = (lanes.2 ^ word) &* prime; lanes.2 ^= lanes.2 >> 29
        default: lanes.3 = (lanes.3 ^ word) &* prime; lanes.3 ^= lanes.3 >> 29
        }
        words += 1
    }

    /// The hash so far (the lanes folded, the last partial word mixed byte by byte), the line
    /// count and the size.
    func finish() -> (hash: String, lines: Int, size: Int) {
        let prime: UInt64 = 0x0000_0100_0000_01B3
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for lane in [lanes.0, lanes.1, lanes.2, lanes.3] {
            h = (h ^ lane) &* prime
            h ^= h >> 29
        }
        for k in 0..<pendingCount {
            h = (h ^ ((pending >> (8 * UInt64(k))) & 0xFF)) &* prime
        }
        let lines = newlines + (size > 0 && last != 0x0A ? 1 : 0)
        return (String(h, radix: 16) + ":" + String(size), lines, size)
    }

    /// Hashes a file's first `count` bytes (all when nil), reading in chunks.
    static func of(path: String, count: Int? = nil) -> (hash: String, lines: Int, size: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = ContentHasher()
        var remaining = count ?? Int.max
        while remaining > 0 {
            guard let data = try? handle.read(upToCount: min(remaining, 4 << 20)), !data.isEmpty else { break }
            data.withUnsafeBytes { hasher.update($0) }
            remaining -= data.count
        }
        return hasher.finish()
    }
}

struct FileStat: Sendable {
    var size: Int
    var mtime: Double

    static func of(_ path: String) -> FileStat? {
        // Follow links: a data file is often a link to the shop's export.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target),
              let size = (attributes[.size] as? NSNumber)?.intValue,
              let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return FileStat(size: size, mtime: modified.timeIntervalSince1970)
    }

    /// One byte of a file, or nil when it cannot be read.
    static func byte(at offset: Int, of path: String) -> UInt8? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return nil }
        return (try? handle.read(upToCount: 1))?.first
    }
}
