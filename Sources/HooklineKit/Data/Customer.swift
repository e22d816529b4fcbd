import Foundation

/// A customer as imported from `customers.csv` (or known only from orders, then without an email).
public struct Customer: Sendable, Equatable {
    public var id: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var locale: String?
    public var timezone: String?
    public var subscribed: Bool
    public var createdAt: Date?
    /// Extra columns of `customers.csv`, by lower-cased header name.
    public var attributes: [String: String]

    public init(
        id: String, email: String? = nil, firstName: String? = nil, lastName: String? = nil,
        locale: String? = nil, timezone: String? = nil, subscribed: Bool = true,
        createdAt: Date? = nil, attributes: [String: String] = [:]
    ) {
        self.id = id
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.locale = locale
        self.timezone = timezone
        self.subscribed = subscribed
        self.createdAt = createdAt
        self.attributes = attributes
    }
}

/// One line item of an order.
public struct LineItem: Sendable, Equatable {
    public var sku: String?
    public var product: String?
    public var category: String?
    public var quantity: Int
    public var amount: Double

    public init(sku: String? = nil, product: String? = nil, category: String? = nil, quantity: Int = 1, amount: Double) {
        self.sku = sku
        self.product = product
        self.category = category
        self.quantity = quantity
        self.amount = amount
    }
}

/// An order: its line items share an id and a time.
public struct Order: Sendable, Equatable {
    public var id: String
    /// Seconds since 1970, UTC.
    public var at: Int64
    public var items: [LineItem]
    public var amount: Double { items.reduce(0) { $0 + $1.amount } }

    public init(id: String, at: Int64, items: [LineItem]) {
        self.id = id
        self.at = at
        self.items = items
    }
}

/// What a customer did with an email.
public enum EngagementType: String, Sendable, CaseIterable {
    case delivered, open, click, unsubscribe, bounce, complaint
}

public struct EngagementEvent: Sendable, Equatable {
    public var type: EngagementType
    /// Seconds since 1970, UTC.
    public var at: Int64
    public var campaign: String?
    public var url: String?

    public init(type: EngagementType, at: Int64, campaign: String? = nil, url: String? = nil) {
        self.type = type
        self.at = at
        self.campaign = campaign
        self.url = url
    }
}

/// Why an address must never be mailed. Listed strongest first.
public enum SuppressionReason: String, Sendable, CaseIterable, Comparable {
    case complained, bounced, unsubscribed, manual

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
