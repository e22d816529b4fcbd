import Foundation
import GRDB

struct ParsedCustomer {
    var customer: Customer
    var line: Int
}

enum CustomerParser {
    static let known = ["id", "email", "first_name", "last_name", "locale", "timezone", "subscribed", "created_at"]

    static func parse(_ table: CSVTable, startLine: Int, issues: inout RowIssues) throws -> [ParsedCustomer] {
        let columns = try table.columns(required: ["id", "email"], optional: Array(known.dropFirst(2)))
        let extra = columns.filter { !known.contains($0.key) }.sorted { $0.value < $1.value }
        var seen: [String: Int] = [:]
        var result: [ParsedCustomer] = []
        try table.forEachRow(startLine: startLine) { row in
            issues.rowsRead += 1
            do {
                let id = try row.required(columns["id"], name: "id")
                let email = try row.required(columns["email"], name: "email")
                guard EmailAddress.isValid(email) else {
                    throw InputError(file: row.file, line: row.line, field: "email", "'\(email)' is not a valid email address",
                                     hint: "correct it, or remove the row")
                }
                var customer = Customer(id: id, email: email)
                customer.firstName = try row.text(columns["first_name"], name: "first_name")
                customer.lastName = try row.text(columns["last_name"], name: "last_name")
                customer.locale = try row.text(columns["locale"], name: "locale")
                customer.timezone = try row.text(columns["timezone"], name: "timezone")
                if let tz = customer.timezone, TimeZone(identifier: tz) == nil {
                    throw InputError(file: row.file, line: row.line, field: "timezone", "'\(tz)' is not a known time zone",
                                     hint: "use an IANA name such as Europe/Berlin")
                }
                if let subscribed = try row.text(columns["subscribed"], name: "subscribed") {
                    guard let value = parseBool(subscribed) else {
                        throw InputError(file: row.file, line: row.line, field: "subscribed", "'\(subscribed)' is not true or false",
                                         hint: "write true or false (yes/no and 1/0 work too)")
                    }
                    customer.subscribed = value
                }
                if let created = try row.text(columns["created_at"], name: "created_at") {
                    customer.createdAt = try date(created, row: row, field: "created_at")
                }
                for (name, index) in extra {
                    if let value = try row.text(index, name: name) { customer.attributes[name] = value }
                }
                try rejectControlCharacters(customer, row: row)
                if let first = seen[id] {
                    throw InputError(file: row.file, line: row.line, field: "id", "duplicate customer id '\(id)' (also on line \(first))",
                                     hint: "each customer must appear once; merge the rows")
                }
                seen[id] = row.line
                result.append(ParsedCustomer(customer: customer, line: row.line))
            } catch let error as InputError {
                try issues.handle(error)
            }
        }
        return result
    }

    static func write(_ customers: [ParsedCustomer], append: Bool, file: String, db: Database) throws {
        if !append { try db.execute(sql: "DELETE FROM customer") }
        let existing = try db.makeStatement(sql: "SELECT line FROM customer WHERE id = ?")
        let insert = try db.makeStatement(sql: """
            INSERT INTO customer(id, email, first_name, last_name, locale, timezone, subscribed, created_at, attributes, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for item in customers {
            let c = item.customer
            if append, let line = try Int.fetchOne(existing, arguments: [c.id]) {
                throw InputError(file: file, line: item.line, field: "id", "duplicate customer id '\(c.id)' (also on line \(line))",
                                 hint: "each customer must appear once; merge the rows")
            }
            insert.setUncheckedArguments([
                c.id, c.email, c.firstName, c.lastName, c.locale, c.timezone, c.subscribed,
                c.createdAt?.timeIntervalSince1970, encodeAttributes(c.attributes), item.line,
            ])
            try insert.execute()
        }
    }

    static func rejectControlCharacters(_ c: Customer, row: CSVRow) throws {
        let fields: [(String, String?)] = [
            ("id", c.id), ("email", c.email), ("first_name", c.firstName), ("last_name", c.lastName),
            ("locale", c.locale), ("timezone", c.timezone),
        ] + c.attributes.map { ($0.key, $0.value) }
        for (name, value) in fields {
            if let value, HistoryCoding.hasControlCharacter(value) {
                throw InputError(file: row.file, line: row.line, field: name,
                                 "the value contains a line break or control character",
                                 hint: "remove it; such characters could forge email headers")
            }
        }
    }

    static func encodeAttributes(_ attributes: [String: String]) -> String {
        guard !attributes.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: attributes, options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8)
        else { return "{}" }
        return text
    }

    static func decodeAttributes(_ text: String) -> [String: String] {
        guard text != "{}", let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
        else { return [:] }
        return object
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
