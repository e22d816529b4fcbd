import CSupport
import Foundation
import GRDB

/// A column of repeating text (SKU, product, category, campaign, URL): the
/// bytes are interned per sync, so a value is checked and turned into a string
/// once, not once per row. Numbers are local to the sync (0 means none) until
/// `resolve` maps them to the store's terms, which lets files be read on other
/// threads while the store is busy.
struct TermColumn {
    var interner = ByteInterner()
    var texts: [String] = []
    var lowercase = false

    init(lowercase: Bool = false) { self.lowercase = lowercase }

    /// The previous row's value: campaigns (and often products) come in runs.
    private var last: Int32 = -1

    mutating func id(_ row: CSVRow, _ column: Int?, name: String) throws -> Int32 {
        guard let bytes = row.field(column) else { return 0 }
        if last >= 0 && interner.equals(Int(last), bytes) { return last + 1 }
        if let known = interner.find(bytes) {
            last = known
            return known + 1
        }
        if let error = row.check(bytes, field: name) ?? interner.roomError(row, field: name) { throw error }
        let text = row.text(of: bytes)
        texts.append(lowercase ? text.lowercased() : text)
        last = interner.intern(bytes).index
        return last + 1
    }

    /// Local number → the store's term number.
    func resolve(_ terms: inout TermWriter) throws -> [Int32] {
        var ids: [Int32] = [0]
        for text in texts { ids.append(try terms.id(text)) }
        return ids
    }
}

/// Numbers for the distinct combinations of a row's terms (a line's SKU, product and
/// category; an event's campaign and URL). Rows with the same first term usually carry
/// the same combination, so that is tried before the dictionary.
struct KindNumbers<Kind: Hashable> {
    private var numbers: [Kind: Int32] = [:]
    private var lastByKey: [Int32] = []

    mutating func number(_ kind: Kind, key: Int, in kinds: inout [Kind]) -> Int32 {
        if key < lastByKey.count {
            let last = lastByKey[key]
            if last >= 0 && kinds[Int(last)] == kind { return last }
        } else {
            lastByKey.append(contentsOf: repeatElement(-1, count: key + 1 - lastByKey.count))
        }
        let number: Int32
        if let known = numbers[kind] {
            number = known
        } else {
            number = Int32(kinds.count)
            numbers[kind] = number
            kinds.append(kind)
        }
        lastByKey[key] = number
        return number
    }
}

/// Ids (customer or order) from one file: interned bytes, checked once.
struct IdColumn {
    /// Starts without a lookup table: while each new id sorts after the one before (a file
    /// sorted by id, or orders numbered as they come), an id seen before can only be the
    /// previous row's. The first id out of order builds the table.
    var interner = ByteInterner.unindexed()
    /// The previous row's id: lines of one order (and one customer) usually come together.
    /// A short id is compared from a copy of its bytes (the arena would be a cache miss).
    private var last: Int32 = -1
    private var lastLength = -1
    private var lastPrefix: UInt64 = 0
    private var ascending = true

    /// The id's number; `isNew` when first seen in this sync.
    mutating func index(_ row: CSVRow, _ column: Int?, name: String) throws -> (index: Int32, isNew: Bool) {
        let bytes = try row.requiredBytes(column, name: name)
        let prefix = ByteInterner.Key.prefix(bytes)
        if last >= 0 && bytes.count == lastLength
            && (bytes.count <= 8 ? prefix == lastPrefix : interner.equals(Int(last), bytes)) {
            return (last, false)
        }
        let result = try lookUp(bytes, row: row, name: name)
        last = result.index
        lastLength = bytes.count
        lastPrefix = prefix
        return result
    }

    private mutating func lookUp(_ bytes: UnsafeBufferPointer<UInt8>, row: CSVRow, name: String) throws -> (index: Int32, isNew: Bool) {
        if ascending {
            let count = interner.count
            if count == 0 || interner.withBytes(count - 1, { KeyOrder.less($0, bytes) }) {
                if let error = row.check(bytes, field: name) ?? interner.roomError(row, field: name) { throw error }
                return (interner.append(bytes), true)
            }
            ascending = false
            interner.rebuildLookups()
        }
        if let known = interner.find(bytes) { return (known, false) }
        if let error = row.check(bytes, field: name) ?? interner.roomError(row, field: name) { throw error }
        return interner.intern(bytes)
    }


    func string(_ index: Int32) -> String { interner.string(Int(index)) }
}

/// Order lines of one sync, column by column: customers and orders as dense numbers.
struct OrderColumns {
    var customers = IdColumn()
    var orders = IdColumn()
    var orderCustomer: [Int32] = []
    var orderAt: [Int64] = []
    var orderLine: [Int32] = []
    var lineOrder: [Int32] = []
    /// Per line: its (sku, product, category) as one number into `kinds`, quantity and amount,
    /// side by side so the encoder reads a line in one memory access.
    struct Line {
        var kind: Int32
        var quantity: Int32
        var amount: Double
    }

    var lines: [Line] = []
    var kinds: [ItemKind] = []
    var sku = TermColumn(), product = TermColumn(), category = TermColumn(lowercase: true)

    /// Maps the kinds' local term numbers to the store's.
    mutating func resolveTerms(_ terms: inout TermWriter) throws {
        let skus = try sku.resolve(&terms), products = try product.resolve(&terms), categories = try category.resolve(&terms)
        for index in kinds.indices {
            kinds[index] = ItemKind(sku: skus[Int(kinds[index].sku)], product: products[Int(kinds[index].product)],
                                    category: categories[Int(kinds[index].category)])
        }
    }

    struct ItemKind: Hashable {
        var sku: Int32
        var product: Int32
        var category: Int32
    }

    /// The line columns as plain buffers, for the loop that encodes every order.
    struct LineView {
        let kinds: UnsafeBufferPointer<ItemKind>
        let lines: UnsafeBufferPointer<Line>
        let orderAt: UnsafeBufferPointer<Int64>
        let starts: UnsafeBufferPointer<Int32>
        let members: UnsafeBufferPointer<Int32>?

        /// Starts loading what `encode(order)` reads: its time and line range (stage 1), then
        /// its first line (stage 2, once the range is in).
        @inline(__always)
        func prefetch(_ order: Int32, stage: Int) {
            guard let at = orderAt.baseAddress, let start = starts.baseAddress, let line = lines.baseAddress else { return }
            if stage == 1 {
                hl_prefetch(at + Int(order))
                hl_prefetch(start + Int(order))
            } else {
                let first = Int(starts[Int(order)])
                guard first < (members?.count ?? lines.count) else { return }
                hl_prefetch(line + (members.map { Int($0[first]) } ?? first))
            }
        }

        /// An order's time and lines (its id is written by the caller).
        func encode(_ order: Int32, into writer: inout ByteWriter) {
            let first = Int(starts[Int(order)]), end = Int(starts[Int(order) + 1])
            writer.write(signed: orderAt[Int(order)])
            writer.write(end - first)
            for position in first..<end {
                let line = members.map { Int($0[position]) } ?? position
                let item = lines[line], kind = kinds[Int(item.kind)]
                HistoryCoding.write(&writer, item: HistoryCoding.Item(
                    sku: kind.sku, product: kind.product, category: kind.category,
                    quantity: item.quantity, amount: item.amount))
            }
        }
    }

    func withLineView(_ byOrder: Grouping, _ body: (LineView) -> Void) {
        kinds.withUnsafeBufferPointer { kinds in
            lines.withUnsafeBufferPointer { lines in
                orderAt.withUnsafeBufferPointer { orderAt in
                    byOrder.starts.withUnsafeBufferPointer { starts in
                        func run(_ members: UnsafeBufferPointer<Int32>?) {
                            body(LineView(kinds: kinds, lines: lines, orderAt: orderAt, starts: starts, members: members))
                        }
                        guard let members = byOrder.members else { return run(nil) }
                        members.withUnsafeBufferPointer { run($0) }
                    }
                }
            }
        }
    }
}

enum OrderParser {
    static func parse(_ table: CSVTable, issues: inout RowIssues) throws -> OrderColumns {
        let columns = try table.columns(
            required: ["order_id", "customer_id", "ordered_at", "amount"],
            optional: ["sku", "product", "category", "quantity", "currency"])
        var c = OrderColumns()
        let estimate = table.estimatedRows
        c.orders.interner.reserve(values: estimate / 2, bytes: 10)
        c.orderCustomer.reserveLarge(estimate)
        c.orderAt.reserveLarge(estimate)
        c.orderLine.reserveLarge(estimate)
        c.lineOrder.reserveLarge(estimate)
        c.lines.reserveLarge(estimate)
        var kinds = KindNumbers<OrderColumns.ItemKind>()
        let orderColumn = columns["order_id"], customerColumn = columns["customer_id"]
        let atColumn = columns["ordered_at"], amountColumn = columns["amount"], quantityColumn = columns["quantity"]
        let skuColumn = columns["sku"], productColumn = columns["product"], categoryColumn = columns["category"]
        var days = ISODate.DayCache()
        try table.forEachRow { row in
            issues.rowsRead += 1
            do {
                let atBytes = try row.requiredBytes(atColumn, name: "ordered_at")
                guard let at = ISODate.parse(atBytes, cache: &days) else { throw badDate(row, atBytes, field: "ordered_at") }
                let amountBytes = try row.requiredBytes(amountColumn, name: "amount")
                guard let amount = FastNumber.decimal(amountBytes) else {
                    throw InputError(file: row.file, line: row.line, field: "amount", "'\(row.text(of: amountBytes))' is not a number",
                                     hint: "write the line total with a dot for decimals, e.g. 12.50")
                }
                var quantity = 1
                if let bytes = row.field(quantityColumn) {
                    guard let value = FastNumber.count(bytes), value >= 0 else {
                        throw InputError(file: row.file, line: row.line, field: "quantity",
                                         "'\(row.text(of: bytes))' is not a whole number", hint: "write the number of units, e.g. 2")
                    }
                    quantity = value
                }
                let kind = OrderColumns.ItemKind(
                    sku: try c.sku.id(row, skuColumn, name: "sku"),
                    product: try c.product.id(row, productColumn, name: "product"),
                    category: try c.category.id(row, categoryColumn, name: "category"))
                let customer = try c.customers.index(row, customerColumn, name: "customer_id").index
                // The order last: a row that fails must not leave a half-made order behind.
                let order = try c.orders.index(row, orderColumn, name: "order_id")
                if order.isNew {
                    c.orderCustomer.append(customer)
                    c.orderAt.append(at)
                    c.orderLine.append(Int32(clamping: row.line))
                } else if c.orderCustomer[Int(order.index)] != customer {
                    let owner = c.orderCustomer[Int(order.index)]
                    throw InputError(
                        file: row.file, line: row.line, field: "customer_id",
                        "order '\(c.orders.string(order.index))' belongs to customer '\(c.customers.string(owner))' "
                            + "on line \(c.orderLine[Int(order.index)]), not '\(c.customers.string(customer))'",
                        hint: "give each order one customer")
                }
                c.lineOrder.append(order.index)
                c.lines.append(OrderColumns.Line(kind: kinds.number(kind, key: Int(kind.sku), in: &c.kinds),
                                                 quantity: Int32(clamping: quantity), amount: amount))
            } catch let error as InputError {
                try issues.handle(error)
            }
        }
        return c
    }

    static func badDate(_ row: CSVRow, _ bytes: UnsafeBufferPointer<UInt8>, field: String) -> InputError {
        InputError(file: row.file, line: row.line, field: field, "'\(row.text(of: bytes))' is not an ISO 8601 date",
                   hint: "write 2026-03-14 or 2026-03-14T10:22:00+01:00")
    }

    /// Writes one blob per customer: orders by time, each with its lines in file order. In an
    /// append, a customer who already has a history gets the old and new orders merged.
    static func write(_ columns: OrderColumns, append: Bool, terms: inout TermWriter, db: Database) throws {
        var c = columns
        try c.resolveTerms(&terms)
        if !append { try db.execute(sql: "DELETE FROM order_history") }
        let (sorted, byCustomer) = groupByKeyOrder(c.customers.interner, c.orderCustomer)
        let byOrder = group(c.lineOrder, buckets: c.orderCustomer.count)
        let shared = Unchecked(value: (c, sorted, byCustomer, byOrder))
        let pipeline = BlobPipeline { emit in
            let (c, sorted, byCustomer, byOrder) = shared.value
            let orderIds = c.orders.interner
            c.withLineView(byOrder) { view in
                BlobPipeline.encodeInKeyOrder(c.customers.interner, sorted, byCustomer, emit: emit, prefetch: { order, stage in
                    view.prefetch(order, stage: stage)
                    orderIds.prefetch(Int(order), bytes: stage == 2)
                }) { orders, writer in
                    sortByTime(&orders, view.orderAt, orderIds)
                    for order in orders {
                        orderIds.withBytes(Int(order)) { writer.write(bytes: $0) }
                        view.encode(order, into: &writer)
                    }
                }
            }
        }
        let list = terms.list
        try pipeline.store(in: db, table: "order_history", append: append) { old, new in
            var merged = merge(HistoryCoding.decodeOrders(old, terms: list), HistoryCoding.decodeOrders(new, terms: list))
            merged.sort { ($0.at, $0.id) < ($1.at, $1.id) }
            return try HistoryCoding.encode(orders: merged, terms: &terms)
        }
    }

    /// A customer's orders by time (ties by id, as the store keeps them).
    static func sortByTime(_ orders: inout [Int32], _ at: UnsafeBufferPointer<Int64>, _ ids: ByteInterner) {
        func less(_ a: Int32, _ b: Int32) -> Bool {
            let x = at[Int(a)], y = at[Int(b)]
            if x != y { return x < y }
            return ids.withBytes(Int(a)) { a in ids.withBytes(Int(b)) { b in KeyOrder.less(a, b) } }
        }
        if orders.isSorted(by: { !less($1, $0) }) { return }
        orders.sort(by: less)
    }

    static func merge(_ old: [Order], _ new: [Order]) -> [Order] {
        var result = old
        var index = Dictionary(old.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
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
