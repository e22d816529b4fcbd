/// The rules that place customers in segments. Thresholds come from
/// `hookline.yml` (`segments:`); the RFM table is fixed and documented.
public struct SegmentRules: Sendable {
    public var thresholds: WorkspaceConfig.SegmentThresholds

    public init(thresholds: WorkspaceConfig.SegmentThresholds) {
        self.thresholds = thresholds
    }

    /// The four customer types of the retention literature, by orders within the window:
    /// `loyal` ≥ loyal_min_orders, `semi_loyal` ≥ semi_loyal_min_orders, `latent` bought
    /// but less (or only before the window), `non_customer` never bought.
    public func type(of customer: CustomerFeatures) -> CustomerType { type(of: SegmentFacts(customer)) }

    func type(of customer: SegmentFacts) -> CustomerType {
        if customer.orderCount == 0 { return .nonCustomer }
        if customer.ordersInTypeWindow >= thresholds.loyalMinOrders { return .loyal }
        if customer.ordersInTypeWindow >= thresholds.semiLoyalMinOrders { return .semiLoyal }
        return .latent
    }

    /// `engaged`: opened or clicked within engaged_days; `cooling`: within cooling_days;
    /// `unengaged`: only longer ago; `never_opened`: no open or click at all.
    /// Nil for a customer without an email address.
    public func engagement(of customer: CustomerFeatures) -> EngagementTier? { engagement(of: SegmentFacts(customer)) }

    func engagement(of customer: SegmentFacts) -> EngagementTier? {
        guard customer.hasEmail else { return nil }
        guard let days = customer.daysSinceLastOpen else { return .neverOpened }
        if days <= thresholds.engagedDays { return .engaged }
        if days <= thresholds.coolingDays { return .cooling }
        return .unengaged
    }

    /// One row of the RFM table: inclusive score ranges.
    struct RFMRule: Sendable {
        var segment: RFMSegment
        var r: ClosedRange<Int>
        var f: ClosedRange<Int>
        var m: ClosedRange<Int>
    }

    /// First match wins. The order differs from the common table where that table
    /// shadows a row entirely (`new_customers` under `potential_loyalist`,
    /// `cant_lose_them` under `at_risk`); the last row catches every other buyer.
    static let rfmTable: [RFMRule] = [
        RFMRule(segment: .champions, r: 4...5, f: 4...5, m: 4...5),
        RFMRule(segment: .loyalCustomers, r: 2...5, f: 3...5, m: 3...5),
        RFMRule(segment: .cantLoseThem, r: 1...1, f: 4...5, m: 4...5),
        RFMRule(segment: .atRisk, r: 1...2, f: 2...5, m: 2...5),
        RFMRule(segment: .newCustomers, r: 5...5, f: 1...1, m: 1...5),
        RFMRule(segment: .promising, r: 4...4, f: 1...1, m: 1...5),
        RFMRule(segment: .needAttention, r: 2...3, f: 2...3, m: 2...3),
        RFMRule(segment: .potentialLoyalist, r: 3...5, f: 1...5, m: 1...5),
        RFMRule(segment: .aboutToSleep, r: 2...2, f: 1...2, m: 1...2),
        RFMRule(segment: .hibernating, r: 2...2, f: 1...5, m: 1...5),
        RFMRule(segment: .lost, r: 1...5, f: 1...5, m: 1...5),
    ]

    public static func segment(for score: RFMScore) -> RFMSegment {
        rfmTable.first { $0.r.contains(score.recency) && $0.f.contains(score.frequency) && $0.m.contains(score.monetary) }?
            .segment ?? .lost
    }

    /// Quintile scores among buyers. Equal values share a score: a value's score is
    /// set by where its first occurrence falls in the sorted list, so ties are never
    /// split arbitrarily (many one-order customers all get F = 1).
    public static func rfmScores(_ customers: [CustomerFeatures]) -> [RFMScore?] { rfmScores(customers.map(SegmentFacts.init)) }

    static func rfmScores(_ customers: [SegmentFacts]) -> [RFMScore?] {
        var table = RFMQuintiles()
        for customer in customers { table.add(customer) }
        table.seal()
        return customers.map(table.score)
    }

    /// Scores 1–5 by quintile of ascending value; ties take the score of their first rank.
    static func quintiles(_ values: [Double]) -> [Int] {
        let sorted = values.sorted()
        return values.map { RFMQuintiles.score($0, sorted) }
    }

    /// Places every customer of a snapshot.
    public func memberships(_ customers: [CustomerFeatures]) -> [Membership] { memberships(customers.map(SegmentFacts.init)) }

    func memberships(_ customers: [SegmentFacts]) -> [Membership] {
        let scores = Self.rfmScores(customers)
        return customers.indices.map { membership(customers[$0], rfm: scores[$0]) }
    }

    /// One customer's place, with the RFM score found among all buyers.
    func membership(_ customer: SegmentFacts, rfm: RFMScore?) -> Membership {
        Membership(type: type(of: customer), rfm: rfm, rfmSegment: rfm.map(Self.segment(for:)),
                   engagement: engagement(of: customer))
    }
}

/// The few numbers segments are computed from, so a million customers' segments
/// need a few dozen bytes each rather than their whole features.
struct SegmentFacts: Sendable {
    var orderCount: Int
    var ordersInTypeWindow: Int
    var daysSinceLastOrder: Int?
    var totalSpend: Double
    var hasEmail: Bool
    var daysSinceLastOpen: Int?

    init(orderCount: Int, ordersInTypeWindow: Int, daysSinceLastOrder: Int?, totalSpend: Double, hasEmail: Bool,
         daysSinceLastOpen: Int?) {
        self.orderCount = orderCount
        self.ordersInTypeWindow = ordersInTypeWindow
        self.daysSinceLastOrder = daysSinceLastOrder
        self.totalSpend = totalSpend
        self.hasEmail = hasEmail
        self.daysSinceLastOpen = daysSinceLastOpen
    }

    init(_ c: CustomerFeatures) {
        orderCount = c.orderCount
        ordersInTypeWindow = c.ordersInTypeWindow
        daysSinceLastOrder = c.daysSinceLastOrder
        totalSpend = c.totalSpend
        hasEmail = c.customer.email != nil
        daysSinceLastOpen = c.daysSinceLastOpen
    }
}

/// Quintile scores among buyers (see ``SegmentRules/rfmScores(_:)``) from every buyer's
/// R, F and M numbers in sorted lists, 24 bytes a buyer: a customer's score is where its
/// value first occurs, found without the other customers' features.
struct RFMQuintiles: Sendable {
    private var recency: [Double] = [], frequency: [Double] = [], monetary: [Double] = []

    mutating func add(_ customer: SegmentFacts) {
        guard customer.orderCount > 0 else { return }
        // Recency: fewer days is better, so score the negated value.
        recency.append(-Double(customer.daysSinceLastOrder ?? Int.max))
        frequency.append(Double(customer.orderCount))
        monetary.append(customer.totalSpend)
    }

    /// Call once every buyer is added.
    mutating func seal() {
        recency.sort()
        frequency.sort()
        monetary.sort()
    }

    func score(_ customer: SegmentFacts) -> RFMScore? {
        guard customer.orderCount > 0, !recency.isEmpty else { return nil }
        return RFMScore(recency: Self.score(-Double(customer.daysSinceLastOrder ?? Int.max), recency),
                        frequency: Self.score(Double(customer.orderCount), frequency),
                        monetary: Self.score(customer.totalSpend, monetary))
    }

    /// The score of `value` among `sorted`: by the rank of its first occurrence.
    static func score(_ value: Double, _ sorted: [Double]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return min(5, low * 5 / sorted.count + 1)
    }
}
