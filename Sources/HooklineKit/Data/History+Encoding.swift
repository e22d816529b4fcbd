import Foundation

/// Orders and engagement are stored one row per customer, as compact text
/// with ASCII separator characters (which the importer refuses in data), so
/// that features for a million customers load in one table scan.
enum HistoryCoding {
    static let record: Character = "\u{1E}"
    static let field: Character = "\u{1F}"
    static let item: Character = "\u{1D}"
    static let part: Character = "\u{1C}"

    static func encode(orders: [Order]) -> String {
        var out = ""
        out.reserveCapacity(orders.count * 64)
        for (index, order) in orders.enumerated() {
            if index > 0 { out.append(record) }
            out += order.id
            out.append(field)
            out += String(order.at)
            for item in order.items {
                out.append(item == order.items.first ? field : self.item)
                out += item.sku ?? ""
                out.append(part)
                out += item.product ?? ""
                out.append(part)
                out += item.category ?? ""
                out.append(part)
                out += String(item.quantity)
                out.append(part)
                out += String(item.amount)
            }
        }
        return out
    }

    static func decodeOrders(_ text: String) -> [Order] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: record, omittingEmptySubsequences: false).compactMap { chunk in
            let fields = chunk.split(separator: field, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let at = Int64(fields[1]) else { return nil }
            let items = fields[2].split(separator: item, omittingEmptySubsequences: false).compactMap { raw -> LineItem? in
                let parts = raw.split(separator: part, omittingEmptySubsequences: false)
                guard parts.count == 5, let quantity = Int(parts[3]), let amount = Double(parts[4]) else { return nil }
                return LineItem(
                    sku: parts[0].isEmpty ? nil : String(parts[0]),
                    product: parts[1].isEmpty ? nil : String(parts[1]),
                    category: parts[2].isEmpty ? nil : String(parts[2]),
                    quantity: quantity, amount: amount)
            }
            return Order(id: String(fields[0]), at: at, items: items)
        }
    }

    static func encode(events: [EngagementEvent]) -> String {
        var out = ""
        out.reserveCapacity(events.count * 40)
        for (index, event) in events.enumerated() {
            if index > 0 { out.append(record) }
            out += event.type.rawValue
            out.append(field)
            out += String(event.at)
            out.append(field)
            out += event.campaign ?? ""
            out.append(field)
            out += event.url ?? ""
        }
        return out
    }

    static func decodeEvents(_ text: String) -> [EngagementEvent] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: record, omittingEmptySubsequences: false).compactMap { chunk in
            let fields = chunk.split(separator: field, omittingEmptySubsequences: false)
            guard fields.count == 4, let type = EngagementType(rawValue: String(fields[0])),
                  let at = Int64(fields[1]) else { return nil }
            return EngagementEvent(type: type, at: at,
                                   campaign: fields[2].isEmpty ? nil : String(fields[2]),
                                   url: fields[3].isEmpty ? nil : String(fields[3]))
        }
    }

    /// True when the text holds a character the encoding reserves (or any other C0 control but tab).
    static func hasControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 && $0 != 0x09 } || text.utf8.contains(0x7F)
    }
}
