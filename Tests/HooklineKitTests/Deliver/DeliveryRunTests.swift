import Foundation
import HooklineKit
import Testing

/// A repeat-purchase campaign over the sample shop, as `hookline run --now …` drives it.
struct ReorderCatalog: CampaignCatalog {
    func policies() throws -> [CampaignDeliveryPolicy] {
        [try CampaignDeliveryPolicy(
            id: "reorder-coffee", priority: try YAMLNode.parse("5", file: "campaigns/reorder-coffee.yml"), caps: nil,
            schedule: try YAMLNode.parse("{after_last_order: {days: 25}, send_at: '10:00'}", file: "campaigns/reorder-coffee.yml"),
            transactional: nil, whenCapped: nil)]
    }

    func candidates(campaign: String, snapshot: Snapshot) throws -> [CustomerFeatures] {
        snapshot.customers.filter { $0.orderCount > 0 }
    }

    func messageSource(snapshot: Snapshot) throws -> any MessageSource { TestMessages.source }
}

@Suite(.serialized) struct DeliveryRunTests {
    static func workspace(smtpPort: Int) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-ws-\(UUID().uuidString)")
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repo.appendingPathComponent("data"), to: root.appendingPathComponent("data"))
        try """
            sender: {name: Bean Box, email: hello@beanbox.example}
            smtp:
              url: smtp://127.0.0.1:\(smtpPort)
              starttls: false
              connections: 3
              rate: 500/s
            caps:
              per_week: 2
            """.write(to: root.appendingPathComponent("hookline.yml"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func theRepeatPurchaseCampaignRunsEndToEndAndNeverTwice() throws {
        let server = try SMTPTestServer()
        let root = try Self.workspace(smtpPort: server.port)
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = try Workspace(root: root)
        let (_, snapshot) = try workspace.snapshot(now: Date(timeIntervalSince1970: 2_000_000_000))
        let lastOrder = try #require(snapshot.customers.compactMap(\.lastOrderAt).max())
        let now = Date(timeIntervalSince1970: TimeInterval(lastOrder + 30 * 86_400))

        var first: DeliveryReport
        var planned: [PlannedSend]
        do {
            let run = try DeliveryRun(workspace: workspace, catalog: ReorderCatalog(), now: now)
            let (plan, _) = try run.plan(campaigns: nil, mode: .due)
            planned = plan.planned
            #expect(plan.skipped.contains { $0.reason.hasPrefix("suppressed:") })
            first = try run.execute(plan, campaigns: ["reorder-coffee"], progress: { _ in })
        }
        #expect(first.sent > 0)
        #expect(first.sent == planned.count)
        let received = server.received()
        #expect(received.count == first.sent)
        #expect(Set(received.flatMap(\.rcpt)).count == received.count)
        let unsubscribed = Set(snapshot.customers.filter { !$0.isMailable }.compactMap(\.customer.email))
        #expect(received.allSatisfy { unsubscribed.isDisjoint(with: $0.rcpt) })

        // Cron fires again an hour later: nothing new is due, nothing is repeated.
        let again = try DeliveryRun(workspace: workspace, catalog: ReorderCatalog(), now: now.addingTimeInterval(3600))
        let (plan, _) = try again.plan(campaigns: nil, mode: .due)
        #expect(plan.planned.isEmpty)
        #expect(plan.skipped.contains { $0.reason == "already_sent" })
        _ = try again.execute(plan, campaigns: ["reorder-coffee"], progress: { _ in })
        #expect(server.received().count == received.count)
    }

    @Test func anOverlappingRunIsRefused() throws {
        let server = try SMTPTestServer()
        let root = try Self.workspace(smtpPort: server.port)
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = try Workspace(root: root)
        let first = try DeliveryRun(workspace: workspace, catalog: ReorderCatalog(), now: Date())
        #expect(throws: OperationError.self) {
            try DeliveryRun(workspace: workspace, catalog: ReorderCatalog(), now: Date())
        }
        _ = first.now
    }
}
