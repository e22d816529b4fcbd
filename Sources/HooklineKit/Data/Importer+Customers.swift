import Foundation
import GRDB

enum CustomerParser {
    static let known = ["id", "email", "first_name", "last_name", "locale", "timezone", "subscribed", "created_at"]

    /// Reads the rows and inserts them as it goes (inside the sync's transaction); returns how many.
    /// Values go from the file's bytes to SQLite without becoming strings, except the email
    /// address, which is checked as text.
    static func importRows(_ table: CSVTable, append: Bool, issues: inout RowIssues, db: Database) throws -> Int {
        let columns = try table.columns(required: ["id", "email"], optional: Array(known.dropFirst(2)))
        let extra = columns.filter { !known.contains($0.key) }.sorted { $0.value < $1.value }
        let extraNames = extra.map { Array($0.key.utf8) }
        if !append { try db.execute(sql: "DELETE FROM customer") }
        let existing = try db.makeStatement(sql: "SELECT line FROM customer WHERE id = ?")
        var pending = try CustomerRows(db)
        let c = (id: columns["id"], email: columns["email"], first: columns["first_name"], last: columns["last_name"],
                 locale: columns["locale"], zone: columns["timezone"], subscribed: columns["subscribed"],
                 created: columns["created_at"])
        var seen = IdColumn()
        var seenLines: [Int32] = []
        var zones = ByteInterner()
        var zoneKnown: [Bool] = []
        var attributes: [UInt8] = []
        var inserted = 0
        try table.forEachRow { row in
            issues.rowsRead += 1
            do {
                let id = try row.requiredBytes(c.id, name: "id")
                if let error = row.check(id, field: "id") { throw error }
                let emailBytes = try row.requiredBytes(c.email, name: "email")
                let email = row.text(of: emailBytes)
                guard EmailAddress.isValid(email) else {
                    if let error = row.check(emailBytes, field: "email") { throw error }
                    throw InputError(file: row.file, line: row.line, field: "email", "'\(email)' is not a valid email address",
                                     hint: "correct it, or remove the row")
                }
                let first = try row.checked(c.first, name: "first_name"), last = try row.checked(c.last, name: "last_name")
                let locale = try row.checked(c.locale, name: "locale")
                let zone = try row.checked(c.zone, name: "timezone")
                if let zone {
                    if let error = zones.roomError(row, field: "timezone") { throw error }
                    let (index, isNew) = zones.intern(zone)
                    if isNew { zoneKnown.append(TimeZone(identifier: row.text(of: zone)) != nil) }
                    guard zoneKnown[Int(index)] else {
                        throw InputError(file: row.file, line: row.line, field: "timezone",
                                         "'\(row.text(of: zone))' is not a known time zone", hint: "use an IANA name such as Europe/Berlin")
                    }
                }
                var subscribed = true
                if let text = try row.text(c.subscribed, name: "subscribed") {
                    guard let value = parseBool(text) else {
                        throw InputError(file: row.file, line: row.line, field: "subscribed", "'\(text)' is not true or false",
                                         hint: "write true or false (yes/no and 1/0 work too)")
                    }
                    subscribed = value
                }
                let createdAt = try row.field(c.created).map { bytes -> Int64 in
                    guard let at = ISODate.parse(bytes) else { throw OrderParser.badDate(row, bytes, field: "created_at") }
                    return at
                }
                attributes.removeAll(keepingCapacity: true)
                for (position, (name, index)) in extra.enumerated() {
                    guard let value = try row.checked(index, name: name) else { continue }
                    if !attributes.isEmpty { attributes.append(0x1E) }
                    attributes.append(contentsOf: extraNames[position])
                    attributes.append(0x1F)
                    attributes.append(contentsOf: value)
                }
                let key = try seen.index(row, c.id, name: "id")
                if !key.isNew {
                    throw InputError(file: row.file, line: row.line, field: "id",
                                     "duplicate customer id '\(row.text(of: id))' (also on line \(seenLines[Int(key.index)]))",
                                     hint: "each customer must appear once; merge the rows")
                }
                seenLines.append(Int32(clamping: row.line))
                if append, let line = try Int.fetchOne(existing, arguments: [row.text(of: id)]) {
                    throw InputError(file: row.file, line: row.line, field: "id",
                                     "duplicate customer id '\(row.text(of: id))' (also on line \(line))",
                                     hint: "each customer must appear once; merge the rows")
                }
                pending.add(text: id)
                pending.add(text: emailBytes)
                pending.add(text: first)
                pending.add(text: last)
                pending.add(text: locale)
                pending.add(text: zone)
                attributes.withUnsafeBufferPointer { pending.add(text: $0) }
                try pending.finishRow(subscribed: subscribed, createdAt: createdAt.map(Double.init), line: row.line)
                inserted += 1
            } catch let error as InputError {
                try issues.handle(error)
            }
        }
        try pending.flush()
        return inserted
    }

    /// Customer rows on their way into the store, inserted `perInsert` at a time: a statement
    /// per row cost its start, cursors, halt and reset for every customer. A row's text is
    /// copied into one arena (the chunk it came from moves on) and bound where it lies.
    struct CustomerRows {
        static let perInsert = 32
        static let textsPerRow = 7
        private let many: RawStatement
        private let single: RawStatement
        private var arena: [UInt8] = []
        /// Per text: its range in `arena`, or nil for NULL.
        private var texts: [Range<Int>?] = []
        private var numbers: [(subscribed: Bool, createdAt: Double?, line: Int)] = []

        init(_ db: Database) throws {
            let head = "INSERT INTO customer(id, email, first_name, last_name, locale, timezone, attributes, subscribed, created_at, line)"
            many = try RawStatement(db, insert: head, columns: 10, rows: CustomerRows.perInsert)
            single = try RawStatement(db, insert: head, columns: 10, rows: 1)
        }

        /// The row's next text column, in the statement's order.
        mutating func add(text: UnsafeBufferPointer<UInt8>?) {
            guard let text else { return texts.append(nil) }
            let start = arena.count
            arena.append(contentsOf: text)
            texts.append(start..<arena.count)
        }

        /// Ends the row; a full group is inserted.
        mutating func finishRow(subscribed: Bool, createdAt: Double?, line: Int) throws {
            numbers.append((subscribed, createdAt, line))
            if numbers.count == CustomerRows.perInsert { try flush() }
        }

        /// Inserts every waiting row: a full group in one statement, a last partial one row by row.
        mutating func flush() throws {
            try arena.withUnsafeBufferPointer { arena in
                func bind(_ row: Int, slot: Int, in statement: RawStatement) {
                    let base = Int32(slot * 10)
                    for column in 0..<CustomerRows.textsPerRow {
                        let text = texts[row * CustomerRows.textsPerRow + column].map { UnsafeBufferPointer(rebasing: arena[$0]) }
                        statement.bind(base + Int32(column) + 1, text: text, copy: false)
                    }
                    statement.bind(base + 8, int: numbers[row].subscribed ? 1 : 0)
                    statement.bind(base + 9, double: numbers[row].createdAt)
                    statement.bind(base + 10, int: Int64(numbers[row].line))
                }
                if numbers.count == CustomerRows.perInsert {
                    for row in numbers.indices { bind(row, slot: row, in: many) }
                    try many.run()
                } else {
                    for row in numbers.indices {
                        bind(row, slot: 0, in: single)
                        try single.run()
                    }
                }
            }
            arena.removeAll(keepingCapacity: true)
            texts.removeAll(keepingCapacity: true)
            numbers.removeAll(keepingCapacity: true)
        }
    }

    /// Extra columns as `name US value RS name US value` (the importer refuses control characters in data).
    static func encodeAttributes(_ attributes: [String: String]) -> String {
        attributes.sorted { $0.key < $1.key }.map { $0.key + "\u{1F}" + $0.value }.joined(separator: "\u{1E}")
    }

    static func decodeAttributes(_ text: String) -> [String: String] {
        guard !text.isEmpty else { return [:] }
        var result: [String: String] = [:]
        // Split on the separator bytes, not characters: it runs for every customer loaded.
        for pair in text.utf8.split(separator: 0x1E) {
            guard let cut = pair.firstIndex(of: 0x1F) else { continue }
            result[String(decoding: pair[..<cut], as: UTF8.self)] = String(decoding: pair[pair.index(after: cut)...], as: UTF8.self)
        }
        return result
    }
}

func parseBool(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "y", "1", "t": return true
    case "false", "no", "n", "0", "f": return false
    default: return nil
    }
}

func date(_ text: String, row: CSVRow, field: String) throws -> Int64 {
    guard let seconds = ISODate.seconds(text) else {
        throw InputError(file: row.file, line: row.line, field: field, "'\(text)' is not an ISO 8601 date",
                         hint: "write 2026-03-14 or 2026-03-14T10:22:00+01:00")
    }
    return seconds
}

func date(_ text: String, row: CSVRow, field: String) throws -> Date {
    Date(timeIntervalSince1970: TimeInterval(try date(text, row: row, field: field) as Int64))
}
