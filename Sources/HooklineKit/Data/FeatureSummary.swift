import Foundation

/// A customer's features in a printable, JSON-friendly form.
public struct FeatureSummary: Codable, Sendable {
    public var customerId: String
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var locale: String?
    public var timezone: String?
    public var subscribed: Bool
    public var suppressed: String?
    public var orders: Int
    public var totalSpend: Double
    public var averageOrderValue: Double
    public var firstOrder: String?
    public var lastOrder: String?
    public var lastOrderId: String?
    public var daysSinceLastOrder: Int?
    public var tenureDays: Int?
    public var ordersInTypeWindow: Int
    public var medianDaysBetweenOrders: Double?
    public var lastProduct: String?
    /// Category → date last bought.
    public var categories: [String: String]
    /// Product → date last bought.
    public var products: [String: String]
    public var opens30d: Int
    public var opens90d: Int
    public var clicks30d: Int
    public var clicks90d: Int
    public var lastEngagement: String?
    public var attributes: [String: String]
    public var segments: [String]
    public var rfm: String?

    enum CodingKeys: String, CodingKey {
        case customerId = "customer_id", email, firstName = "first_name", lastName = "last_name", locale, timezone
        case subscribed, suppressed, orders, totalSpend = "total_spend", averageOrderValue = "average_order_value"
        case firstOrder = "first_order", lastOrder = "last_order", lastOrderId = "last_order_id"
        case daysSinceLastOrder = "days_since_last_order", tenureDays = "tenure_days"
        case ordersInTypeWindow = "orders_in_type_window", medianDaysBetweenOrders = "median_days_between_orders"
        case lastProduct = "last_product", categories, products, opens30d = "opens_30d", opens90d = "opens_90d"
        case clicks30d = "clicks_30d", clicks90d = "clicks_90d", lastEngagement = "last_engagement", attributes
        case segments, rfm
    }

    public init(_ f: CustomerFeatures, membership: Membership) {
        let c = f.customer
        customerId = c.id
        email = c.email
        firstName = c.firstName
        lastName = c.lastName
        locale = c.locale
        timezone = c.timezone
        subscribed = c.subscribed
        suppressed = f.suppression?.rawValue
        orders = f.orderCount
        totalSpend = (f.totalSpend * 100).rounded() / 100
        averageOrderValue = (f.averageOrderValue * 100).rounded() / 100
        firstOrder = f.firstOrderAt.map(ISODate.dayString)
        lastOrder = f.lastOrderAt.map(ISODate.dayString)
        lastOrderId = f.lastOrderId
        daysSinceLastOrder = f.daysSinceLastOrder
        tenureDays = f.tenureDays
        ordersInTypeWindow = f.ordersInTypeWindow
        medianDaysBetweenOrders = f.medianDaysBetweenOrders.map { ($0 * 10).rounded() / 10 }
        lastProduct = f.lastProduct
        categories = f.categories.mapValues(ISODate.dayString)
        products = f.products.mapValues(ISODate.dayString)
        opens30d = f.opens30
        opens90d = f.opens90
        clicks30d = f.clicks30
        clicks90d = f.clicks90
        lastEngagement = f.lastEngagementAt.map(ISODate.dayString)
        attributes = c.attributes
        segments = membership.names
        rfm = membership.rfm?.description
    }
}
