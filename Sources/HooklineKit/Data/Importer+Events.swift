import CSupport
import Foundation
import GRDB

/// Engagement events of one sync, column by column.
struct EventColumns {
    /// 16 bytes per event: the (campaign, URL) pair is one number into `kinds`.
    struct Event {
        var at: Int64
        var kind: Int32
        var type: UInt8
    }

    struct Kind: Hashable {
        var campaign: Int32
        var url: Int32
    }

    var customers = IdColumn()
    var eventCustomer: [Int32] = []
    var events: [Event] = []
    var kinds: [Kind] = []
    var campaign = TermColumn(), url = TermColumn()

    mutating func resolveTerms(_ terms: inout TermWriter) throws {
        let campaigns = try campaign.resolve(&terms), urls = try url.resolve(&terms)
        for index in kinds.indices {
            kinds[index] = Kind(campaign: campaigns[Int(kinds[index].campaign)], url: urls[Int(kinds[index].url)])
        }
    }
}

enum EventParser {
    static let typeNames = EngagementType.allCases.map(\.rawValue)

    static func parse(_ table: CSVTable, issues: inout RowIssues) throws -> EventColumns {
        let columns = try table.columns(required: ["customer_id", "type", "at"], optional: ["campaign", "url"])
        var c = EventColumns()
        let estimate = table.estimatedRows
        c.eventCustomer.reserveLarge(estimate)
        c.events.reserveLarge(estimate)
        var kinds = KindNumbers<EventColumns.Kind>()
        let names = typeNames.map { Array($0.utf8) }
        let typeColumn = columns["type"], atColumn = columns["at"], customerColumn = columns["customer_id"]
        let campaignColumn = columns["campaign"], urlColumn = columns["url"]
        var days = ISODate.DayCache()
        try table.forEachRow { row in
            issues.rowsRead += 1
            do {
                let typeBytes = try row.requiredBytes(typeColumn, name: "type")
                var type = UInt8(0)
                if let index = names.firstIndex(where: { $0.elementsEqual(typeBytes) }) {
                    type = UInt8(index)
                } else {
                    let text = row.text(of: typeBytes)
                    guard let index = typeNames.firstIndex(of: text.lowercased()) else {
                        throw InputError(file: row.file, line: row.line, field: "type", "unknown event type '\(text)'",
                                         hint: didYouMean(text, among: typeNames) ?? "use one of \(typeNames.joined(separator: ", "))")
                    }
                    type = UInt8(index)
                }
                let atBytes = try row.requiredBytes(atColumn, name: "at")
                guard let at = ISODate.parse(atBytes, cache: &days) else { throw OrderParser.badDate(row, atBytes, field: "at") }
                let kind = EventColumns.Kind(campaign: try c.campaign.id(row, campaignColumn, name: "campaign"),
                                             url: try c.url.id(row, urlColumn, name: "url"))
                let customer = try c.customers.index(row, customerColumn, name: "customer_id").index
                let kindNumber = kinds.number(kind, key: Int(kind.campaign), in: &c.kinds)
                c.eventCustomer.append(customer)
                c.events.append(EventColumns.Event(at: at, kind: kindNumber, type: type))
            } catch let error as InputError {
                try issues.handle(error)
            }
        }
        return c
    }

    /// Writes one blob per customer, events by time (ties keep file order). In an append, a
    /// customer who already has a history gets the old and new events merged.
    static func write(_ columns: EventColumns, append: Bool, terms: inout TermWriter, db: Database) throws {
        var c = columns
        try c.resolveTerms(&terms)
        if !append { try db.execute(sql: "DELETE FROM engagement_history") }
        let (sorted, byCustomer) = groupByKeyOrder(c.customers.interner, c.eventCustomer)
        let shared = Unchecked(value: (c, sorted, byCustomer))
        let pipeline = BlobPipeline { emit in
            let (c, sorted, byCustomer) = shared.value
            let events = c.events
            BlobPipeline.encodeInKeyOrder(c.customers.interner, sorted, byCustomer, emit: emit, prefetch: { event, stage in
                guard stage == 1 else { return }
                events.withUnsafeBufferPointer { if let base = $0.baseAddress { hl_prefetch(base + Int(event)) } }
            }) { members, writer in
                if !members.isSorted(by: { c.events[Int($0)].at <= c.events[Int($1)].at }) {
                    members.sort { (c.events[Int($0)].at, $0) < (c.events[Int($1)].at, $1) }
                }
                for member in members {
                    let e = c.events[Int(member)], kind = c.kinds[Int(e.kind)]
                    HistoryCoding.writeEvent(&writer, type: Int(e.type), at: e.at, campaign: kind.campaign, url: kind.url)
                }
            }
        }
        let list = terms.list
        try pipeline.store(in: db, table: "engagement_history", append: append) { old, new in
            var all = HistoryCoding.decodeEvents(old, terms: list) + HistoryCoding.decodeEvents(new, terms: list)
            all.sort { $0.at < $1.at }
            return try HistoryCoding.encode(events: all, terms: &terms)
        }
    }
}

extension Array {
    func isSorted(by inOrder: (Element, Element) -> Bool) -> Bool {
        var index = 1
        while index < count {
            if !inOrder(self[index - 1], self[index]) { return false }
            index += 1
        }
        return true
    }
}
