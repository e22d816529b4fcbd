import Foundation

/// `hookline lint`: the content rules without sending or writing anything.
public struct LintReport: Sendable, Encodable {
    /// One kind of finding, with how many recipients (real or synthetic) have it.
    public struct Item: Sendable, Encodable {
        public var rule: String
        public var severity: Finding.Severity
        public var message: String
        public var text: String
        public var hint: String
        public var count: Int
        /// A recipient who has it (`synthetic:complete`, `synthetic:sparse` or a customer id).
        public var example: String?
    }

    public var target: String
    public var language: String
    /// Only for `lint --subject`.
    public var catchiness: Catchiness?
    /// Recipients checked: the synthetic ones plus the campaign's audience.
    public var recipients: Int
    public var findings: [Item]

    public var hasErrors: Bool { findings.contains { $0.severity == .error } }

    /// Human output: one line per finding kind, then the verdict.
    public var summary: String {
        var lines = findings.map { item in
            "\(item.severity.rawValue) \(item.rule): \(item.message) — \(item.hint)"
                + (item.example.map { " (\(item.count) recipient\(item.count == 1 ? "" : "s"), e.g. \($0))" } ?? "")
        }
        if let catchiness {
            lines.append("catchiness \(catchiness.total)/100 (personalisation \(catchiness.personalisation), number \(catchiness.number), "
                         + "question \(catchiness.question), curiosity \(catchiness.curiosity), specificity \(catchiness.specificity))")
        }
        let errors = findings.filter { $0.severity == .error }.count
        lines.append("\(target): \(errors == 0 ? "ok" : "\(errors) kind\(errors == 1 ? "" : "s") of error") "
                     + "(\(recipients) recipient\(recipients == 1 ? "" : "s") checked, language \(language))")
        return lines.joined(separator: "\n")
    }
}

public enum Lint {
    /// Checks one headline alone, like a subject-line helper.
    public static func subject(_ text: String, language: String? = nil, settings: RuleSettings = RuleSettings()) -> LintReport {
        let language = language ?? SpamPhrases.detectLanguage(text)
        let findings = HeadlineRule.check(text, language: language, settings: settings)
        return LintReport(target: "subject", language: language,
                          catchiness: Catchiness.score(text, language: language, personalised: false), recipients: 1,
                          findings: findings.map { .init(rule: $0.rule, severity: $0.severity, message: $0.message, text: $0.text,
                                                         hint: $0.hint, count: 1, example: nil) })
    }

    /// Checks a campaign's template against two synthetic customers and the real audience at `now`.
    public static func campaign(_ campaign: Campaign, workspace: Workspace, now: Date) throws -> LintReport {
        let (_, snapshot) = try workspace.snapshot(now: now)
        let attributes = Set(snapshot.customers.flatMap { $0.customer.attributes.keys })
        let composer = try Composer(workspace: workspace, campaign: campaign, secret: try WorkspaceSecret.load(in: workspace),
                                    attributes: attributes)
        let audience = campaign.audience.evaluate(snapshot, rules: SegmentRules(thresholds: workspace.config.segments))
        // Synthetic customers stand in only where the audience's conditions could let them in.
        let checked = synthetic(composer: composer, attributes: attributes, now: now) { customer in
            campaign.audience.conditions.allSatisfy { $0.matches(customer) }
        }
        var items = LintItems()
        for (customer, findings) in checked { items.add(findings, customer: customer) }
        let report = try Preview.render(audience.members.lazy.map(\.features), composer: composer, report: nil,
                                        writer: nil, rows: { rows in
            for row in rows { items.add(row.findings, customer: row.customerID) }
        }, json: nil)
        return LintReport(target: campaign.id, language: composer.language, catchiness: nil,
                          recipients: checked.count + report.rendered, findings: items.sorted)
    }

    /// Checks a template on its own, with a sample offer, against two synthetic customers.
    public static func template(named name: String, workspace: Workspace, now: Date) throws -> LintReport {
        let template = try TemplateFile.load(named: name, in: workspace)
        let campaign = Campaign(id: template.name, template: name,
                                offer: .init(code: "SAMPLE10", discount: "10%", expires: "31 December"))
        let composer = try Composer(workspace: workspace, campaign: campaign, template: template,
                                    secret: try WorkspaceSecret.load(in: workspace))
        // Without an audience, a value the sparse customer lacks may never be missing in practice: warn.
        let checked = synthetic(composer: composer, attributes: [], now: now) { _ in true }.map { id, findings in
            (id, findings.map { f -> Finding in
                guard id == "synthetic:sparse", f.rule == "personalization.empty" else { return f }
                var warning = f
                warning.severity = .warning
                warning.message += " (an error for any recipient without it)"
                return warning
            })
        }
        return LintReport(target: template.file, language: composer.language, catchiness: nil, recipients: checked.count,
                          findings: items(checked))
    }

    /// A customer with every value (long names included) and one with as little as a real one can have.
    static func synthetic(composer: Composer, attributes: Set<String>, now: Date,
                          where admitted: (CustomerFeatures) -> Bool) -> [(String, [Finding])] {
        let nowSeconds = Int64(now.timeIntervalSince1970)
        let names: (String, String) = switch composer.language {
        case "ru": ("Александра", "Смирнова")
        case "el": ("Αικατερίνη", "Παπαδοπούλου")
        default: ("Alexandra", "Whitfield")
        }
        let orders = (1...3).map { i in
            Order(id: "SAMPLE-\(i)", at: nowSeconds - Int64(30 * i) * 86_400,
                  items: [LineItem(product: "Ethiopia Yirgacheffe Beans 250g", category: "coffee", amount: 12.5)])
        }
        let complete = CustomerFeatures(
            customer: Customer(id: "synthetic:complete", email: "alexandra@example.com", firstName: names.0, lastName: names.1,
                               locale: composer.language, attributes: Dictionary(uniqueKeysWithValues: attributes.map { ($0, "sample") })),
            orders: orders, events: [], now: nowSeconds, typeWindowDays: 365)
        let sparse = CustomerFeatures(customer: Customer(id: "synthetic:sparse", email: "someone@example.com"),
                                      orders: [], events: [], now: nowSeconds, typeWindowDays: 365)
        return [complete, sparse].filter(admitted).map { ($0.customer.id, composer.render($0).findings) }
    }

    static func items(_ checked: [(String, [Finding])]) -> [LintReport.Item] {
        var items = LintItems()
        for (customer, findings) in checked { items.add(findings, customer: customer) }
        return items.sorted
    }
}

/// Lint findings counted by kind (rule and message shape, see ``FindingGroups/shape(_:)``).
struct LintItems {
    private var items: [String: LintReport.Item] = [:]
    private var order: [String] = []

    mutating func add(_ findings: [Finding], customer: String) {
        for f in findings {
            let key = f.rule + "|" + FindingGroups.shape(f.message).replacingOccurrences(of: customer, with: "")
            if items[key] == nil {
                order.append(key)
                items[key] = .init(rule: f.rule, severity: f.severity, message: f.message, text: f.text, hint: f.hint,
                                   count: 0, example: customer)
            }
            items[key]?.count += 1
        }
    }

    var sorted: [LintReport.Item] {
        order.compactMap { items[$0] }.sorted { ($0.severity, $0.count) > ($1.severity, $1.count) }
    }
}
