import Foundation

/// The dry run of one campaign: who would get what, and what the rules say about it.
/// Encodes to the documented JSON:
/// `{"campaign", "audience", "recipients": [{"customer_id", "email", "subject", "words",
/// "findings": [{"rule", "severity", "message"}]}], "skipped": [{"customer_id", "reason"}]}`.
public struct PreviewReport: Sendable, Encodable {
    public struct Recipient: Sendable, Encodable {
        public var customerID: String
        public var email: String
        public var subject: String
        public var words: Int
        public var findings: [Finding]

        enum CodingKeys: String, CodingKey { case customerID = "customer_id", email, subject, words, findings }
        enum FindingKeys: String, CodingKey { case rule, severity, message }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(customerID, forKey: .customerID)
            try c.encode(email, forKey: .email)
            try c.encode(subject, forKey: .subject)
            try c.encode(words, forKey: .words)
            var list = c.nestedUnkeyedContainer(forKey: .findings)
            for finding in findings {
                var f = list.nestedContainer(keyedBy: FindingKeys.self)
                try f.encode(finding.rule, forKey: .rule)
                try f.encode(finding.severity, forKey: .severity)
                try f.encode(finding.message, forKey: .message)
            }
        }
    }

    public struct Skipped: Sendable, Encodable {
        public var customerID: String
        public var reason: String
        enum CodingKeys: String, CodingKey { case customerID = "customer_id", reason }
    }

    /// Recipients with the same kind of finding, for the summary: "12 recipients: …".
    public struct FindingGroup: Sendable {
        public var rule: String
        public var severity: Finding.Severity
        public var count: Int
        /// The first recipient's message and text, as an example.
        public var example: Finding
        public var exampleCustomerID: String
    }

    public var campaign: String
    /// Recipients the campaign reaches (mailable audience members).
    public var audience: Int
    public var recipients: [Recipient]
    public var skipped: [Skipped]
    /// Not in the JSON: the summary and samples for the terminal.
    public var groups: [FindingGroup] = []
    public var samples: [RenderedMessage] = []
    /// Wall time of rendering, checking and serialising (and writing, with --out).
    public var renderSeconds: Double = 0
    /// Total size of the messages as they would be sent.
    public var messageBytes = 0

    enum CodingKeys: String, CodingKey { case campaign, audience, recipients, skipped }

    public var hasErrors: Bool { recipients.contains { $0.findings.hasErrors } }

    /// Groups findings by rule and message shape (numbers ignored), most frequent first.
    static func group(_ recipients: [Recipient]) -> [FindingGroup] {
        var groups: [String: FindingGroup] = [:]
        var order: [String] = []
        for recipient in recipients {
            var seen = Set<String>()
            for finding in recipient.findings {
                let key = finding.rule + "|" + finding.message.replacingOccurrences(of: "[0-9]+", with: "#",
                                                                                   options: .regularExpression)
                let shapeKey = finding.rule == "personalization.empty" || finding.rule == "data.header"
                    ? finding.rule + "|" + finding.text : key
                guard seen.insert(shapeKey).inserted else { continue }
                if groups[shapeKey] == nil {
                    order.append(shapeKey)
                    groups[shapeKey] = FindingGroup(rule: finding.rule, severity: finding.severity, count: 0,
                                                    example: finding, exampleCustomerID: recipient.customerID)
                }
                groups[shapeKey]?.count += 1
            }
        }
        return order.compactMap { groups[$0] }.sorted {
            ($0.severity, $0.count) > ($1.severity, $1.count)
        }
    }

    /// The human report: audience, grouped findings, skipped reasons, sample messages.
    public func summary(limit: Int = 20) -> String {
        var lines: [String] = []
        lines.append("Campaign \(campaign): \(audience) recipient\(audience == 1 ? "" : "s"), \(skipped.count) skipped")
        let withErrors = recipients.filter { $0.findings.hasErrors }.count
        if !recipients.isEmpty && renderSeconds > 0 {
            // A rate over a few messages measures thread start-up, not rendering.
            let rate = recipients.count >= 1000 ? ": \(Int(Double(recipients.count) / renderSeconds)) messages/s" : ""
            lines.append("Rendered and checked \(recipients.count) messages (\(messageBytes / max(1, recipients.count)) bytes each) "
                         + "in \(String(format: "%.2f", renderSeconds)) s\(rate)")
        }
        lines.append(withErrors == 0 ? "No errors." : "\(withErrors) recipient\(withErrors == 1 ? "" : "s") with errors: fix them before sending.")
        if !groups.isEmpty {
            lines.append("")
            lines.append("Findings:")
            for group in groups {
                lines.append("  \(group.severity.rawValue) \(group.rule): \(group.count) recipient\(group.count == 1 ? "" : "s"): "
                             + "\(group.example.message) — \(group.example.hint) (e.g. \(group.exampleCustomerID))")
            }
        }
        if !skipped.isEmpty {
            var reasons: [String: Int] = [:]
            for s in skipped { reasons[s.reason, default: 0] += 1 }
            lines.append("")
            lines.append("Skipped: " + reasons.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        if !recipients.isEmpty {
            lines.append("")
            lines.append("Recipients (first \(min(limit, recipients.count))):")
            for r in recipients.prefix(limit) {
                let marks = r.findings.isEmpty ? "ok" : r.findings.map(\.rule).joined(separator: ",")
                lines.append("  \(r.customerID)  \(r.words) words  \(r.subject)  [\(marks)]")
            }
        }
        for sample in samples {
            lines.append("")
            lines.append("──── sample: \(sample.customerID) <\(sample.email)> ────")
            lines.append("Subject: \(sample.subject)")
            lines.append("")
            lines.append(sample.text.trimmingCharacters(in: .newlines))
        }
        return lines.joined(separator: "\n")
    }
}
