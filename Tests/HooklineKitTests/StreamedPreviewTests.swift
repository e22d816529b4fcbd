import Foundation
import Testing
@testable import HooklineKit

/// `hookline preview` decides the audience in one pass over the store and renders its members
/// while reading them again (``StreamedAudience``); `hookline audience` and sends use
/// ``AudienceSpec/evaluate(_:rules:)`` over a snapshot of every customer. A user must see
/// the same recipients, skips and findings from both.
@Suite("Streamed preview")
struct StreamedPreviewTests {
    static let specs = [
        "{}", "include: [loyal, semi_loyal]", "exclude: [non_customer]", "include: [champions, loyal_customers]",
        "include: [at_risk, cant_lose_them, hibernating, lost]", "exclude: [champions]", "include: [engaged]",
        "include: [never_opened]", "bought_category: {name: coffee, within_days: 60}", "orders: \">= 2\"",
        "include: [potential_loyalist, new_customers]\nopened_within_days: 90",
    ]

    static func compare(_ workspace: Workspace, _ yaml: String) throws {
        let spec = try AudienceSpec(yaml: YAMLNode.parse(yaml, file: "campaigns/t.yml"))
        let rules = SegmentRules(thresholds: workspace.config.segments)
        let (store, snapshot) = try workspace.snapshot(now: ExampleShop.now)
        let full = spec.evaluate(snapshot, rules: rules)
        var streamed: [String] = []
        let audience = try store.database.read { db in
            let audience = try StreamedAudience(spec, in: db, now: ExampleShop.now, rules: rules)
            try audience.forEachMember(limit: nil, in: db) { streamed.append($0.features().customer.id) }
            return audience
        }
        #expect(streamed == full.members.map(\.features.customer.id), "\(yaml)")
        #expect(audience.count == full.members.count, "\(yaml)")
        #expect(audience.skipped.map { "\($0.customerId) \($0.reason)" } == full.skipped.map { "\($0.customerId) \($0.reason)" },
                "\(yaml)")
        #expect(audience.attributes == Set(snapshot.customers.flatMap { $0.customer.attributes.keys }))
    }

    @Test("the example shop: the same members in the same order and the same skips", arguments: specs)
    func exampleShop(yaml: String) throws {
        try Self.compare(try ExampleShop.get().workspace, yaml)
    }

    @Test("the fixture shop, with orphan orders and suppressions: the same members and skips", arguments: specs)
    func fixtureShop(yaml: String) throws {
        try Self.compare(try WorkspaceFixture.standard().workspace(), yaml)
    }

    @Test("RFM scores from the sorted lists equal ranking every buyer", arguments: [
        [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 1, 1, 1, 1, 2, 3, 4, 5], [5, 5, 5], [3, 1, 2, 2, 9, 0.5, 7, 7, 7, 1],
    ])
    func quintiles(values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var expected = [Int](repeating: 0, count: values.count), rankOfFirst = 0
        for (rank, index) in order.enumerated() {
            if rank > 0 && values[order[rank - 1]] != values[index] { rankOfFirst = rank }
            expected[index] = min(5, rankOfFirst * 5 / values.count + 1)
        }
        #expect(SegmentRules.quintiles(values) == expected)
    }

    @Test("every example campaign: the streamed preview prints and writes what rendering the evaluated audience does",
          arguments: ExampleShop.campaignIDs)
    func sameReport(id: String) throws {
        let p = try ExampleShop.get()
        let campaign = try Campaign.named(id, in: p.workspace)
        var streamedJSON: [UInt8] = [], fullJSON: [UInt8] = []
        let streamed = try Preview.run(workspace: p.workspace, campaign: campaign, now: ExampleShop.now,
                                       json: { streamedJSON += $0 })
        let full = campaign.audience.evaluate(p.snapshot, rules: SegmentRules(thresholds: p.workspace.config.segments))
        let composer = try Composer(workspace: p.workspace, campaign: campaign, secret: ExampleShop.secret,
                                    attributes: Set(p.snapshot.customers.flatMap { $0.customer.attributes.keys }))
        let base = PreviewReport(campaign: campaign.id, audience: full.members.count,
                                 skipped: full.skipped.map { .init(customerID: $0.customerId, reason: $0.reason) })
        let reference = try Preview.render(full.members.map(\.features), composer: composer, report: base,
                                           json: { fullJSON += $0 })
        #expect(streamed.rendered > 0 && streamed.rendered == reference.rendered)
        #expect(streamedJSON == fullJSON)
        // Everything but the timing lines.
        func untimed(_ report: PreviewReport) -> [String] {
            report.summary().components(separatedBy: "\n").filter { !$0.hasPrefix("Rendered") && !$0.hasPrefix("Render workers") }
        }
        #expect(untimed(streamed) == untimed(reference))
        #expect(streamed.samples.map { $0.message?.bytes() } == reference.samples.map { $0.message?.bytes() })
    }

    /// Rendering reads the histories only for templates that print something computed from
    /// them; the examples take both ways, so ``sameReport(id:)`` checks both against the
    /// full features.
    @Test("the example campaigns render with and without reading the histories")
    func historyOnlyWhenPrinted() throws {
        let p = try ExampleShop.get()
        var reads: [String: Bool] = [:]
        for id in ExampleShop.campaignIDs {
            let composer = try Composer(workspace: p.workspace, campaign: try Campaign.named(id, in: p.workspace),
                                        secret: ExampleShop.secret, attributes: nil)
            reads[id] = composer.template.readsHistory
        }
        #expect(Set(reads.values) == [true, false], "\(reads)")
        #expect(reads["newsletter"] == false)
    }

    /// No example template prints an extra column, so this one does: the preview decodes
    /// them only for such templates, and must then print each customer's own value.
    @Test("a template that prints an extra column gets each customer's value")
    func attributesWhenPrinted() throws {
        let workspace = try ExampleShop.workspace([
            "hookline.yml": ExampleShop.config,
            "data/customers.csv": """
                id,email,first_name,locale,subscribed,city
                C1,ann@example.com,Ann,en,true,Bristol
                C2,bob@example.com,Bob,en,true,
                C3,cy@example.com,Cy,en,true,Leeds

                """,
            "data/orders.csv": """
                order_id,customer_id,ordered_at,sku,product,category,quantity,amount,currency
                O1,C1,2026-10-01T10:00:00+00:00,CB-1,Colombia Huila Beans 250g,coffee,1,11.50,EUR

                """,
            "data/events.csv": "customer_id,type,at,campaign,url\n",
            "templates/local.md": """
                --- subject ---
                {{first_name|Hello}}, a new roast for your mornings in town
                --- story ---
                Hi {{first_name|there}}, we roasted a new batch for {{city|your town}} this week.
                {{#city}}Our van comes to {{city}} on Fridays.{{/city}}{{^city}}We post it to you.{{/city}}
                --- hook ---
                [Try the new roast](https://shop.test.example/new)
                """,
            "campaigns/local.yml": "name: Local roast\ntemplate: local\n",
        ])
        let campaign = try Campaign.named("local", in: workspace)
        let report = try Preview.run(workspace: workspace, campaign: campaign, now: ExampleShop.now)
        let texts = report.samples.compactMap { $0.message.map { String(decoding: $0.bytes(), as: UTF8.self) } }
        #expect(texts.count == 3)
        #expect(texts.contains { $0.contains("for Bristol this week") && $0.contains("comes to Bristol on Fridays") })
        #expect(texts.contains { $0.contains("for your town this week") && $0.contains("We post it to you") })
        #expect(texts.contains { $0.contains("for Leeds this week") })
    }

    @Test("--limit renders the first members only and still counts the whole audience")
    func limit() throws {
        let p = try ExampleShop.get()
        let campaign = try Campaign.named("newsletter", in: p.workspace)
        let all = try Preview.run(workspace: p.workspace, campaign: campaign, now: ExampleShop.now)
        let first = try Preview.run(workspace: p.workspace, campaign: campaign, now: ExampleShop.now, limit: 2)
        #expect(all.rendered > 2 && first.rendered == 2 && first.audience == all.audience)
        #expect(first.firstRecipients == Array(all.firstRecipients.prefix(2)))
    }

    @Test("a write that fails stops the preview with that error")
    func failingWrite() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate)
        let members = (1...10_000).map { ExampleShop.customer(id: "C\($0)", first: "Ann") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-preview-\(UUID().uuidString)")
        let writer = try PreviewWriter(folder: folder)
        try FileManager.default.removeItem(at: folder)
        #expect(throws: OperationError.self) { try Preview.render(members, composer: composer, writer: writer) }
    }
}
