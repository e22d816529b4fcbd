import Foundation

/// Reads a CSV file (RFC 4180: quoted fields, doubled quotes, CRLF or LF) in
/// fixed-size chunks, so memory stays flat however big the export is. Rows are
/// handed out as byte ranges into the current chunk; fields become strings only
/// when asked for. While reading it hashes every byte and counts lines, which
/// is what the next sync compares against.
final class CSVTable {
    let file: String
    private(set) var header: [String] = []
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var valid = 0
    private var position = 0
    private var endOfFile = false
    private(set) var hasher = ContentHasher()
    private var nextLine: Int

    /// Opens `path` and reads the header; `from` skips (hashing, not parsing) to
    /// the byte offset where appended rows start, numbered from `startLine`.
    /// A row longer than `chunkSize` grows the buffer.
    init(path: String, file: String, from offset: Int? = nil, startLine: Int = 2, chunkSize: Int = 4 << 20) throws {
        self.file = file
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw InputError(file: file, "cannot read the file", hint: "check that it exists and its permissions")
        }
        buffer = [UInt8](repeating: 0, count: max(chunkSize, 1))
        nextLine = 1
        var fields: [Range<Int>] = []
        do {
            // Enough bytes to see a byte-order mark, however small the chunk.
            repeat { try fill() } while valid < 3 && !endOfFile
            if valid >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
            guard try nextRow(into: &fields) != nil else {
                throw InputError(file: file, line: 1, "the file is empty", hint: "it needs a header row naming its columns")
            }
            var names: [String] = []
            for range in fields {
                guard let name = String(validating: buffer[range], as: UTF8.self) else {
                    throw InputError(file: file, line: 1, "the header is not UTF-8 text", hint: "save the file as UTF-8")
                }
                names.append(CSVTable.unquote(name).trimmingCharacters(in: .whitespaces).lowercased())
            }
            header = names
            if let offset {
                try skip(to: offset)
                nextLine = startLine
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// A generous guess at the number of rows (from the file size and the rows in the first
    /// chunk), for reserving column storage up front: reserved but unused memory is never touched.
    var estimatedRows: Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return 1024 }
        let sample = buffer.withUnsafeBufferPointer { b in b[0..<valid].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        guard sample > 0, valid > 0 else { return 1024 }
        return Int(Double(info.st_size) / (Double(valid) / Double(sample)) * 1.25) + 1024
    }

    /// Maps required and optional column names to their indexes.
    func columns(required: [String], optional: [String]) throws -> [String: Int] {
        var map: [String: Int] = [:]
        for (index, name) in header.enumerated() where !name.isEmpty {
            if map[name] != nil {
                throw InputError(file: file, line: 1, field: name, "the column appears twice in the header",
                                 hint: "rename or remove one of them")
            }
            map[name] = index
        }
        for name in required where map[name] == nil {
            throw InputError(file: file, line: 1, field: name, "missing required column '\(name)'",
                             hint: "add it to the header row (found: \(header.joined(separator: ", ")))")
        }
        _ = optional
        return map
    }

    /// Calls `body` with each data row; the row is valid only during the call.
    func forEachRow(_ body: (CSVRow) throws -> Void) throws {
        var fields: [Range<Int>] = []
        fields.reserveCapacity(max(header.count, 8))
        var scratch = [UInt8](repeating: 0, count: 4096)
        while let line = try nextRow(into: &fields) {
            if fields.count == 1 && fields[0].isEmpty { continue }
            let rowStart = fields[0].lowerBound, rowLength = fields[fields.count - 1].upperBound - rowStart
            if rowLength > scratch.count { scratch = [UInt8](repeating: 0, count: rowLength * 2) }
            try buffer.withUnsafeBufferPointer { bytes in
                try scratch.withUnsafeMutableBufferPointer { scratch in
                    try body(CSVRow(bytes: bytes, fields: fields, line: line, file: file, rowStart: rowStart, scratch: scratch))
                }
            }
        }
    }

    /// Reads to the end (hashing) and returns the whole file's hash and line count.
    func finish() throws -> (hash: String, lines: Int, size: Int) {
        while !endOfFile {
            position = valid
            try fill()
        }
        return hasher.finish()
    }

    // MARK: - Chunks

    /// Keeps the unread bytes, then reads more after them.
    private func fill() throws {
        if position > 0 {
            let rest = valid - position
            if rest > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + position, rest)
                }
            }
            valid = rest
            position = 0
        }
        if valid == buffer.count {
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
        let wanted = buffer.count - valid
        let got = buffer.withUnsafeMutableBytes { raw in
            read(descriptor, raw.baseAddress! + valid, wanted)
        }
        guard got >= 0 else {
            throw InputError(file: file, "reading the file failed (\(String(cString: strerror(errno))))",
                             hint: "check the disk and try again")
        }
        if got == 0 {
            endOfFile = true
        } else {
            buffer.withUnsafeBytes { raw in
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[valid..<valid + got]))
            }
            valid += got
        }
    }

    private func skip(to offset: Int) throws {
        while hasher.size < offset && !endOfFile {
            position = valid
            try fill()
        }
        position = max(position, min(valid, offset - (hasher.size - valid)))
    }

    /// Splits the next row into field ranges (quoted fields keep their quotes;
    /// `CSVRow` removes them). Returns its line number, or nil at the end.
    private func nextRow(into fields: inout [Range<Int>]) throws -> Int? {
        while true {
            if position >= valid {
                if endOfFile { return nil }
                try fill()
                continue
            }
            let line = nextLine
            var lines = 0
            if let end = scanRow(into: &fields, lines: &lines) {
                position = end
                nextLine += lines
                return line
            }
            if endOfFile {
                throw InputError(file: file, line: line, "a quoted field is never closed",
                                 hint: "add the closing \" or remove the stray one")
            }
            try fill()
        }
    }

    /// Scans one row from `position`; nil when the chunk ends first (and the file goes on).
    private func scanRow(into fields: inout [Range<Int>], lines: inout Int) -> Int? {
        fields.removeAll(keepingCapacity: true)
        let count = valid, atEnd = endOfFile
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        return buffer.withUnsafeBufferPointer { b -> Int? in
            let raw = UnsafeRawPointer(b.baseAddress)
            var i = position
            var fieldStart = i
            while i < count {
                // Skip ordinary bytes 8 at a time: a byte of `word ^ pattern` is zero where the
                // word holds that character, and the lowest marked byte is always a true one.
                while i + 8 <= count, let raw {
                    let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let marks = CSVTable.zeroBytes(word ^ CSVTable.commas) | CSVTable.zeroBytes(word ^ CSVTable.quotes)
                        | CSVTable.zeroBytes(word ^ CSVTable.newlines)
                    if marks == 0 { i += 8; continue }
                    i += marks.trailingZeroBitCount >> 3
                    break
                }
                guard i < count else { break }
                let byte = b[i]
                if byte == quote && i == fieldStart {
                    i += 1
                    while true {
                        guard i < count else { return nil }
                        if b[i] == quote {
                            if i + 1 < count && b[i + 1] == quote { i += 2; continue }
                            if i + 1 == count && !atEnd { return nil }
                            i += 1
                            break
                        }
                        if b[i] == lf { lines += 1 }
                        i += 1
                    }
                    continue
                }
                if byte == comma {
                    fields.append(fieldStart..<i)
                    i += 1
                    fieldStart = i
                } else if byte == lf {
                    var end = i
                    if end > fieldStart && b[end - 1] == cr { end -= 1 }
                    fields.append(fieldStart..<end)
                    lines += 1
                    return i + 1
                } else {
                    i += 1
                }
            }
            guard atEnd else { return nil }
            var end = count
            if end > fieldStart && b[end - 1] == cr { end -= 1 }
            fields.append(fieldStart..<end)
            lines += 1
            return count
        }
    }

    private static let commas: UInt64 = 0x2C2C_2C2C_2C2C_2C2C
    private static let quotes: UInt64 = 0x2222_2222_2222_2222
    private static let newlines: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// The high bit of each zero byte of `x` set (and possibly of bytes above the first one).
    @inline(__always)
    private static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}

/// One data row: fields by column index, decoded on demand. Valid only inside `forEachRow`.
struct CSVRow {
    let bytes: UnsafeBufferPointer<UInt8>
    let fields: [Range<Int>]
    let line: Int
    let file: String
    /// Where the row starts in `bytes`, and room for unquoted fields: a field is
    /// unquoted to the same offset in `scratch` as it has in the row, and is never
    /// longer than it was quoted, so fields never overlap.
    var rowStart = 0
    var scratch = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)

    /// The field's bytes, trimmed and unquoted; nil when the field is absent or empty.
    /// Valid only during `forEachRow`'s call.
    func field(_ column: Int?) -> UnsafeBufferPointer<UInt8>? {
        guard let range = trimmed(column) else { return nil }
        let quote = UInt8(ascii: "\"")
        guard range.count >= 2, bytes[range.lowerBound] == quote, bytes[range.upperBound - 1] == quote,
              scratch.count >= range.upperBound - rowStart else {
            return UnsafeBufferPointer(rebasing: bytes[range])
        }
        let start = range.lowerBound - rowStart
        var out = start
        var i = range.lowerBound + 1
        while i < range.upperBound - 1 {
            scratch[out] = bytes[i]
            out += 1
            i += bytes[i] == quote && bytes[i + 1] == quote ? 2 : 1
        }
        return out == start ? nil : UnsafeBufferPointer(rebasing: scratch[start..<out])
    }

    /// The field's bytes without surrounding blanks; nil when absent or empty.
    func trimmed(_ column: Int?) -> Range<Int>? {
        guard let column, column < fields.count else { return nil }
        let range = fields[column]
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
        return lower == upper ? nil : lower..<upper
    }

    /// The field's text, unquoted and trimmed; nil when the column is absent or the field empty.
    func text(_ column: Int?, name: String) throws -> String? {
        guard let value = field(column) else { return nil }
        guard let text = String(validating: value, as: UTF8.self) else {
            throw InputError(file: file, line: line, field: name, "the text is not valid UTF-8",
                             hint: "save the file as UTF-8")
        }
        return text
    }

    func required(_ column: Int?, name: String) throws -> String {
        guard let value = try text(column, name: name) else {
            throw InputError(file: file, line: line, field: name, "the value is empty", hint: "every row needs a \(name)")
        }
        return value
    }
}
