import Foundation
import HooklineKit
import Testing

/// Caps and suppressions over random shops, campaigns and schedules, run by a
/// simulated cron for several weeks against a real (in-memory) SQLite ledger.
@Suite struct CapsPropertyTests {
    struct World {
        var customers: [(id: String, timezone: String?, subscribed: Bool, orders: [Int64])]
        var suppressed: Set<String>
        var campaigns: [CampaignDeliveryPolicy]
    }

    static func randomWorld(_ rng: inout SeededGenerator) -> World {
        let zones: [String?] = [nil, "UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Not/AZone"]
        var customers: [(String, String?, Bool, [Int64])] = []
        for index in 0..<Int.random(in: 4...9, using: &rng) {
            let orders = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                PlanFixtures.start - Int64.random(in: 0...(120 * 86_400), using: &rng)
            }.sorted()
            customers.append(("k\(index)", zones.randomElement(using: &rng) ?? nil,
                              Int.random(in: 0..<8, using: &rng) != 0, orders))
        }
        let suppressed = Set(customers.map(\.0).filter { _ in Int.random(in: 0..<8, using: &rng) == 0 })
        var campaigns: [CampaignDeliveryPolicy] = []
        for index in 0..<Int.random(in: 2...5, using: &rng) {
            let minutes = Int.random(in: 0..<(24 * 60), using: &rng)
            let kinds: [Schedule.Kind] = [
                .daily(minutes: minutes), .weekly(weekday: Int.random(in: 1...7, using: &rng), minutes: minutes),
                .afterLastOrder(days: Int.random(in: 1...40, using: &rng)),
                .reorderDue(leadDays: Int.random(in: 0...5, using: &rng), fallbackDays: nil),
            ]
            let quiet: QuietHours? = Bool.random(using: &rng) ? QuietHours(start: 21 * 60, end: 8 * 60) : nil
            var caps = CapOverrides()
            if Bool.random(using: &rng) { caps.limits[.perWeek] = .some(Int.random(in: 1...4, using: &rng)) }
            if Bool.random(using: &rng) { caps.oncePerCustomerWithinDays = Int.random(in: 1...30, using: &rng) }
            campaigns.append(CampaignDeliveryPolicy(
                id: "camp\(index)", priority: Int.random(in: 0...3, using: &rng),
                schedule: Schedule(kind: kinds.randomElement(using: &rng) ?? .daily(minutes: 0), quietHours: quiet),
                caps: caps, transactional: Int.random(in: 0..<6, using: &rng) == 0,
                whenCapped: Bool.random(using: &rng) ? .skip : .defer))
        }
        return World(customers: customers, suppressed: suppressed, campaigns: campaigns)
    }

    @Test(arguments: 0..<40)
    func capsAndSuppressionsHoldOverRandomSchedules(seed: Int) throws {
        var rng = SeededGenerator(state: UInt64(seed) &* 7919 &+ 17)
        let world = Self.randomWorld(&rng)
        let store = try Store()
        let ledger = Ledger(store: store)
        for id in world.suppressed { try Suppressions(store: store).add("\(id)@example.org", now: PlanFixtures.start) }
        let planner = Planner(caps: .defaults, messageIdDomain: "shop.example.com")
        // Cron every hour for five weeks.
        for hour in 0..<(35 * 24) {
            let now = PlanFixtures.start + Int64(hour) * 3600
            let features = world.customers.map {
                PlanFixtures.customer($0.id, timezone: $0.timezone, subscribed: $0.subscribed,
                                      orders: $0.orders.filter { $0 <= now }, now: now)
            }
            let plan = planner.plan(world.campaigns.map { ($0, features) },
                                    history: try ledger.history(campaigns: world.campaigns.map(\.id), now: now),
                                    suppressions: try Suppressions(store: store).all(), now: now, mode: .due)
            try ledger.record(plan.planned, now: now)
            for entry in try ledger.pending(now: now) {
                if case .claimed = try ledger.claim(entry.id, now: now) {
                    try ledger.finish(entry.id, state: .sent, code: 250, reply: "OK", now: now)
                }
            }
        }
        let sent = try ledger.entries(in: [.sent])
        let transactional = Set(world.campaigns.filter(\.transactional).map(\.id))
        var keys = Set<String>()
        for entry in sent {
            #expect(keys.insert("\(entry.campaign)|\(entry.occurrence)|\(entry.customerId)").inserted)
            #expect(!world.suppressed.contains(entry.customerId), "seed \(seed): mailed a suppressed address")
            let unsubscribed = world.customers.first { $0.id == entry.customerId }?.subscribed == false
            #expect(!unsubscribed, "seed \(seed): mailed an unsubscribed customer")
        }
        let marketing = Dictionary(grouping: sent.filter { !transactional.contains($0.campaign) }, by: \.customerId)
        for (customer, entries) in marketing {
            let times = entries.map(\.updatedAt).sorted()
            for (a, b) in zip(times, times.dropFirst()) {
                #expect(b - a >= 20 * 3600, "seed \(seed): \(customer) got two messages \(b - a) s apart")
            }
            for start in times {
                #expect(times.filter { $0 >= start && $0 < start + 30 * 86_400 }.count <= 6,
                        "seed \(seed): \(customer) over the 30-day cap")
            }
            for campaign in world.campaigns where !campaign.transactional {
                let own = entries.filter { $0.campaign == campaign.id }.map(\.updatedAt).sorted()
                if let limit = campaign.caps.limits[.perWeek] ?? CapPolicy.defaults.limits[.perWeek] {
                    // A campaign's own limit holds at the moment it sends; a laxer campaign may send later.
                    for end in own {
                        #expect(times.filter { $0 > end - 7 * 86_400 && $0 <= end }.count <= limit,
                                "seed \(seed): \(campaign.id) over its weekly cap \(limit)")
                    }
                }
                if let days = campaign.caps.oncePerCustomerWithinDays {
                    for (a, b) in zip(own, own.dropFirst()) {
                        #expect(b - a >= Int64(days) * 86_400, "seed \(seed): once_per_customer_within \(days)")
                    }
                }
            }
        }
    }
}
