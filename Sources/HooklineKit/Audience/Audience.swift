/// Who a campaign reaches, and who it leaves out and why.
public struct AudienceResult: Sendable {
    public struct Member: Sendable {
        public var features: CustomerFeatures
        public var membership: Membership
    }

    public struct Skipped: Sendable {
        public var customerId: String
        public var email: String?
        /// e.g. `suppressed:unsubscribed`, `no_email`.
        public var reason: String
    }

    public var members: [Member]
    /// Customers who matched the audience but cannot be mailed.
    public var skipped: [Skipped]
}

extension AudienceSpec {
    /// Evaluates the audience over a snapshot. Suppressed customers and those without
    /// an email are never members; they are listed as skipped when they otherwise match.
    public func evaluate(_ snapshot: Snapshot, rules: SegmentRules) -> AudienceResult {
        let memberships = rules.memberships(snapshot.customers)
        var members: [AudienceResult.Member] = []
        var skipped: [AudienceResult.Skipped] = []
        for (customer, membership) in zip(snapshot.customers, memberships) where matches(customer, membership) {
            if customer.customer.email == nil {
                skipped.append(.init(customerId: customer.customer.id, email: nil, reason: "no_email"))
            } else if let reason = customer.suppression {
                skipped.append(.init(customerId: customer.customer.id, email: customer.customer.email,
                                     reason: "suppressed:\(reason.rawValue)"))
            } else {
                members.append(.init(features: customer, membership: membership))
            }
        }
        return AudienceResult(members: members, skipped: skipped)
    }
}
