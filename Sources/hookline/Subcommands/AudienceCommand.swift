import ArgumentParser
import HooklineKit

struct AudienceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience", abstract: "List who a campaign would reach, and who it leaves out and why.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "A campaign file, or a campaign id from campaigns/.")
    var campaign: String

    @Option(help: "Show at most this many recipients in the human output.")
    var limit: Int = 20

    struct Member: Encodable {
        var customer_id: String
        var email: String
        var name: String
        var segments: [String]
        var days_since_last_order: Int?
        var orders: Int
        var spend: Double
        var last_engagement: String?
    }

    struct Skipped: Encodable {
        var customer_id: String
        var reason: String
    }

    struct Output: Encodable {
        var campaign: String
        var audience: Int
        var recipients: [Member]
        var skipped: [Skipped]
    }

    func run() throws {
        try reportingErrors {
            let workspace = try global.openWorkspace()
            let spec = try workspace.loadAudience(campaign)
            let (_, snapshot) = try workspace.snapshot(now: try global.resolvedNow())
            let result = spec.evaluate(snapshot, rules: SegmentRules(thresholds: workspace.config.segments))
            let members = result.members.map { m in
                let c = m.features.customer
                return Member(
                    customer_id: c.id, email: c.email ?? "",
                    name: [c.firstName, c.lastName].compactMap { $0 }.joined(separator: " "),
                    segments: m.membership.names, days_since_last_order: m.features.daysSinceLastOrder,
                    orders: m.features.orderCount, spend: (m.features.totalSpend * 100).rounded() / 100,
                    last_engagement: m.features.lastEngagementAt.map(ISODate.dayString))
            }
            let skipped = result.skipped.map { Skipped(customer_id: $0.customerId, reason: $0.reason) }
            if output.json {
                return try printJSON(Output(campaign: campaign, audience: members.count, recipients: members, skipped: skipped))
            }
            print("\(campaign): \(members.count) recipients, \(skipped.count) left out")
            var rows: [[String]] = [["CUSTOMER", "EMAIL", "NAME", "ORDERS", "DAYS SINCE", "SPEND", "SEGMENTS"]]
            for m in members.prefix(max(0, limit)) {
                rows.append([m.customer_id, m.email, m.name, String(m.orders),
                             m.days_since_last_order.map(String.init) ?? "-", String(format: "%.2f", m.spend),
                             m.segments.joined(separator: ",")])
            }
            if members.count > 0 { print(table(rows, rightAligned: [3, 4, 5])) }
            if members.count > limit { print("… and \(members.count - limit) more (--json lists all)") }
            let reasons = Dictionary(grouping: skipped, by: \.reason).mapValues(\.count).sorted { $0.key < $1.key }
            for (reason, count) in reasons { print("left out: \(count) × \(reason)") }
        }
    }
}
