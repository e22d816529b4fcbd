import Foundation

/// One campaign file, `campaigns/<id>.yml`: who gets which template, with what offer.
///
/// ```yaml
/// name: Coffee reorder reminder
/// template: coffee-reorder          # templates/coffee-reorder.md
/// audience: {bought_category: {name: coffee, within_days: 120}, days_since_last_order: 21..45}
/// offer: {code: BEANS10, discount: 10%, expires: 2026-12-15}
/// rules: {max_words: 120}           # stricter than the workspace only
/// utm: {enabled: true, campaign: coffee-reorder}
/// ```
/// The delivery keys (`schedule`, `caps`, `when_capped`, `priority`, `transactional`,
/// `once_per_customer_within`) are accepted here and kept raw for the delivery stage.
public struct Campaign: Sendable {
    public struct Offer: Sendable, Equatable {
        public var code: String?
        public var discount: String?
        public var expires: String?

        public init(code: String? = nil, discount: String? = nil, expires: String? = nil) {
            self.code = code
            self.discount = discount
            self.expires = expires
        }
    }

    public struct UTM: Sendable, Equatable {
        public var enabled = true
        public var source = "hookline"
        public var medium = "email"
        /// Defaults to the campaign id.
        public var campaign: String
    }

    /// A stable slug; defaults to the file name without `.yml`.
    public var id: String
    public var name: String
    public var description: String?
    /// The template's name: `templates/<template>.md`.
    public var template: String
    /// `en`, `ru` or `el`: which spam and curiosity word lists apply; detected from the subject when absent.
    public var language: String?
    public var audience: AudienceSpec
    public var offer: Offer
    public var fromName: String?
    public var fromEmail: String?
    public var replyTo: String?
    public var rules: RuleSettings.Overrides
    public var utm: UTM
    /// Where the campaign was read from, as shown in errors.
    public var file: String
    /// The `template:` value's node, for errors about the template reference.
    public var templateNode: YAMLNode?

    public var schedule: YAMLNode?
    public var caps: YAMLNode?
    public var whenCapped: YAMLNode?
    public var priority: YAMLNode?
    public var transactional: YAMLNode?
    public var oncePerCustomerWithin: YAMLNode?

    public static let keys = [
        "id", "name", "description", "template", "language", "audience", "offer", "from", "reply_to", "rules", "utm",
        "schedule", "caps", "when_capped", "priority", "transactional", "once_per_customer_within",
    ]

    /// A campaign built in code (tests, `lint TEMPLATE`).
    public init(id: String, name: String? = nil, template: String, audience: AudienceSpec = AudienceSpec(),
                offer: Offer = Offer(), language: String? = nil) {
        self.id = id
        self.name = name ?? id
        self.template = template
        self.audience = audience
        self.offer = offer
        self.language = language
        self.rules = RuleSettings.Overrides()
        self.utm = UTM(campaign: id)
        self.file = "campaigns/\(id).yml"
    }

    /// Parses a campaign file; `displayName` is the path shown in errors.
    public static func load(url: URL, displayName: String) throws -> Campaign {
        let node = try YAMLNode.load(contentsOf: url, displayName: displayName)
        let fileID = url.deletingPathExtension().lastPathComponent
        return try Campaign(yaml: node, defaultID: fileID)
    }

    /// Every `campaigns/*.yml` (and `.yaml`) of the workspace, sorted by file name.
    public static func all(in workspace: Workspace) throws -> [Campaign] {
        let folder = workspace.root.appendingPathComponent("campaigns")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map {
            try load(url: folder.appendingPathComponent($0), displayName: "campaigns/\($0)")
        }
    }

    /// Finds a campaign by id or file name (`coffee-reorder`, `campaigns/coffee-reorder.yml`).
    public static func named(_ name: String, in workspace: Workspace) throws -> Campaign {
        let direct = workspace.url(name)
        if name.hasSuffix(".yml") || name.hasSuffix(".yaml"), FileManager.default.fileExists(atPath: direct.path) {
            return try load(url: direct, displayName: name)
        }
        let campaigns = try all(in: workspace)
        if let found = campaigns.first(where: { $0.id == name }) { return found }
        throw InputError(field: "campaign", "no campaign '\(name)'",
                         hint: didYouMean(name, among: campaigns.map(\.id))
                            ?? "campaigns are the .yml files in campaigns/: \(campaigns.map(\.id).joined(separator: ", "))")
    }

    init(yaml node: YAMLNode, defaultID: String) throws {
        let map = try node.mapping(allowed: Self.keys)
        file = node.file
        id = try map.string("id") ?? defaultID
        guard id.range(of: "^[a-z0-9][a-z0-9_-]*$", options: .regularExpression) != nil else {
            throw (map["id"] ?? node).error("'\(id)' is not a valid campaign id",
                                            hint: "use lower-case letters, digits, '-' and '_' (it appears in URLs)")
        }
        name = try map.string("name") ?? id
        description = try map.string("description")
        let templateNode = try map.required("template")
        template = try templateNode.string()
        self.templateNode = templateNode
        if let lang = map["language"] {
            let text = try lang.string()
            guard SpamPhrases.languages.contains(text) else {
                throw lang.error("unknown language '\(text)'", hint: "use one of \(SpamPhrases.languages.joined(separator: ", "))")
            }
            language = text
        }
        audience = try map["audience"].map { try AudienceSpec(yaml: $0) } ?? AudienceSpec()
        offer = Offer()
        if let o = try map.mapping("offer", allowed: ["code", "discount", "expires"]) {
            offer = Offer(code: try o.string("code"), discount: try o.string("discount"), expires: try o.string("expires"))
        }
        if let from = try map.mapping("from", allowed: ["name", "email"]) {
            fromName = try from.string("name")
            if let email = from["email"] { fromEmail = try WorkspaceConfig.address(email) }
        }
        if let reply = map["reply_to"] { replyTo = try WorkspaceConfig.address(reply) }
        rules = try map["rules"].map { try RuleSettings.Overrides(yaml: $0) } ?? RuleSettings.Overrides()
        utm = UTM(campaign: id)
        if let u = try map.mapping("utm", allowed: ["enabled", "source", "medium", "campaign"]) {
            utm.enabled = try u.bool("enabled") ?? true
            for (key, path) in [("source", \UTM.source), ("medium", \UTM.medium), ("campaign", \UTM.campaign)] {
                guard let value = u[key] else { continue }
                let text = try value.string()
                guard text.range(of: "^[A-Za-z0-9._-]+$", options: .regularExpression) != nil else {
                    throw value.error("'\(text)' cannot go into a URL as is", hint: "use letters, digits, '.', '-' and '_'")
                }
                utm[keyPath: path] = text
            }
        }
        schedule = map["schedule"]
        caps = map["caps"]
        whenCapped = map["when_capped"]
        priority = map["priority"]
        transactional = map["transactional"]
        oncePerCustomerWithin = map["once_per_customer_within"]
    }
}
