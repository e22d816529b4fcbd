import Foundation

/// A CSV file held in memory and split into rows of byte ranges (RFC 4180:
/// quoted fields, doubled quotes, CRLF or LF). Fields become strings only
/// when asked for, which keeps a ten-million-row import fast.
struct CSVTable {
    let bytes: [UInt8]
    let file: String
    /// Byte offset of the first data row to read (after the header, or where an append starts).
    let start: Int
    let header: [String]

    /// Reads the header; `from` skips to a byte offset for appended rows.
    init(bytes: [UInt8], file: String, from offset: Int? = nil) throws {
        self.bytes = bytes
        self.file = file
        var position = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        guard position < bytes.count else {
            throw InputError(file: file, line: 1, "the file is empty",
                             hint: "it needs a header row naming its columns")
        }
        var fields: [Range<Int>] = []
        var cursor = CSVCursor(position: position, line: 1)
        guard try CSVTable.readRow(bytes, &cursor, into: &fields, file: file) else {
            throw InputError(file: file, line: 1, "the file is empty", hint: "it needs a header row naming its columns")
        }
        var names: [String] = []
        for range in fields {
            guard let name = String(validating: bytes[range], as: UTF8.self) else {
                throw InputError(file: file, line: 1, "the header is not UTF-8 text", hint: "save the file as UTF-8")
            }
            names.append(CSVTable.unquote(name).trimmingCharacters(in: .whitespaces).lowercased())
        }
        header = names
        start = offset ?? cursor.position
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

    /// Calls `body` with each data row's field ranges and its line number.
    func forEachRow(startLine: Int, _ body: (CSVRow) throws -> Void) throws {
        var cursor = CSVCursor(position: start, line: startLine)
        var fields: [Range<Int>] = []
        fields.reserveCapacity(max(header.count, 8))
        while true {
            let line = cursor.line
            guard try CSVTable.readRow(bytes, &cursor, into: &fields, file: file) else { return }
            if fields.count == 1 && fields[0].isEmpty { continue }
            try body(CSVRow(table: self, fields: fields, line: line))
        }
    }

    struct CSVCursor {
        var position: Int
        var line: Int
    }

    /// Splits one row. Quoted fields keep their quotes in the range; `CSVRow`
    /// removes them. Returns false at the end of the input.
    static func readRow(_ bytes: [UInt8], _ cursor: inout CSVCursor, into fields: inout [Range<Int>], file: String) throws -> Bool {
        fields.removeAll(keepingCapacity: true)
        let count = bytes.count
        var i = cursor.position
        guard i < count else { return false }
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        return try bytes.withUnsafeBufferPointer { buffer in
            var fieldStart = i
            while i < count {
                let byte = buffer[i]
                if byte == quote && i == fieldStart {
                    i += 1
                    let quotedLine = cursor.line
                    while true {
                        guard i < count else {
                            throw InputError(file: file, line: quotedLine, "a quoted field is never closed",
                                             hint: "add the closing \" or remove the stray one")
                        }
                        if buffer[i] == quote {
                            if i + 1 < count && buffer[i + 1] == quote { i += 2; continue }
                            i += 1
                            break
                        }
                        if buffer[i] == lf { cursor.line += 1 }
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
                    if end > fieldStart && buffer[end - 1] == cr { end -= 1 }
                    fields.append(fieldStart..<end)
                    cursor.position = i + 1
                    cursor.line += 1
                    return true
                } else {
                    i += 1
                }
            }
            var end = count
            if end > fieldStart && buffer[end - 1] == cr { end -= 1 }
            fields.append(fieldStart..<end)
            cursor.position = count
            cursor.line += 1
            return true
        }
    }

    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        return String(text.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }
}

/// One data row: fields by column index, decoded on demand.
struct CSVRow {
    let table: CSVTable
    let fields: [Range<Int>]
    let line: Int

    var file: String { table.file }

    /// The field's text, unquoted and trimmed; nil when the column is absent or the field empty.
    func text(_ column: Int?, name: String) throws -> String? {
        guard let column, column < fields.count else { return nil }
        let range = fields[column]
        if range.isEmpty { return nil }
        let bytes = table.bytes
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper && (bytes[lower] == 0x20 || bytes[lower] == 0x09) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09) { upper -= 1 }
        if lower == upper { return nil }
        let quoted = bytes[lower] == UInt8(ascii: "\"")
        guard var value = String(validating: bytes[lower..<upper], as: UTF8.self) else {
            throw InputError(file: file, line: line, field: name, "the text is not valid UTF-8",
                             hint: "save the file as UTF-8")
        }
        if quoted {
            value = CSVTable.unquote(value)
            if value.isEmpty { return nil }
        }
        return value
    }

    func required(_ column: Int?, name: String) throws -> String {
        guard let value = try text(column, name: name) else {
            throw InputError(file: file, line: line, field: name, "the value is empty", hint: "every row needs a \(name)")
        }
        return value
    }
}

