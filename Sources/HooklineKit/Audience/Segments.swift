/// The segment groups and their members. Every customer is in exactly one
/// `type`; every buyer in exactly one `rfm` segment; every customer with an
/// email in exactly one `engagement` tier.
public enum SegmentGroup: String, Sendable, CaseIterable {
    case type, rfm, engagement
}

public enum CustomerType: String, Sendable, CaseIterable {
    case loyal, semiLoyal = "semi_loyal", latent, nonCustomer = "non_customer"
}

public enum EngagementTier: String, Sendable, CaseIterable {
    case engaged, cooling, unengaged, neverOpened = "never_opened"
}

public enum RFMSegment: String, Sendable, CaseIterable {
    case champions, loyalCustomers = "loyal_customers", potentialLoyalist = "potential_loyalist"
    case newCustomers = "new_customers", promising, needAttention = "need_attention"
    case aboutToSleep = "about_to_sleep", atRisk = "at_risk", cantLoseThem = "cant_lose_them"
    case hibernating, lost
}

/// R, F and M scores, each 1 (worst) to 5 (best).
public struct RFMScore: Sendable, Equatable, CustomStringConvertible {
    public var recency: Int
    public var frequency: Int
    public var monetary: Int
    public var description: String { "\(recency)\(frequency)\(monetary)" }
}

/// Every segment name, with its group, in display order.
public let allSegments: [(name: String, group: SegmentGroup)] =
    CustomerType.allCases.map { ($0.rawValue, .type) }
    + RFMSegment.allCases.map { ($0.rawValue, .rfm) }
    + EngagementTier.allCases.map { ($0.rawValue, .engagement) }

/// One customer's place in each group.
public struct Membership: Sendable {
    public var type: CustomerType
    public var rfm: RFMScore?
    public var rfmSegment: RFMSegment?
    public var engagement: EngagementTier?

    public var names: [String] {
        [type.rawValue, rfmSegment?.rawValue, engagement?.rawValue].compactMap { $0 }
    }

    public func contains(_ segment: String) -> Bool { names.contains(segment) }
}

public func isKnownSegment(_ name: String) -> Bool { allSegments.contains { $0.name == name } }
