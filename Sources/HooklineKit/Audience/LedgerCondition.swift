/// Audience conditions on what Hookline already sent:
///
/// ```yaml
/// audience:
///   received: {campaign: spring-sale, within_days: 14}   # got that campaign recently
///   not_opened: spring-sale                              # got it, and neither opened nor clicked it
/// ```
public enum LedgerCondition: Sendable, Equatable {
    case received(campaign: String, withinDays: Int?)
    case notOpened(campaign: String)

    public static let keys = ["received", "not_opened"]

    public init(key: String, value: YAMLNode) throws {
        switch key {
        case "received":
            if case .mapping = value.kind {
                let map = try value.mapping(allowed: ["campaign", "within_days"])
                self = .received(campaign: try map.required("campaign").string(),
                                 withinDays: try map.int("within_days", in: 1...3650))
            } else {
                self = .received(campaign: try value.string(), withinDays: nil)
            }
        case "not_opened":
            self = .notOpened(campaign: try value.string())
        default:
            throw value.error("unknown audience condition '\(key)'", hint: didYouMean(key, among: Self.keys) ?? "")
        }
    }

    /// The campaigns these conditions read, so the caller loads only their facts.
    public var campaign: String {
        switch self {
        case .received(let campaign, _), .notOpened(let campaign): return campaign
        }
    }

    public func matches(_ customer: CustomerFeatures, facts: LedgerFacts) -> Bool {
        switch self {
        case .received(let campaign, let days):
            guard let at = facts.sentAt[campaign]?[customer.customer.id] else { return false }
            guard let days else { return true }
            return FeatureClock.days(from: at, to: customer.now) <= days
        case .notOpened(let campaign):
            guard facts.sentAt[campaign]?[customer.customer.id] != nil else { return false }
            return !customer.events.contains { ($0.type == .open || $0.type == .click) && $0.campaign == campaign }
        }
    }
}

/// Who received which campaign when, read from the send ledger (`Ledger.facts()`).
public struct LedgerFacts: Sendable {
    /// Campaign id → customer id → the last time it was sent to them.
    public var sentAt: [String: [String: Int64]]

    public init(sentAt: [String: [String: Int64]] = [:]) {
        self.sentAt = sentAt
    }
}
