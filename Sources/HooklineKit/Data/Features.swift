import Foundation

/// Everything Hookline knows about one customer at one moment (`now`):
/// what audiences filter on and what templates print.
public struct CustomerFeatures: Sendable {
    public var customer: Customer
    /// The orders and events behind the features, kept compact and decoded when asked for.
    public var history: CustomerHistory
    /// Setting these replaces the history only; the features stay as computed.
    public var orders: [Order] {
        get { history.orders }
        set { history = CustomerHistory(orders: newValue, events: history.events) }
    }

    public var events: [EngagementEvent] {
        get { history.events }
        set { history = CustomerHistory(orders: history.orders, events: newValue) }
    }

    public var orderCount: Int
    public var totalSpend: Double
    public var averageOrderValue: Double
    public var firstOrderAt: Int64?
    public var lastOrderAt: Int64?
    public var lastOrderId: String?
    public var daysSinceLastOrder: Int?
    /// Days since the customer was first known (sign-up or first order, whichever is earlier).
    public var tenureDays: Int?
    /// Orders within the customer-type window (`segments.type_window_days`).
    public var ordersInTypeWindow: Int
    /// Each category (lower-cased) bought, with the last time, in the order first bought.
    public var categoryDates: [LastBought]
    /// Each product bought, with the last time, in the order first bought.
    public var productDates: [LastBought]
    /// Category (lower-cased) → last time bought.
    public var categories: [String: Int64] { Dictionary(categoryDates.map { ($0.name, $0.at) }, uniquingKeysWith: max) }
    /// Product name → last time bought.
    public var products: [String: Int64] { Dictionary(productDates.map { ($0.name, $0.at) }, uniquingKeysWith: max) }
    public var lastProduct: String?
    /// The median of the days between consecutive orders; nil with fewer than two orders.
    public var medianDaysBetweenOrders: Double?
    public var opens30: Int
    public var opens90: Int
    public var clicks30: Int
    public var clicks90: Int
    public var lastOpenAt: Int64?
    public var lastEngagementAt: Int64?
    public var suppression: SuppressionReason?

    /// True when the customer has an email address and nothing suppresses it.
    public var isMailable: Bool { customer.email != nil && suppression == nil }

    public var daysSinceLastOpen: Int? { lastOpenAt.map { FeatureClock.days(from: $0, to: now) } }

    /// The moment these features describe, in seconds since 1970.
    public var now: Int64

    public init(customer: Customer, orders: [Order], events: [EngagementEvent],
                manualSuppression: SuppressionReason? = nil, now: Int64, typeWindowDays: Int) {
        self.init(customer: customer, history: CustomerHistory(orders: orders, events: events), orders: orders, events: events,
                  manualSuppression: manualSuppression, now: now, typeWindowDays: typeWindowDays)
    }

    /// Features from a stored history (decoded once here, then kept compact).
    init(customer: Customer, history: CustomerHistory, manualSuppression: SuppressionReason?, now: Int64, typeWindowDays: Int) {
        self.init(customer: customer, history: history, orders: history.orders, events: history.events,
                  manualSuppression: manualSuppression, now: now, typeWindowDays: typeWindowDays)
    }

    private init(customer: Customer, history: CustomerHistory, orders: [Order], events: [EngagementEvent],
                 manualSuppression: SuppressionReason?, now: Int64, typeWindowDays: Int) {
        self.customer = customer
        self.history = history
        self.now = now
        let sorted = orders.isSorted { $0.at <= $1.at } ? orders : orders.sorted { $0.at < $1.at }
        orderCount = sorted.count
        totalSpend = sorted.reduce(0) { $0 + $1.amount }
        averageOrderValue = sorted.isEmpty ? 0 : totalSpend / Double(sorted.count)
        firstOrderAt = sorted.first?.at
        lastOrderAt = sorted.last?.at
        lastOrderId = sorted.last?.id
        daysSinceLastOrder = lastOrderAt.map { FeatureClock.days(from: $0, to: now) }
        let known = [customer.createdAt.map { Int64($0.timeIntervalSince1970) }, firstOrderAt].compactMap { $0 }.min()
        tenureDays = known.map { FeatureClock.days(from: $0, to: now) }
        let windowStart = now - Int64(typeWindowDays) * 86_400
        ordersInTypeWindow = sorted.filter { $0.at > windowStart && $0.at <= now }.count
        var categories: [LastBought] = []
        var products: [LastBought] = []
        for order in sorted {
            for item in order.items {
                if let category = item.category { LastBought.note(category, at: order.at, in: &categories) }
                if let product = item.product { LastBought.note(product, at: order.at, in: &products) }
            }
        }
        categoryDates = categories
        productDates = products
        lastProduct = sorted.last?.items.max { $0.amount < $1.amount }?.product
        if sorted.count >= 2 {
            let gaps = zip(sorted.dropFirst(), sorted).map { Double($0.at - $1.at) / 86_400 }.sorted()
            let middle = gaps.count / 2
            medianDaysBetweenOrders = gaps.count % 2 == 1 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2
        } else {
            medianDaysBetweenOrders = nil
        }
        var opens30 = 0, opens90 = 0, clicks30 = 0, clicks90 = 0
        var lastOpen: Int64?, lastEngagement: Int64?
        var suppression = manualSuppression
        if !customer.subscribed { suppression = min(suppression ?? .unsubscribed, .unsubscribed) }
        for event in events where event.at <= now {
            let age = now - event.at
            switch event.type {
            case .open, .click:
                if event.type == .open {
                    if age <= 30 * 86_400 { opens30 += 1 }
                    if age <= 90 * 86_400 { opens90 += 1 }
                } else {
                    if age <= 30 * 86_400 { clicks30 += 1 }
                    if age <= 90 * 86_400 { clicks90 += 1 }
                }
                // A click proves the message was opened even when the open pixel was blocked.
                lastOpen = max(lastOpen ?? event.at, event.at)
                lastEngagement = max(lastEngagement ?? event.at, event.at)
            case .unsubscribe: suppression = min(suppression ?? .unsubscribed, .unsubscribed)
            case .bounce: suppression = min(suppression ?? .bounced, .bounced)
            case .complaint: suppression = min(suppression ?? .complained, .complained)
            case .delivered: break
            }
        }
        self.opens30 = opens30
        self.opens90 = opens90
        self.clicks30 = clicks30
        self.clicks90 = clicks90
        self.lastOpenAt = lastOpen
        self.lastEngagementAt = lastEngagement
        self.suppression = suppression
    }

    /// Whether the customer bought in `category` within the last `days` days.
    public func bought(category: String, withinDays days: Int?) -> Bool {
        let name = category.lowercased()
        guard let at = categoryDates.first(where: { $0.name == name })?.at else { return false }
        guard let days else { return true }
        return FeatureClock.days(from: at, to: now) <= days
    }

    public func bought(product: String, withinDays days: Int?) -> Bool {
        guard let at = productDates.first(where: { $0.name.caseInsensitiveCompare(product) == .orderedSame })?.at else {
            return false
        }
        guard let days else { return true }
        return FeatureClock.days(from: at, to: now) <= days
    }
}

/// A category or product and the last time the customer bought it.
public struct LastBought: Sendable, Equatable {
    public var name: String
    public var at: Int64

    static func note(_ name: String, at: Int64, in list: inout [LastBought]) {
        if let index = list.firstIndex(where: { $0.name == name }) {
            list[index].at = at
        } else {
            list.append(LastBought(name: name, at: at))
        }
    }
}

/// A customer's orders and events: as given (tests, synthetic customers) or as
/// stored, compact, decoded on demand.
public struct CustomerHistory: Sendable {
    private enum Storage: Sendable {
        case decoded([Order], [EngagementEvent])
        case encoded(orders: [UInt8], events: [UInt8], terms: TermList)
    }

    private let storage: Storage

    public init(orders: [Order], events: [EngagementEvent]) { storage = .decoded(orders, events) }

    init(encodedOrders: [UInt8], events: [UInt8], terms: TermList) {
        storage = .encoded(orders: encodedOrders, events: events, terms: terms)
    }

    public var orders: [Order] {
        switch storage {
        case .decoded(let orders, _): return orders
        case .encoded(let bytes, _, let terms): return HistoryCoding.decodeOrders(bytes, terms: terms)
        }
    }

    public var events: [EngagementEvent] {
        switch storage {
        case .decoded(_, let events): return events
        case .encoded(_, let bytes, let terms): return HistoryCoding.decodeEvents(bytes, terms: terms)
        }
    }
}

/// Day arithmetic shared by features, segments and schedules.
public enum FeatureClock {
    /// Whole days from one instant to a later one (floor); negative when `to` is earlier.
    public static func days(from start: Int64, to end: Int64) -> Int {
        Int(ISODate.floorDiv(end - start, 86_400))
    }
}
