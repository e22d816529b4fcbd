import Foundation
import GRDB

/// Orders grouped by customer, with the order ids' owners to catch an id reused by two customers.
struct ParsedOrders {
    var byCustomer: [String: [Order]] = [:]
    var owner: [String: (customer: String, line: Int)] = [:]
    var lineCount = 0
}

enum OrderParser {
    static func parse(_ table: CSVTable, startLine: Int, issues: inout RowIssues) throws -> ParsedOrders {
        let columns = try table.columns(
            required: ["order_id", "customer_id", "ordered_at", "amount"],
            optional: ["sku", "product", "category", "quantity", "currency"])
        var parsed = ParsedOrders()
        var orderIndex: [String: Int] = [:]
        try table.forEachRow(startLine: startLine) { row in
            issues.rowsRead += 1
            do {
                let orderId = try row.required(columns["order_id"], name: "order_id")
                let customerId = try row.required(columns["customer_id"], name: "customer_id")
                let at: Int64 = try date(try row.required(columns["ordered_at"], name: "ordered_at"), row: row, field: "ordered_at")
                let amountText = try row.required(columns["amount"], name: "amount")
                guard let amount = Double(amountText), amount.isFinite else {
                    throw InputError(file: row.file, line: row.line, field: "amount", "'\(amountText)' is not a number",
                                     hint: "write the line total with a dot for decimals, e.g. 12.50")
                }
                var quantity = 1
                if let text = try row.text(columns["quantity"], name: "quantity") {
                    guard let value = Int(text), value >= 0 else {
                        throw InputError(file: row.file, line: row.line, field: "quantity", "'\(text)' is not a whole number",
                                         hint: "write the number of units, e.g. 2")
                    }
                    quantity = value
                }
                let item = LineItem(
                    sku: try row.text(columns["sku"], name: "sku"),
                    product: try row.text(columns["product"], name: "product"),
                    category: try row.text(columns["category"], name: "category")?.lowercased(),
                    quantity: quantity, amount: amount)
                for (name, value) in [("order_id", orderId), ("customer_id", customerId), ("sku", item.sku),
                                      ("product", item.product), ("category", item.category)] {
                    if let value, HistoryCoding.hasControlCharacter(value) {
                        throw InputError(file: row.file, line: row.line, field: name,
                                         "the value contains a line break or control character", hint: "remove it")
                    }
                }
                if let owner = parsed.owner[orderId], owner.customer != customerId {
                    throw InputError(file: row.file, line: row.line, field: "customer_id",
                                     "order '\(orderId)' belongs to customer '\(owner.customer)' on line \(owner.line), not '\(customerId)'",
                                     hint: "give each order one customer")
                }
                parsed.owner[orderId] = (customerId, row.line)
                parsed.lineCount += 1
                if let index = orderIndex[orderId] {
                    parsed.byCustomer[customerId]![index].items.append(item)
                } else {
                    orderIndex[orderId] = parsed.byCustomer[customerId, default: []].count
                    parsed.byCustomer[customerId, default: []].append(Order(id: orderId, at: at, items: [item]))
                }
            } catch let error as InputError {
                try issues.handle(error)
            }
        }
        return parsed
    }

    static func write(_ parsed: ParsedOrders, append: Bool, db: Database) throws {
        if !append { try db.execute(sql: "DELETE FROM order_history") }
        let select = try db.makeStatement(sql: "SELECT data FROM order_history WHERE customer_id = ?")
        let upsert = try db.makeStatement(sql: "INSERT OR REPLACE INTO order_history(customer_id, data) VALUES (?, ?)")
        for (customerId, newOrders) in parsed.byCustomer {
            var orders = newOrders
            if append, let existing = try String.fetchOne(select, arguments: [customerId]) {
                orders = merge(HistoryCoding.decodeOrders(existing), newOrders)
            }
            orders.sort { ($0.at, $0.id) < ($1.at, $1.id) }
            upsert.setUncheckedArguments([customerId, HistoryCoding.encode(orders: orders)])
            try upsert.execute()
        }
    }

    static func merge(_ old: [Order], _ new: [Order]) -> [Order] {
        var result = old
        var index = Dictionary(uniqueKeysWithValues: old.enumerated().map { ($1.id, $0) })
        for order in new {
            if let position = index[order.id] {
                result[position].items += order.items
            } else {
                index[order.id] = result.count
                result.append(order)
            }
        }
        return result
    }
}

enum EventParser {
    static func parse(_ table: CSVTable, startLine: Int, issues: inout RowIssues) throws -> [String: [EngagementEvent]] {
        let columns = try table.columns(required: ["customer_id", "type", "at"], optional: ["campaign", "url"])
        var result: [String: [EngagementEvent]] = [:]
        try table.forEachRow(startLine: startLine) { row in
            issues.rowsRead += 1
            do {
                let customerId = try row.required(columns["customer_id"], name: "customer_id")
                let typeText = try row.required(columns["type"], name: "type")
                guard let type = EngagementType(rawValue: typeText.lowercased()) else {
                    let names = EngagementType.allCases.map(\.rawValue)
                    throw InputError(file: row.file, line: row.line, field: "type", "unknown event type '\(typeText)'",
                                     hint: didYouMean(typeText, among: names) ?? "use one of \(names.joined(separator: ", "))")
                }
                let at: Int64 = try date(try row.required(columns["at"], name: "at"), row: row, field: "at")
                let campaign = try row.text(columns["campaign"], name: "campaign")
                let url = try row.text(columns["url"], name: "url")
                for (name, value) in [("customer_id", customerId), ("campaign", campaign), ("url", url)] {
                    if let value, HistoryCoding.hasControlCharacter(value) {
                        throw InputError(file: row.file, line: row.line, field: name,
                                         "the value contains a line break or control character", hint: "remove it")
                    }
                }
                result[customerId, default: []].append(EngagementEvent(type: type, at: at, campaign: campaign, url: url))
            } catch let error as InputError {
                try issues.handle(error)
            }
        }
        return result
    }

    static func write(_ events: [String: [EngagementEvent]], append: Bool, db: Database) throws {
        if !append { try db.execute(sql: "DELETE FROM engagement_history") }
        let select = try db.makeStatement(sql: "SELECT data FROM engagement_history WHERE customer_id = ?")
        let upsert = try db.makeStatement(sql: "INSERT OR REPLACE INTO engagement_history(customer_id, data) VALUES (?, ?)")
        for (customerId, new) in events {
            var all = new
            if append, let existing = try String.fetchOne(select, arguments: [customerId]) {
                all = HistoryCoding.decodeEvents(existing) + new
            }
            all.sort { $0.at < $1.at }
            upsert.setUncheckedArguments([customerId, HistoryCoding.encode(events: all)])
            try upsert.execute()
        }
    }
}

