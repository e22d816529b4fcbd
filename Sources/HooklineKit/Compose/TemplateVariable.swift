import Foundation

/// The names a template can use, and how each is looked up for one recipient.
///
/// Customer: `customer_id`, `email`, `first_name`, `last_name`, `locale`, and every extra
/// column of `customers.csv` by its header (`city`, `favorite_roast`, also as `attributes.city`).
/// Features: `order_count`, `total_spend`, `average_order_value`, `days_since_last_order`,
/// `last_order_date`, `last_order_id`, `last_product`, `tenure_days`, `reorder_days`.
/// Constants: `shop.name`, `shop.url`, `shop.address`, `sender.name`, `campaign.id`,
/// `campaign.name`, `offer.code`, `offer.discount`, `offer.expires`. Links: `unsubscribe_url`.
public enum TemplateVariable: Sendable, Hashable {
    case customerID, email, firstName, lastName, locale
    case orderCount, totalSpend, averageOrderValue, daysSinceLastOrder, lastOrderDate, lastOrderID
    case lastProduct, tenureDays, reorderDays
    case unsubscribeURL
    case attribute(String)
    case constant(name: String, value: String)

    static let perRecipient: [String: TemplateVariable] = [
        "customer_id": .customerID, "email": .email, "first_name": .firstName, "last_name": .lastName,
        "locale": .locale, "order_count": .orderCount, "total_spend": .totalSpend,
        "average_order_value": .averageOrderValue, "days_since_last_order": .daysSinceLastOrder,
        "last_order_date": .lastOrderDate, "last_order_id": .lastOrderID, "last_product": .lastProduct,
        "tenure_days": .tenureDays, "reorder_days": .reorderDays, "unsubscribe_url": .unsubscribeURL,
    ]

    /// The constants of one campaign in one workspace.
    static func constants(config: WorkspaceConfig, campaign: Campaign) -> [String: String] {
        [
            "shop.name": config.shop.name, "shop.url": config.shop.url, "shop.address": config.shop.address,
            "sender.name": campaign.fromName ?? config.sender.name,
            "campaign.id": campaign.id, "campaign.name": campaign.name,
            "offer.code": campaign.offer.code ?? "", "offer.discount": campaign.offer.discount ?? "",
            "offer.expires": campaign.offer.expires ?? "",
        ]
    }

    /// Resolves a name; unknown names are nil.
    static func named(_ name: String, constants: [String: String], attributes: Set<String>?) -> TemplateVariable? {
        if let variable = perRecipient[name] { return variable }
        if let value = constants[name] { return .constant(name: name, value: value) }
        let bare = name.hasPrefix("attributes.") ? String(name.dropFirst("attributes.".count)) : name
        if let attributes {
            return attributes.contains(bare) ? .attribute(bare) : nil
        }
        return name.contains(".") && !name.hasPrefix("attributes.") ? nil : .attribute(bare)
    }

    static func allNames(constants: [String: String], attributes: Set<String>?) -> [String] {
        Array(perRecipient.keys) + Array(constants.keys) + (attributes.map(Array.init) ?? [])
    }

    /// True when the value differs between recipients.
    var isConstant: Bool { if case .constant = self { return true } else { return false } }

    /// Computed from the order history, which a render then has to decode.
    var readsHistory: Bool {
        switch self {
        case .orderCount, .totalSpend, .averageOrderValue, .daysSinceLastOrder, .lastOrderDate, .lastOrderID,
             .lastProduct, .tenureDays, .reorderDays:
            return true
        case .customerID, .email, .firstName, .lastName, .locale, .unsubscribeURL, .attribute, .constant:
            return false
        }
    }

    /// This variable's text for one recipient; nil or empty means "no value".
    func value(for c: CustomerFeatures, unsubscribeURL: String) -> String? {
        switch self {
        case .customerID: return c.customer.id
        case .email: return c.customer.email
        case .firstName: return c.customer.firstName
        case .lastName: return c.customer.lastName
        case .locale: return c.customer.locale
        case .orderCount: return String(c.orderCount)
        case .totalSpend: return c.orderCount > 0 ? Self.money(c.totalSpend) : nil
        case .averageOrderValue: return c.orderCount > 0 ? Self.money(c.averageOrderValue) : nil
        case .daysSinceLastOrder: return c.daysSinceLastOrder.map(String.init)
        case .lastOrderDate: return c.lastOrderAt.map(Self.day)
        case .lastOrderID: return c.lastOrderId
        case .lastProduct: return c.lastProduct
        case .tenureDays: return c.tenureDays.map(String.init)
        case .reorderDays: return c.medianDaysBetweenOrders.map { String(Int($0.rounded())) }
        case .unsubscribeURL: return unsubscribeURL
        case .attribute(let name): return c.customer.attributes[name]
        case .constant(_, let value): return value
        }
    }

    /// The field name used in per-recipient errors.
    var fieldName: String {
        switch self {
        case .attribute(let name): return name
        case .constant(let name, _): return name
        default: return Self.perRecipient.first { $0.value == self }?.key ?? "value"
        }
    }

    static func money(_ value: Double) -> String {
        let cents = Int((value * 100).rounded())
        let fraction = cents % 100
        return "\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func day(_ seconds: Int64) -> String { ISODate.dayString(seconds) }

}
