import Foundation
import Testing
@testable import HooklineKit

/// The repository's example workspace (hookline.yml, campaigns, templates, data), copied
/// once into a temporary folder with a fixed secret so that tokens are reproducible.
enum ExampleShop {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let now = ISODate.date("2026-11-20") ?? Date(timeIntervalSince1970: 1_795_132_800)
    static let secret = WorkspaceSecret(key: Array(repeating: 7, count: 32))

    struct Prepared: @unchecked Sendable {
        var workspace: Workspace
        var snapshot: Snapshot
    }

    /// Copied and imported once per test process.
    static let prepared: Result<Prepared, Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-compose-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for item in ["hookline.yml", "campaigns", "templates", "data"] {
            try FileManager.default.copyItem(at: repoRoot.appendingPathComponent(item), to: folder.appendingPathComponent(item))
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".hookline"), withIntermediateDirectories: true)
        try Data((secret.key.map { String(format: "%02x", $0) }.joined() + "\n").utf8)
            .write(to: folder.appendingPathComponent(".hookline/secret"))
        let workspace = try Workspace(root: folder)
        let (_, snapshot) = try workspace.snapshot(now: now)
        return Prepared(workspace: workspace, snapshot: snapshot)
    }

    static func get() throws -> Prepared { try prepared.get() }

    /// The example campaign `id` and its composer, with the example's extra customer columns.
    static func composer(for id: String) throws -> (campaign: Campaign, composer: Composer) {
        let p = try get()
        let campaign = try Campaign.named(id, in: p.workspace)
        return (campaign, try Composer(workspace: p.workspace, campaign: campaign, secret: secret,
                                       attributes: ["city", "favorite_roast"]))
    }

    static func members(of campaign: Campaign) throws -> [CustomerFeatures] {
        let p = try get()
        return campaign.audience.evaluate(p.snapshot, rules: SegmentRules(thresholds: p.workspace.config.segments))
            .members.map(\.features)
    }

    static let campaignIDs = ["coffee-reorder", "coffee-reorder-ru", "welcome", "win-back", "fifth-order-thanks", "newsletter"]

    /// A throwaway workspace with the given files (relative path → contents).
    static func workspace(_ files: [String: String]) throws -> Workspace {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-compose-\(UUID().uuidString)")
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try Workspace(root: folder)
    }

    static let config = """
        shop: {name: Test Shop, url: https://shop.test.example, address: 1 Main St, allowed_domains: [help.example.org]}
        sender: {name: Shop Team, email: team@shop.test.example}
        """

    /// A customer with the given values and one coffee order 30 days before `now`.
    static func customer(id: String = "C1", email: String = "ann@example.com", first: String? = "Ann",
                         last: String? = "Lee", attributes: [String: String] = [:]) -> CustomerFeatures {
        let now = Int64(Self.now.timeIntervalSince1970)
        return CustomerFeatures(
            customer: Customer(id: id, email: email, firstName: first, lastName: last, locale: "en", attributes: attributes),
            orders: [Order(id: "O1", at: now - 30 * 86_400,
                           items: [LineItem(product: "Colombia Huila Beans 250g", category: "coffee", amount: 11.5)])],
            events: [], now: now, typeWindowDays: 365)
    }

    /// A composer over a one-off template text.
    static func composer(template text: String, offer: Campaign.Offer = .init(code: "SAVE10", discount: "10%", expires: "1 Dec"),
                         language: String? = nil) throws -> Composer {
        let workspace = try workspace(["hookline.yml": config])
        let template = try TemplateFile.parse(text, name: "t", file: "templates/t.md")
        return try Composer(workspace: workspace, campaign: Campaign(id: "test", template: "t", offer: offer, language: language),
                            template: template, secret: secret, attributes: ["city", "favorite_roast"])
    }

    static let goodTemplate = """
        --- subject ---
        {{first_name|Hello}}, your beans are 30 days old
        --- story ---
        Hi {{first_name|there}}, we roasted a fresh batch this week. It smells of chocolate and plums.
        --- hook ---
        [Reorder now](https://shop.test.example/reorder)
        """
}
