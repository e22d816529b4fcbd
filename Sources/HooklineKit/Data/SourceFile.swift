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

/// A fast 64-bit hash of a file's bytes (FNV-1a over 8-byte words), fed in
/// chunks of any size, with the file's size and line count. It detects edits,
/// not attackers.
struct ContentHasher {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325
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
        while index + 8 <= bytes.count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        while index < bytes.count {
            pending |= UInt64(bytes[index]) << (8 * UInt64(pendingCount))
            pendingCount += 1
            index += 1
        }
        newlines += bytes.withMemoryRebound(to: UInt8.self) { b in
            var n = 0
            for byte in b where byte == 0x0A { n += 1 }
            return n
        }
    }

    private mutating func mix(_ word: UInt64) {
        hash = (hash ^ word) &* 0x0000_0100_0000_01B3
        hash ^= hash >> 29
    }

    /// The hash so far (the last partial word mixed byte by byte), the line count and the size.
    func finish() -> (hash: String, lines: Int, size: Int) {
        var h = hash
        for k in 0..<pendingCount {
            h = (h ^ ((pending >> (8 * UInt64(k))) & 0xFF)) &* 0x0000_0100_0000_01B3
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
