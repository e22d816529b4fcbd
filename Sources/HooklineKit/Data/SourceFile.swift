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

enum SyncAction: Equatable {
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

enum ContentHash {
    /// A fast 64-bit hash of a byte range (FNV-1a over 8-byte words); it detects edits, not attackers.
    static func of(_ bytes: [UInt8], count: Int? = nil) -> String {
        let n = count ?? bytes.count
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            let words = n / 8
            for index in 0..<words {
                let word = raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                hash = (hash ^ word) &* 0x0000_0100_0000_01B3
                hash ^= hash >> 29
            }
            for index in (words * 8)..<n {
                hash = (hash ^ UInt64(raw[index])) &* 0x0000_0100_0000_01B3
            }
        }
        return String(hash, radix: 16) + ":" + String(n)
    }
}

struct FileStat {
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
}
