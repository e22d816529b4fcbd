/// Frequency caps: how often one customer may hear from the shop.
///
/// The defaults — at most 1 message a day, 2 a week, 6 in 30 days, and 20 hours
/// between any two — follow the retention literature's warning that frequency is
/// the top reason people unsubscribe (35% name "too many emails"). 20 hours rather
/// than 24 lets a customer get the morning slot on consecutive days without the
/// exact minute mattering. Windows are rolling (any 24 hours, any 7 days), so a
/// cap holds however the sends line up around midnight or a week boundary.
///
/// ```yaml
/// caps:                  # in hookline.yml (workspace defaults) or a campaign (overrides)
///   per_day: 1
///   per_week: 2
///   per_30_days: 6
///   min_gap_hours: 20    # `off` turns any of them off
/// ```
public struct CapPolicy: Sendable, Equatable {
    public enum Window: String, Sendable, CaseIterable {
        case perDay = "per_day"
        case perWeek = "per_week"
        case per30Days = "per_30_days"

        public var seconds: Int64 {
            switch self {
            case .perDay: return 86_400
            case .perWeek: return 7 * 86_400
            case .per30Days: return 30 * 86_400
            }
        }
    }

    /// The most messages allowed in any rolling window; a missing window is not capped.
    public var limits: [Window: Int]
    /// The least time between two messages, in seconds.
    public var minGap: Int64?

    public static let defaults = CapPolicy(limits: [.perDay: 1, .perWeek: 2, .per30Days: 6], minGap: 20 * 3600)

    public init(limits: [Window: Int], minGap: Int64?) {
        self.limits = limits
        self.minGap = minGap
    }

    /// The workspace defaults from `hookline.yml`'s `caps:`; keys left out keep the built-in default.
    public init(yaml node: YAMLNode) throws {
        self = CapPolicy.defaults.applying(try CapOverrides(yaml: node, allowCampaignKeys: false))
    }

    public func applying(_ overrides: CapOverrides) -> CapPolicy {
        var result = self
        for (window, limit) in overrides.limits {
            result.limits[window] = limit
        }
        if let gap = overrides.minGap { result.minGap = gap }
        return result
    }
}

/// A campaign's `caps:` block: changes to the workspace caps for this campaign,
/// plus `once_per_customer_within` (days).
public struct CapOverrides: Sendable, Equatable {
    /// A window mapped to nil is turned off for this campaign.
    public var limits: [CapPolicy.Window: Int?] = [:]
    public var minGap: Int64??
    /// The campaign reaches one customer at most once in this many days, whatever the occurrence.
    public var oncePerCustomerWithinDays: Int?

    public init(limits: [CapPolicy.Window: Int?] = [:], minGap: Int64?? = nil, oncePerCustomerWithinDays: Int? = nil) {
        self.limits = limits
        self.minGap = minGap
        self.oncePerCustomerWithinDays = oncePerCustomerWithinDays
    }

    public init(yaml node: YAMLNode) throws {
        try self.init(yaml: node, allowCampaignKeys: true)
    }

    init(yaml node: YAMLNode, allowCampaignKeys: Bool) throws {
        var keys = CapPolicy.Window.allCases.map(\.rawValue) + ["min_gap_hours"]
        if allowCampaignKeys { keys.append("once_per_customer_within") }
        let map = try node.mapping(allowed: keys)
        for window in CapPolicy.Window.allCases {
            guard let value = map[window.rawValue] else { continue }
            limits[window] = Self.isOff(value) ? .some(nil) : .some(try value.int(in: 1...1000))
        }
        if let gap = map["min_gap_hours"] {
            if Self.isOff(gap) {
                minGap = .some(nil)
            } else {
                let hours = try gap.double()
                guard hours > 0, hours <= 24 * 90 else {
                    throw gap.error("\(hours) hours is out of range", hint: "use a number of hours above 0, or off")
                }
                minGap = .some(Int64(hours * 3600))
            }
        }
        if let once = map["once_per_customer_within"] {
            oncePerCustomerWithinDays = try Self.days(once)
        }
    }

    static func isOff(_ node: YAMLNode) -> Bool {
        ["off", "none", "false", "no"].contains((try? node.string().lowercased()) ?? "")
    }

    /// `30`, `30d` or `30 days`.
    static func days(_ node: YAMLNode) throws -> Int {
        var text = try node.string().lowercased().trimmingCharacters(in: .whitespaces)
        for suffix in ["days", "day", "d"] where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        guard let days = Int(text), (1...3650).contains(days) else {
            throw node.error("'\(try node.string())' is not a number of days", hint: "write e.g. 30 or 30d")
        }
        return days
    }
}

/// The (campaign, occurrence, customer) a ledger row is unique on.
public struct SendKey: Hashable, Sendable {
    public var campaign: String
    public var occurrence: String
    public var customerId: String

    public init(campaign: String, occurrence: String, customerId: String) {
        self.campaign = campaign
        self.occurrence = occurrence
        self.customerId = customerId
    }
}

/// What earlier sends the caps count: the ledger's rows plus this run's plan.
public struct SendHistory: Sendable {
    public struct Send: Sendable, Equatable {
        public var campaign: String
        public var at: Int64
    }

    /// The state of every existing row, by key.
    public var states: [SendKey: LedgerState] = [:]
    /// Counted (and still pending) non-transactional sends per customer id.
    public var sends: [String: [Send]] = [:]

    public init() {}

    public mutating func add(customerId: String, campaign: String, at: Int64) {
        sends[customerId, default: []].append(Send(campaign: campaign, at: at))
    }

    /// The first cap that a send at `at` would break, as a skip reason (`cap:per_week`, …).
    public func violation(customerId: String, campaign: String, at: Int64, policy: CapPolicy,
                          oncePerCustomerWithinDays: Int?) -> String? {
        let earlier = sends[customerId] ?? []
        if let days = oncePerCustomerWithinDays {
            let span = Int64(days) * 86_400
            if earlier.contains(where: { $0.campaign == campaign && abs($0.at - at) < span }) {
                return "cap:once_per_customer"
            }
        }
        if let gap = policy.minGap, earlier.contains(where: { abs($0.at - at) < gap }) {
            return "cap:min_gap"
        }
        for window in CapPolicy.Window.allCases {
            guard let limit = policy.limits[window] else { continue }
            if Self.busiestWindow(containing: at, length: window.seconds, times: earlier.map(\.at)) + 1 > limit {
                return "cap:\(window.rawValue)"
            }
        }
        return nil
    }

    /// The most sends in any window of `length` that would also contain `at`.
    /// A window starting at `at` or at any earlier send close enough is checked,
    /// which covers every placement: moving a window's start to the first send inside it never drops one.
    static func busiestWindow(containing at: Int64, length: Int64, times: [Int64]) -> Int {
        let near = times.filter { $0 > at - length && $0 < at + length }
        guard !near.isEmpty else { return 0 }
        var best = 0
        for start in near.filter({ $0 <= at }) + [at] {
            let count = near.filter { $0 >= start && $0 < start + length }.count
            best = max(best, count)
        }
        return best
    }

    /// The cap an already planned later send (of a stricter campaign) would break if a
    /// send at `at` were added; `policies` gives each campaign's caps and once-per window.
    public func violationOfLaterSends(customerId: String, campaign: String, at: Int64,
                                      policies: [String: (CapPolicy, Int?)]) -> String? {
        let earlier = sends[customerId] ?? []
        for (index, later) in earlier.enumerated() where later.at > at {
            guard let (policy, once) = policies[later.campaign] else { continue }
            var trial = self
            trial.sends[customerId]?.remove(at: index)
            trial.add(customerId: customerId, campaign: campaign, at: at)
            if let reason = trial.violation(customerId: customerId, campaign: later.campaign, at: later.at,
                                            policy: policy, oncePerCustomerWithinDays: once) {
                return reason
            }
        }
        return nil
    }

    /// The earliest time at or after `at` (within `horizon` seconds) that `check` allows;
    /// candidates are the moments an earlier send leaves a window. `adjust` moves a
    /// candidate out of quiet hours.
    public func earliestAllowed(customerId: String, at: Int64, horizon: Int64, policy: CapPolicy,
                                oncePerCustomerWithinDays: Int?, adjust: (Int64) -> Int64,
                                check: (Int64) -> String?) -> Int64? {
        let earlier = sends[customerId] ?? []
        var candidates = [at]
        for send in earlier {
            candidates.append(send.at + (policy.minGap ?? 0))
            for window in CapPolicy.Window.allCases {
                candidates.append(send.at + window.seconds)
            }
            if let days = oncePerCustomerWithinDays { candidates.append(send.at + Int64(days) * 86_400) }
        }
        for candidate in Set(candidates.filter { $0 >= at && $0 <= at + horizon }).sorted() {
            let time = adjust(candidate)
            if time <= at + horizon, check(time) == nil { return time }
        }
        return nil
    }
}
