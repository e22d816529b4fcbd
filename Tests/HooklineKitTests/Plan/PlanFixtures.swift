import Foundation
import HooklineKit

/// A seeded generator, so a failing property test can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum PlanFixtures {
    /// 2026-11-02T00:00:00Z, a Monday.
    static let start: Int64 = 1_793_577_600

    static func customer(_ id: String, email: String? = nil, timezone: String? = nil, subscribed: Bool = true,
                         orders: [Int64] = [], suppression: SuppressionReason? = nil, now: Int64) -> CustomerFeatures {
        CustomerFeatures(
            customer: Customer(id: id, email: email ?? "\(id)@example.org", timezone: timezone, subscribed: subscribed),
            orders: orders.enumerated().map { Order(id: "\(id)-o\($0.offset)", at: $0.element, items: [LineItem(amount: 10)]) },
            events: [], manualSuppression: suppression, now: now, typeWindowDays: 365)
    }

    static func yaml(_ text: String) throws -> YAMLNode {
        try YAMLNode.parse(text, file: "campaigns/test.yml")
    }
}
