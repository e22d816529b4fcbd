/// The `audience:` block of a campaign: segments to include and exclude, and
/// conditions on the features that must all hold.
///
/// ```yaml
/// audience:
///   include: [loyal, semi_loyal]      # in any of these (default: everyone)
///   exclude: [at_risk]                # in none of these
///   days_since_last_order: 21..35     # numeric ranges: 21..35, ">= 2", "< 5", 4
///   bought_category: {name: coffee, within_days: 60}
///   opened_within_days: 90
/// ```
public struct AudienceSpec: Sendable {
    public var include: [String] = []
    public var exclude: [String] = []
    public var conditions: [AudienceCondition] = []

    public init(include: [String] = [], exclude: [String] = [], conditions: [AudienceCondition] = []) {
        self.include = include
        self.exclude = exclude
        self.conditions = conditions
    }

    public static let keys = ["include", "exclude"] + AudienceCondition.keys

    public init(yaml node: YAMLNode) throws {
        let map = try node.mapping(allowed: Self.keys)
        for (key, target) in [("include", \AudienceSpec.include), ("exclude", \AudienceSpec.exclude)] {
            guard let value = map[key] else { continue }
            let names = try value.stringList()
            for name in names where !isKnownSegment(name) {
                throw value.error("unknown segment '\(name)'",
                                  hint: didYouMean(name, among: allSegments.map(\.name)) ?? "run 'hookline segments' for the list")
            }
            self[keyPath: target] = names
        }
        for entry in map.entries {
            let key = try entry.key.string()
            if key == "include" || key == "exclude" || entry.value.isNull { continue }
            conditions.append(try AudienceCondition(key: key, value: entry.value))
        }
    }

    /// Whether a customer (already known to be mailable) matches.
    public func matches(_ customer: CustomerFeatures, _ membership: Membership) -> Bool {
        matchesSegments(membership) && matchesConditions(customer)
    }

    func matchesSegments(_ membership: Membership) -> Bool {
        if !include.isEmpty && !include.contains(where: membership.contains) { return false }
        return !exclude.contains(where: membership.contains)
    }

    func matchesConditions(_ customer: CustomerFeatures) -> Bool { conditions.allSatisfy { $0.matches(customer) } }

    /// True when include or exclude names an RFM segment, so membership needs every buyer's numbers.
    var usesRFM: Bool { (include + exclude).contains { name in RFMSegment.allCases.contains { $0.rawValue == name } } }
}

/// An inclusive numeric range written as `21..35`, `>= 2`, `> 2`, `<= 5`, `< 5`, `= 4` or `4`.
public struct NumberRange: Sendable, Equatable, CustomStringConvertible {
    public var lower: Double?
    public var upper: Double?
    public var lowerInclusive = true
    public var upperInclusive = true

    public init(lower: Double? = nil, upper: Double? = nil, lowerInclusive: Bool = true, upperInclusive: Bool = true) {
        self.lower = lower
        self.upper = upper
        self.lowerInclusive = lowerInclusive
        self.upperInclusive = upperInclusive
    }

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        func number(_ s: Substring) -> Double? { Double(s.trimmingCharacters(in: .whitespaces)) }
        if let range = t.range(of: "..") {
            let low = t[..<range.lowerBound], high = t[range.upperBound...]
            if !low.trimmingCharacters(in: .whitespaces).isEmpty { guard let v = number(low) else { return nil }; lower = v }
            if !high.trimmingCharacters(in: .whitespaces).isEmpty { guard let v = number(high) else { return nil }; upper = v }
            if lower == nil && upper == nil { return nil }
        } else {
            for (op, apply) in [(">=", 0), ("<=", 1), ("==", 2), (">", 3), ("<", 4), ("=", 2)] where t.hasPrefix(op) {
                guard let v = number(t.dropFirst(op.count)) else { return nil }
                switch apply {
                case 0: lower = v
                case 1: upper = v
                case 3: lower = v; lowerInclusive = false
                case 4: upper = v; upperInclusive = false
                default: lower = v; upper = v
                }
                return
            }
            guard let v = number(Substring(t)) else { return nil }
            lower = v
            upper = v
        }
    }

    public func contains(_ value: Double) -> Bool {
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    public var description: String {
        func f(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
        switch (lower, upper) {
        case let (l?, u?) where l == u: return f(l)
        case let (l?, u?): return "\(f(l))..\(f(u))"
        case let (l?, nil): return (lowerInclusive ? ">= " : "> ") + f(l)
        case let (nil, u?): return (upperInclusive ? "<= " : "< ") + f(u)
        default: return "any"
        }
    }
}
