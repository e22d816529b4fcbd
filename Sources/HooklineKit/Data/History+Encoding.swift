import Foundation
import GRDB

/// The strings that repeat across histories — SKUs, product names, categories,
/// campaign ids, URLs — stored once in `history_term` and referred to by number
/// (0 means none). Immutable once loaded, so every history can share it.
public final class TermList: Sendable {
    let texts: [String]

    init(_ texts: [String]) { self.texts = texts }

    subscript(id: Int) -> String? { id > 0 && id < texts.count ? texts[id] : nil }

    static func load(_ db: Database) throws -> TermList {
        var texts = [""]
        let rows = try Row.fetchCursor(db, sql: "SELECT id, text FROM history_term ORDER BY id")
        while let row = try rows.next() {
            let id: Int = row[0]
            while texts.count < id { texts.append("") }
            texts.append(row[1])
        }
        return TermList(texts)
    }
}

/// Adds terms during a sync; new ones are written to `history_term` as they appear.
struct TermWriter {
    private(set) var texts: [String]
    private var ids: [String: Int32]
    private var insert: Statement

    init(_ db: Database) throws {
        texts = try TermList.load(db).texts
        ids = [:]
        for (index, text) in texts.enumerated() where index > 0 { ids[text] = Int32(index) }
        insert = try db.makeStatement(sql: "INSERT INTO history_term(id, text) VALUES (?, ?)")
    }

    mutating func id(_ text: String?) throws -> Int32 {
        guard let text else { return 0 }
        if let id = ids[text] { return id }
        let id = Int32(texts.count)
        texts.append(text)
        ids[text] = id
        insert.setUncheckedArguments([Int(id), text])
        try insert.execute()
        return id
    }

    var list: TermList { TermList(texts) }
}

/// Orders and engagement are stored one row per customer as a compact binary
/// blob (varints, term numbers), so that a million customers' features load
/// in one table scan.
enum HistoryCoding {
    /// One line item with its strings as term numbers.
    struct Item {
        var sku: Int32
        var product: Int32
        var category: Int32
        var quantity: Int32
        var amount: Double
    }

    static func beginOrder(_ w: inout ByteWriter, id: String, at: Int64, items: Int) {
        w.write(text: id)
        w.write(signed: at)
        w.write(items)
    }

    static func write(_ w: inout ByteWriter, item: Item) {
        w.write(item.sku)
        w.write(item.product)
        w.write(item.category)
        w.write(item.quantity)
        w.write(item.amount)
    }

    static func writeEvent(_ w: inout ByteWriter, type: Int, at: Int64, campaign: Int32, url: Int32) {
        w.write(type)
        w.write(signed: at)
        w.write(campaign)
        w.write(url)
    }

    static func encode(orders: [Order], terms: inout TermWriter) throws -> [UInt8] {
        var w = ByteWriter()
        for order in orders {
            beginOrder(&w, id: order.id, at: order.at, items: order.items.count)
            for item in order.items {
                write(&w, item: Item(sku: try terms.id(item.sku), product: try terms.id(item.product),
                                     category: try terms.id(item.category), quantity: Int32(clamping: item.quantity),
                                     amount: item.amount))
            }
        }
        return w.bytes
    }

    static func encode(events: [EngagementEvent], terms: inout TermWriter) throws -> [UInt8] {
        var w = ByteWriter()
        for event in events {
            writeEvent(&w, type: EngagementType.allCases.firstIndex(of: event.type) ?? 0, at: event.at,
                       campaign: try terms.id(event.campaign), url: try terms.id(event.url))
        }
        return w.bytes
    }

    static func decodeOrders(_ bytes: [UInt8], terms: TermList) -> [Order] {
        bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var orders: [Order] = []
            while !r.atEnd {
                let id = r.readText()
                let at = r.readSigned()
                let count = r.readInt()
                guard !r.failed, count >= 0, count <= raw.count else { break }
                var items: [LineItem] = []
                items.reserveCapacity(count)
                for _ in 0..<count {
                    let sku = terms[r.readInt()], product = terms[r.readInt()], category = terms[r.readInt()]
                    let quantity = r.readInt()
                    let amount = r.readDouble()
                    items.append(LineItem(sku: sku, product: product, category: category, quantity: quantity, amount: amount))
                }
                if r.failed { break }
                orders.append(Order(id: id, at: at, items: items))
            }
            return orders
        }
    }

    static func decodeEvents(_ bytes: [UInt8], terms: TermList) -> [EngagementEvent] {
        bytes.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            var events: [EngagementEvent] = []
            let types = EngagementType.allCases
            while !r.atEnd {
                let type = r.readInt()
                let at = r.readSigned()
                let campaign = terms[r.readInt()], url = terms[r.readInt()]
                guard !r.failed, type >= 0, type < types.count else { break }
                events.append(EngagementEvent(type: types[type], at: at, campaign: campaign, url: url))
            }
            return events
        }
    }

    /// True when the text holds a C0 control character other than tab, or DEL.
    static func hasControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 && $0 != 0x09 } || text.utf8.contains(0x7F)
    }

    static func hasControlCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.contains { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }
    }
}

extension HistoryCoding {
    /// What segments need from an orders blob, without decoding it:
    /// the same numbers `CustomerFeatures` computes.
    static func orderFacts(_ bytes: UnsafeRawBufferPointer, now: Int64, windowStart: Int64)
        -> (count: Int, inWindow: Int, last: Int64?, total: Double) {
        var r = ByteReader(bytes)
        var count = 0, inWindow = 0, total = 0.0
        var last: Int64?
        while !r.atEnd {
            let idLength = r.readInt()
            r.position += idLength
            let at = r.readSigned()
            let items = r.readInt()
            guard !r.failed, r.position <= bytes.count else { break }
            for _ in 0..<items {
                _ = r.readUInt(); _ = r.readUInt(); _ = r.readUInt(); _ = r.readUInt()
                total += r.readDouble()
            }
            if r.failed { break }
            count += 1
            if at > windowStart && at <= now { inWindow += 1 }
            last = max(last ?? at, at)
        }
        return (count, inWindow, last, total)
    }

    /// The last open or click at or before `now` in an events blob.
    static func lastOpen(_ bytes: UnsafeRawBufferPointer, now: Int64) -> Int64? {
        let open = EngagementType.allCases.firstIndex(of: .open)!, click = EngagementType.allCases.firstIndex(of: .click)!
        var r = ByteReader(bytes)
        var last: Int64?
        while !r.atEnd {
            let type = r.readInt()
            let at = r.readSigned()
            _ = r.readUInt(); _ = r.readUInt()
            if r.failed { break }
            if (type == open || type == click) && at <= now { last = max(last ?? at, at) }
        }
        return last
    }
}
