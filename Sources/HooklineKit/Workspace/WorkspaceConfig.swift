import Foundation

/// The settings in `hookline.yml`. Every key is optional; the defaults are
/// documented in the README and chosen so that an empty file works.
public struct WorkspaceConfig: Sendable {
    public struct Shop: Sendable {
        public var name = "Our Shop"
        public var url = "https://shop.example.com"
        /// The postal address printed in every footer (required by anti-spam law in most places).
        public var address = ""
        /// Hosts that calls to action may link to besides the shop's own.
        public var allowedDomains: [String] = []
    }

    public struct Sender: Sendable {
        public var name = "Our Shop"
        public var email = "hello@shop.example.com"
        public var replyTo: String?
    }

    public struct DataPaths: Sendable {
        public var customers = "data/customers.csv"
        public var orders = "data/orders.csv"
        public var events = "data/events.csv"
    }

    /// Thresholds for the segment groups; see `Audience/SegmentRules.swift`.
    public struct SegmentThresholds: Sendable {
        /// The look-back window for the customer types.
        public var typeWindowDays = 365
        /// Orders within the window that make a customer `loyal`.
        public var loyalMinOrders = 4
        /// Orders within the window that make a customer `semi_loyal`.
        public var semiLoyalMinOrders = 2
        /// Opened or clicked within this many days: `engaged`.
        public var engagedDays = 30
        /// Last opened within this many days (but not engaged): `cooling`.
        public var coolingDays = 90
    }

    public struct ReportSettings: Sendable {
        /// A customer is active at a date when they ordered within this many days before it.
        public var activeWindowDays = 180
    }

    public var shop = Shop()
    public var sender = Sender()
    public var data = DataPaths()
    public var segments = SegmentThresholds()
    public var report = ReportSettings()
    /// Where the tracking and unsubscribe endpoint lives, e.g. `https://shop.example.com/hookline`.
    public var trackingBaseURL: String?
    /// Sections that later stages read themselves (`caps`, `smtp`, `rules`, `layout`),
    /// kept with their positions so their errors point into `hookline.yml`.
    public var sections: [String: YAMLNode] = [:]

    public init() {}

    public static let topLevelKeys = [
        "shop", "sender", "data", "segments", "report", "tracking", "caps", "smtp", "rules", "layout",
    ]

    /// Validates a parsed `hookline.yml`.
    public init(yaml root: YAMLNode) throws {
        let top = try root.mapping(allowed: Self.topLevelKeys)
        if let shop = try top.mapping("shop", allowed: ["name", "url", "address", "allowed_domains"]) {
            self.shop.name = try shop.string("name") ?? self.shop.name
            if let url = shop["url"] {
                self.shop.url = try Self.httpsURL(url)
            }
            self.shop.address = try shop.string("address") ?? ""
            self.shop.allowedDomains = try shop.stringList("allowed_domains") ?? []
        }
        if let sender = try top.mapping("sender", allowed: ["name", "email", "reply_to"]) {
            self.sender.name = try sender.string("name") ?? self.shop.name
            if let email = sender["email"] {
                self.sender.email = try Self.address(email)
            }
            if let replyTo = sender["reply_to"] {
                self.sender.replyTo = try Self.address(replyTo)
            }
        } else {
            self.sender.name = self.shop.name
        }
        if let data = try top.mapping("data", allowed: ["customers", "orders", "events"]) {
            self.data.customers = try data.string("customers") ?? self.data.customers
            self.data.orders = try data.string("orders") ?? self.data.orders
            self.data.events = try data.string("events") ?? self.data.events
        }
        if let segments = try top.mapping("segments", allowed: [
            "type_window_days", "loyal_min_orders", "semi_loyal_min_orders", "engaged_days", "cooling_days",
        ]) {
            var s = SegmentThresholds()
            s.typeWindowDays = try segments.int("type_window_days", in: 1...3650) ?? s.typeWindowDays
            s.loyalMinOrders = try segments.int("loyal_min_orders", in: 1...1000) ?? s.loyalMinOrders
            s.semiLoyalMinOrders = try segments.int("semi_loyal_min_orders", in: 1...1000) ?? s.semiLoyalMinOrders
            s.engagedDays = try segments.int("engaged_days", in: 1...3650) ?? s.engagedDays
            s.coolingDays = try segments.int("cooling_days", in: 1...3650) ?? s.coolingDays
            if s.semiLoyalMinOrders >= s.loyalMinOrders {
                throw (segments["semi_loyal_min_orders"] ?? segments.node)
                    .error("must be below loyal_min_orders (\(s.loyalMinOrders))")
            }
            if s.coolingDays <= s.engagedDays {
                throw (segments["cooling_days"] ?? segments.node)
                    .error("must be above engaged_days (\(s.engagedDays))")
            }
            self.segments = s
        }
        if let report = try top.mapping("report", allowed: ["active_window_days"]) {
            self.report.activeWindowDays = try report.int("active_window_days", in: 1...3650) ?? 180
        }
        if let tracking = try top.mapping("tracking", allowed: ["base_url"]), let base = tracking["base_url"] {
            self.trackingBaseURL = try Self.httpsURL(base)
        }
        for key in ["caps", "smtp", "rules", "layout"] {
            if let node = top[key] { sections[key] = node }
        }
    }

    static func httpsURL(_ node: YAMLNode) throws -> String {
        let text = try node.string()
        guard let url = URL(string: text), url.scheme == "https", url.host != nil else {
            throw node.error("'\(text)' is not an absolute https URL", hint: "write it as https://host/path")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func address(_ node: YAMLNode) throws -> String {
        let text = try node.string()
        guard EmailAddress.isValid(text) else {
            throw node.error("'\(text)' is not a valid email address", hint: "write it as name@example.com")
        }
        return text
    }
}
