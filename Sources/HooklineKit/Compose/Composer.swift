import Foundation

/// Renders one campaign for each recipient and checks the result against the content rules.
///
/// Make one per campaign (templates are compiled here, once) and call ``render(_:cache:)``
/// per recipient, from as many threads as you like; give each thread its own ``RenderCache``.
public struct Composer: Sendable {
    public let campaign: Campaign
    public let settings: RuleSettings
    let template: CompiledTemplate
    let layout: Layout
    let signer: UnsubscribeSigner
    let from: MIMEMessage.Mailbox
    let replyTo: MIMEMessage.Mailbox?
    let unsubscribeBase: String
    let messageIDDomain: String
    let domains: HookRule.Domains
    /// Findings of the hook's links that contain no variable: the same for everyone.
    let staticHookFindings: [Finding]?
    /// Spam phrases in the template's own words (values left out), checked once.
    let staticBodyFindings: [Finding]
    /// `mailto:` of the List-Unsubscribe header, up to the token.
    let unsubscribeMailtoPrefix: String
    /// The campaign compiled for rendering many recipients (``render(_:cache:into:)``).
    let batch: BatchPlan

    /// Compiles `template` for `campaign`; `attributes` are the customer columns that exist
    /// (unknown variables are then errors with a did-you-mean), nil to accept any name.
    public init(workspace: Workspace, campaign: Campaign, template: TemplateFile, secret: WorkspaceSecret,
                attributes: Set<String>? = nil) throws {
        let config = workspace.config
        self.campaign = campaign
        settings = try RuleSettings.resolved(config: config, campaign: campaign)
        self.template = try CompiledTemplate(template: template, campaign: campaign, config: config, attributes: attributes)
        layout = try Layout.load(config: config, root: workspace.root, language: self.template.language)
        signer = UnsubscribeSigner(secret: secret)
        from = .init(name: campaign.fromName ?? config.sender.name, address: campaign.fromEmail ?? config.sender.email)
        replyTo = (campaign.replyTo ?? config.sender.replyTo).map { .init(address: $0) }
        if let name = from.name, name.unicodeScalars.contains(where: isControl) {
            throw InputError(file: campaign.file, field: "from.name", "the sender name contains a control character",
                             hint: "write the name on one line")
        }
        unsubscribeBase = (config.trackingBaseURL ?? config.shop.url) + "/unsubscribe/"
        messageIDDomain = String(from.address.split(separator: "@").last ?? "hookline.invalid")
        domains = HookRule.Domains(config: config)
        let hookLinks = self.template.hook.links
        if hookLinks.allSatisfy({ $0.variables.isEmpty }) {
            var none: [CompiledPart.Problem] = []
            let urls = hookLinks.map { $0.render(Self.nobody, unsubscribeURL: "", problems: &none) }
            staticHookFindings = HookRule.check(hookText: "-", links: urls, domains: domains)
        } else {
            staticHookFindings = nil
        }
        var none: [CompiledPart.Problem] = []
        let fixedBody = self.template.story.text.render(Self.nobody, unsubscribeURL: "", problems: &none) + "\n"
            + self.template.hook.text.render(Self.nobody, unsubscribeURL: "", problems: &none)
        staticBodyFindings = BodySpamRule.check(body: fixedBody, language: self.template.language)
        unsubscribeMailtoPrefix = "mailto:\(replyTo?.address ?? from.address)?subject=unsubscribe%20"
        batch = BatchPlan(template: self.template, layout: layout, from: from, replyTo: replyTo,
                          signer: signer.campaign(campaign.id), unsubscribeBase: unsubscribeBase,
                          unsubscribeMailtoPrefix: unsubscribeMailtoPrefix, messageIDDomain: messageIDDomain)
    }

    /// Loads the campaign's template from the workspace and compiles it.
    public init(workspace: Workspace, campaign: Campaign, secret: WorkspaceSecret, attributes: Set<String>? = nil) throws {
        let template = try TemplateFile.load(named: campaign.template, in: workspace, referencedBy: campaign.templateNode)
        try self.init(workspace: workspace, campaign: campaign, template: template, secret: secret, attributes: attributes)
    }

    /// The language the rules use for this campaign (`en`, `ru`, `el`).
    public var language: String { template.language }

    /// Renders and checks one recipient's message; `date` (seconds since 1970) defaults to the features' `now`.
    public func render(_ member: CustomerFeatures, date: Int64? = nil, cache: RenderCache? = nil) -> RenderedMessage {
        let cache = cache ?? RenderCache()
        let c = member
        let id = c.customer.id
        let token = signer.token(customerID: id, campaignID: campaign.id)
        let unsubscribeURL = unsubscribeBase + token
        let content = self.content(c, unsubscribeURL: unsubscribeURL, cache: cache)
        var findings = content.findings
        var ignored: [CompiledPart.Problem] = []
        let html = layout.render(
            subject: content.subject, preheader: content.preheader,
            content: template.story.html.render(c, unsubscribeURL: unsubscribeURL, problems: &ignored)
                + template.hook.html.render(c, unsubscribeURL: unsubscribeURL, problems: &ignored),
            footer: template.footer.html.render(c, unsubscribeURL: unsubscribeURL, problems: &ignored))
        let text = content.storyText + "\n\n" + content.hookText + "\n\n-- \n" + content.footerText + "\n"
        var failure: RecipientError?
        var seen = Set<String>()
        for problem in content.problems where seen.insert(problem.field).inserted {
            switch problem.kind {
            case .empty:
                findings.append(Finding(
                    rule: "personalization.empty", severity: .error, message: "customer \(id) has no \(problem.field)",
                    text: problem.field,
                    hint: "add a fallback: {{\(problem.field)|…}} or wrap it in {{#\(problem.field)}}…{{/\(problem.field)}}"))
            case .controlCharacter:
                failure = failure ?? RecipientError(customerID: id, field: problem.field,
                                                    message: "contains a line break or control character",
                                                    hint: "fix the value in the data files")
            }
        }
        let email = c.customer.email ?? ""
        var message: MIMEMessage?
        if failure == nil {
            let sentAt = date ?? c.now
            do {
                message = try MIMEMessage(
                    from: from, to: recipient(c), replyTo: replyTo, subject: content.subject, date: sentAt,
                    messageID: signer.messageKey(customerID: id, campaignID: campaign.id, at: sentAt) + "@" + messageIDDomain,
                    unsubscribeURL: unsubscribeURL, unsubscribeMailto: unsubscribeMailtoPrefix + token,
                    text: text, html: html, senderChecked: true)
            } catch let error as MIMEError {
                let field = ["to.name": "first_name/last_name", "to.address": "email"][error.field] ?? error.field
                failure = RecipientError(customerID: id, field: field, message: error.message,
                                         hint: "fix the value in the data files")
            } catch {
                failure = RecipientError(customerID: id, field: "message", message: "\(error)", hint: "report this")
            }
        }
        if let failure {
            findings.append(Finding(rule: "data.header", severity: .error, message: failure.description,
                                    text: failure.field, hint: failure.hint))
        }
        return RenderedMessage(customerID: id, email: email, subject: content.subject, preheader: content.preheader,
                               text: text, html: html, words: content.words, findings: findings, message: message,
                               failure: failure)
    }

    /// The To mailbox: the customer's name, when there is one, and address.
    func recipient(_ c: CustomerFeatures) -> MIMEMessage.Mailbox {
        let first = c.customer.firstName ?? "", last = c.customer.lastName ?? ""
        let name = first.isEmpty ? last : last.isEmpty ? first : first + " " + last
        return .init(name: name.isEmpty ? nil : name, address: c.customer.email ?? "")
    }

    /// The text parts of one recipient's message and what the content rules say about them
    /// (before the per-recipient problems): a function of the recipient's values only.
    struct Content {
        var subject: String
        var preheader: String
        var storyText: String
        var hookText: String
        var footerText: String
        var words: Int
        var findings: [Finding]
        var problems: [CompiledPart.Problem]
    }

    func content(_ c: CustomerFeatures, unsubscribeURL: String, cache: RenderCache) -> Content {
        var problems: [CompiledPart.Problem] = []
        let subject = template.subject.render(c, unsubscribeURL: unsubscribeURL, problems: &problems)
        let preheader = template.preheader?.render(c, unsubscribeURL: unsubscribeURL, problems: &problems) ?? ""
        let storyText = template.story.text.render(c, unsubscribeURL: unsubscribeURL, problems: &problems)
        let hookText = template.hook.text.render(c, unsubscribeURL: unsubscribeURL, problems: &problems)
        let footerText = template.footer.text.render(c, unsubscribeURL: unsubscribeURL, problems: &problems)
        let words = WordCounter.count(storyText) + WordCounter.count(hookText)
        var findings = cache.headline(subject) {
            HeadlineRule.check(subject, language: template.language, settings: settings,
                               personalised: template.personalisedSubject)
        }
        findings += WordsRule.check(words: words, settings: settings)
        findings += StoryRule.check(story: storyText, language: template.language, settings: settings)
        if let staticHookFindings, !WordCounter.isBlank(hookText) {
            findings += staticHookFindings
        } else {
            var ignored: [CompiledPart.Problem] = []
            let urls = template.hook.links.map { $0.render(c, unsubscribeURL: unsubscribeURL, problems: &ignored) }
            findings += HookRule.check(hookText: hookText, links: urls, domains: domains)
        }
        findings += staticBodyFindings
        let fromData = cache.valueSpam(bodyValues(c)) { BodySpamRule.check(body: $0, language: template.language) }
        findings += fromData.filter { !staticBodyFindings.contains($0) }
        return Content(subject: subject, preheader: preheader, storyText: storyText, hookText: hookText,
                       footerText: footerText, words: words, findings: findings, problems: problems)
    }

    /// The recipient's own values printed in story and hook: spam phrases from data are
    /// checked on these, while the template's fixed text is checked once per cache.
    private func bodyValues(_ c: CustomerFeatures) -> String {
        (template.story.text.variables + template.hook.text.variables)
            .compactMap { $0 == .unsubscribeURL ? nil : $0.value(for: c, unsubscribeURL: "") }
            .joined(separator: "\n")
    }

    static let nobody = CustomerFeatures(customer: Customer(id: ""), orders: [], events: [], now: 0, typeWindowDays: 365)
}

/// Per-thread memo of rule results that repeat across recipients (the same subject, the
/// same values), and the scratch buffers of batch rendering. Not thread-safe by design: one per worker.
public final class RenderCache {
    private var headlines: [String: [Finding]] = [:]
    private var valueFindings: [String: [Finding]] = [:]
    private var contents: [String: CheckedContent] = [:]
    private var displayNames: [[UInt8]: [String]] = [:]
    private var date: (seconds: Int64, field: [UInt8])?
    var buffers = BodyProgram.Buffers()
    /// One batch message's unsubscribe URL, mailto, display name and message id, and hashing scratch.
    var url: [UInt8] = [], mailto: [UInt8] = [], name: [UInt8] = [], messageKey: [UInt8] = [], scratch: [UInt8] = []
    /// The ledger's Message-ID of the message a send renders (see ``Composer/sendBytes(_:messageID:cache:into:)``).
    var sendKey: [UInt8] = []
    /// Whether batch rendering also leaves each message's HTML part in ``html``.
    let keepsHTML: Bool
    var html: [UInt8] = []

    public init(keepsHTML: Bool = false) { self.keepsHTML = keepsHTML }

    /// Caches stop growing here: values unique to each recipient (an email in the story) would only fill memory.
    private static let limit = 100_000

    /// A display name's To tokens when it is not plain atoms (names repeat across a shop,
    /// and encoding one walks its characters); nil for plain atoms or an empty name, which
    /// ``BatchHeaders/appendTo(name:tokens:address:into:)`` writes as they are.
    func displayName(_ name: [UInt8]) -> [String]? {
        guard !name.isEmpty, !BatchHeaders.isAtoms(name) else { return nil }
        if let hit = displayNames[name] { return hit }
        let tokens = MIMEHeaderEncoding.displayName(String(decoding: name, as: UTF8.self))
        if displayNames.count < Self.limit { displayNames[name] = tokens }
        return tokens
    }

    func headline(_ subject: String, _ compute: () -> [Finding]) -> [Finding] {
        if let hit = headlines[subject] { return hit }
        let result = compute()
        if headlines.count < Self.limit { headlines[subject] = result }
        return result
    }

    /// Spam phrases in one recipient's values.
    func valueSpam(_ values: String, _ check: (String) -> [Finding]) -> [Finding] {
        if let hit = valueFindings[values] { return hit }
        let found = check(values)
        if valueFindings.count < Self.limit { valueFindings[values] = found }
        return found
    }

    /// The content rules' result for one set of values (see ``BatchPlan/keyVariables``).
    func checked(_ key: String, _ compute: () -> CheckedContent) -> CheckedContent {
        if let hit = contents[key] { return hit }
        let result = compute()
        if contents.count < Self.limit { contents[key] = result }
        return result
    }

    /// The Date field: the same for a whole preview, so encoded once.
    func dateField(_ seconds: Int64) -> [UInt8] {
        if let date, date.seconds == seconds { return date.field }
        let field = MIMEMessage.dateField(seconds)
        date = (seconds, field)
        return field
    }
}
