import Foundation

/// One condition on a customer's features.
public enum AudienceCondition: Sendable {
    /// A numeric feature within a range; customers without the feature (e.g. no orders) fail.
    case number(NumericFeature, NumberRange)
    case boughtCategory(names: [String], withinDays: Int?)
    case notBoughtCategory(names: [String], withinDays: Int?)
    case boughtProduct(names: [String], withinDays: Int?)
    case openedWithinDays(Int)
    case notOpenedWithinDays(Int)
    case clickedWithinDays(Int)
    case locale([String])
    case attribute(name: String, values: [String])

    public enum NumericFeature: String, Sendable, CaseIterable {
        case daysSinceLastOrder = "days_since_last_order"
        case orders
        case spend
        case averageOrderValue = "average_order_value"
        case tenureDays = "tenure_days"
        case daysSinceLastOpen = "days_since_last_open"
        case medianDaysBetweenOrders = "median_days_between_orders"
        case opens90 = "opens_90d"
        case clicks90 = "clicks_90d"

        func value(_ c: CustomerFeatures) -> Double? {
            switch self {
            case .daysSinceLastOrder: return c.daysSinceLastOrder.map(Double.init)
            case .orders: return Double(c.orderCount)
            case .spend: return c.totalSpend
            case .averageOrderValue: return c.orderCount > 0 ? c.averageOrderValue : nil
            case .tenureDays: return c.tenureDays.map(Double.init)
            case .daysSinceLastOpen: return c.daysSinceLastOpen.map(Double.init)
            case .medianDaysBetweenOrders: return c.medianDaysBetweenOrders
            case .opens90: return Double(c.opens90)
            case .clicks90: return Double(c.clicks90)
            }
        }
    }

    static let keys = NumericFeature.allCases.map(\.rawValue) + [
        "bought_category", "not_bought_category", "bought_product", "opened_within_days",
        "not_opened_within_days", "clicked_within_days", "locale", "attributes",
    ]

    init(key: String, value: YAMLNode) throws {
        if let feature = NumericFeature(rawValue: key) {
            let text = try value.string()
            guard let range = NumberRange(text) else {
                throw value.error("'\(text)' is not a number or range",
                                  hint: "write 21..35, \">= 2\", \"< 5\" or a single number (quote ranges that start with > or <)")
            }
            self = .number(feature, range)
            return
        }
        switch key {
        case "bought_category", "not_bought_category", "bought_product":
            let (names, days) = try Self.namesWithin(value)
            switch key {
            case "bought_category": self = .boughtCategory(names: names.map { $0.lowercased() }, withinDays: days)
            case "not_bought_category": self = .notBoughtCategory(names: names.map { $0.lowercased() }, withinDays: days)
            default: self = .boughtProduct(names: names, withinDays: days)
            }
        case "opened_within_days": self = .openedWithinDays(try value.int(in: 1...3650))
        case "not_opened_within_days": self = .notOpenedWithinDays(try value.int(in: 1...3650))
        case "clicked_within_days": self = .clickedWithinDays(try value.int(in: 1...3650))
        case "locale": self = .locale(try value.stringList().map { $0.lowercased() })
        case "attributes":
            guard case .mapping(let entries) = value.kind, entries.count == 1, let entry = entries.first else {
                throw value.error("give exactly one attribute, e.g. {city: Berlin}")
            }
            self = .attribute(name: try entry.key.string().lowercased(), values: try entry.value.stringList())
        default:
            throw value.error("unknown audience condition '\(key)'", hint: didYouMean(key, among: Self.keys) ?? "")
        }
    }

    /// `coffee`, `[coffee, tea]` or `{name: coffee, within_days: 60}`.
    private static func namesWithin(_ node: YAMLNode) throws -> ([String], Int?) {
        if case .mapping = node.kind {
            let map = try node.mapping(allowed: ["name", "within_days"])
            return (try map.required("name").stringList(), try map.int("within_days", in: 1...3650))
        }
        return (try node.stringList(), nil)
    }

    public func matches(_ c: CustomerFeatures) -> Bool {
        switch self {
        case .number(let feature, let range):
            guard let value = feature.value(c) else { return false }
            return range.contains(value)
        case .boughtCategory(let names, let days):
            return names.contains { c.bought(category: $0, withinDays: days) }
        case .notBoughtCategory(let names, let days):
            return !names.contains { c.bought(category: $0, withinDays: days) }
        case .boughtProduct(let names, let days):
            return names.contains { c.bought(product: $0, withinDays: days) }
        case .openedWithinDays(let days):
            return (c.daysSinceLastOpen ?? Int.max) <= days
        case .notOpenedWithinDays(let days):
            return (c.daysSinceLastOpen ?? Int.max) > days
        case .clickedWithinDays(let days):
            return c.events.contains { $0.type == .click && $0.at <= c.now && FeatureClock.days(from: $0.at, to: c.now) <= days }
        case .locale(let locales):
            guard let locale = c.customer.locale?.lowercased() else { return false }
            return locales.contains { locale == $0 || locale.hasPrefix($0 + "-") || locale.hasPrefix($0 + "_") }
        case .attribute(let name, let values):
            guard let value = c.customer.attributes[name] else { return false }
            return values.contains { $0.caseInsensitiveCompare(value) == .orderedSame }
        }
    }
}
