import Foundation

/// Connects delivery to the workspace's campaign files: policies from their
/// delivery keys, candidates from their audiences, messages from the composer.
public struct WorkspaceCatalog: CampaignCatalog {
    public let workspace: Workspace
    public let campaigns: [Campaign]

    public init(workspace: Workspace) throws {
        self.workspace = workspace
        self.campaigns = try Campaign.all(in: workspace)
    }

    public func policies() throws -> [CampaignDeliveryPolicy] {
        try campaigns.map { campaign in
            var policy = try CampaignDeliveryPolicy(
                id: campaign.id, priority: campaign.priority, caps: campaign.caps, schedule: campaign.schedule,
                transactional: campaign.transactional, whenCapped: campaign.whenCapped)
            if let node = campaign.oncePerCustomerWithin {
                let text = try node.string().lowercased()
                guard let days = Int(text.hasSuffix("d") ? String(text.dropLast()) : text), days > 0 else {
                    throw node.error("'\(text)' is not a number of days", hint: "write e.g. 30 or 30d")
                }
                policy.caps.oncePerCustomerWithinDays = days
            }
            return policy
        }
    }

    public func candidates(campaign id: String, snapshot: Snapshot) throws -> [CustomerFeatures] {
        let campaign = try self.campaign(id)
        return campaign.audience.evaluate(snapshot, rules: SegmentRules(thresholds: workspace.config.segments))
            .members.map(\.features)
    }

    public func messageSource(snapshot: Snapshot) throws -> any MessageSource {
        let secret = try WorkspaceSecret.load(in: workspace)
        var composers: [String: Composer] = [:]
        for campaign in campaigns {
            composers[campaign.id] = try Composer(workspace: workspace, campaign: campaign, secret: secret)
        }
        let customers = Dictionary(snapshot.customers.map { ($0.customer.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ComposerSource(composers: composers, customers: customers)
    }

    func campaign(_ id: String) throws -> Campaign {
        guard let campaign = campaigns.first(where: { $0.id == id }) else {
            throw InputError(file: "campaigns/\(id).yml", "no such campaign",
                             hint: didYouMean(id, among: campaigns.map(\.id)) ?? "run 'ls campaigns/'")
        }
        return campaign
    }
}

/// Ledger rows rendered by the campaigns' composers.
struct ComposerSource: MessageSource {
    let composers: [String: Composer]
    let customers: [String: CustomerFeatures]

    func message(for entry: LedgerEntry) throws -> OutgoingMessage {
        try message(for: entry, cache: RenderCache())
    }

    func threadRenderer() -> any ThreadRenderer { CachingRenderer(source: self) }

    /// `cache` keeps rule results that repeat across recipients (the same subject, the same values).
    func message(for entry: LedgerEntry, cache: RenderCache) throws -> OutgoingMessage {
        guard let composer = composers[entry.campaign] else {
            throw OperationError("campaign '\(entry.campaign)' has no file in campaigns/ any more",
                                 hint: "restore it, or resolve its rows with 'hookline resolve'")
        }
        guard var features = customers[entry.customerId] else {
            throw OperationError("customer '\(entry.customerId)' is no longer in the data",
                                 hint: "resolve the row with 'hookline resolve'")
        }
        // A test send goes to the test address, rendered for the chosen customer.
        features.customer.email = entry.email
        if !entry.isTest {
            let messageID = Self.messageID(entry, domain: composer.messageIDDomain)
            var data: [UInt8] = []
            if composer.sendBytes(features, messageID: messageID, cache: cache, into: &data) {
                return OutgoingMessage(envelopeFrom: composer.from.address, recipient: entry.email, data: data,
                                       messageId: entry.messageId)
            }
        }
        let rendered = composer.render(features, cache: cache)
        guard rendered.isSendable, var message = rendered.message else {
            let reason = rendered.failure?.description
                ?? rendered.findings.map { "\($0)" }.joined(separator: "; ")
            throw OperationError("not sending to customer \(entry.customerId): \(reason)",
                                 hint: "run 'hookline preview \(entry.campaign)' and fix the findings")
        }
        message.messageID = Self.messageID(entry, domain: composer.messageIDDomain)
        if entry.isTest { message.subject = "[TEST] " + message.subject }
        return OutgoingMessage(envelopeFrom: message.envelopeFrom, recipient: entry.email,
                               data: message.bytes(), messageId: entry.messageId)
    }

    /// The row's Message-ID, with the sender's domain when the row has none.
    static func messageID(_ entry: LedgerEntry, domain: String) -> String {
        entry.messageId.contains("@") ? entry.messageId : entry.messageId + "@" + domain
    }
}

/// One render thread's renderer: its own ``RenderCache`` per campaign, since the rule
/// results depend on the campaign's language and settings.
final class CachingRenderer: ThreadRenderer {
    private let source: ComposerSource
    private var caches: [String: RenderCache] = [:]

    init(source: ComposerSource) {
        self.source = source
    }

    func message(for entry: LedgerEntry) throws -> OutgoingMessage {
        let cache = caches[entry.campaign] ?? RenderCache()
        caches[entry.campaign] = cache
        return try source.message(for: entry, cache: cache)
    }
}
