import Foundation

/// The dry run of one campaign: who would get what, and what the rules say about it.
///
/// It keeps counts, grouped findings and a few recipients, never one row per recipient, so
/// its size does not grow with the audience; the rows go to ``Preview``'s `rows` callback
/// (the JSON output, see ``PreviewJSON``) and to the `--out` folder as they are rendered.
public struct PreviewReport: Sendable {
    public struct Recipient: Sendable, Equatable {
        public var customerID: String
        public var email: String
        public var subject: String
        public var words: Int
        public var findings: [Finding]

        public init(customerID: String, email: String, subject: String, words: Int, findings: [Finding]) {
            self.customerID = customerID
            self.email = email
            self.subject = subject
            self.words = words
            self.findings = findings
        }
    }

    public struct Skipped: Sendable, Equatable {
        public var customerID: String
        public var reason: String

        public init(customerID: String, reason: String) {
            self.customerID = customerID
            self.reason = reason
        }
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
    public var skipped: [Skipped]
    /// Messages rendered and checked.
    public var rendered = 0
    /// Recipients whose message has an error-level finding.
    public var withErrors = 0
    /// The first recipients in audience order (up to ``listed``), for the terminal.
    public var firstRecipients: [Recipient] = []
    public var groups: [FindingGroup] = []
    public var samples: [RenderedMessage] = []
    /// Wall time of rendering, checking and serialising (and, with --out, writing every file),
    /// including reading the members from the store, which overlaps with it.
    public var renderSeconds: Double = 0
    /// CPU time the render workers spent, and how many there were: rendering alone, without
    /// the reading it overlaps with, takes `renderCPUSeconds / workers` on an idle machine.
    public var renderCPUSeconds: Double = 0
    public var workers = 1
    /// Total size of the messages as they would be sent.
    public var messageBytes = 0

    /// How many recipients the summary lists.
    public static let listed = 20

    public init(campaign: String, audience: Int, skipped: [Skipped]) {
        self.campaign = campaign
        self.audience = audience
        self.skipped = skipped
    }

    public var hasErrors: Bool { withErrors > 0 }

    /// The human report: audience, grouped findings, skipped reasons, sample messages.
    public func summary(limit: Int = PreviewReport.listed) -> String {
        var lines: [String] = []
        lines.append("Campaign \(campaign): \(audience) recipient\(audience == 1 ? "" : "s"), \(skipped.count) skipped")
        if rendered > 0 && renderSeconds > 0 {
            // A rate over a few messages measures thread start-up, not rendering.
            let rate = rendered >= 1000 ? ": \(Int(Double(rendered) / renderSeconds)) messages/s" : ""
            lines.append("Rendered and checked \(rendered) messages (\(messageBytes / max(1, rendered)) bytes each) "
                         + "in \(String(format: "%.2f", renderSeconds)) s\(rate)")
            if rendered >= 1000 && renderCPUSeconds > 0 {
                lines.append("Render workers: \(String(format: "%.2f", renderCPUSeconds)) CPU s on \(workers) cores, "
                             + "\(Int(Double(rendered * workers) / renderCPUSeconds)) messages/s of their time")
            }
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
        if !firstRecipients.isEmpty {
            lines.append("")
            lines.append("Recipients (first \(min(limit, firstRecipients.count))):")
            for r in firstRecipients.prefix(limit) {
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

/// Findings grouped by rule and message shape (numbers ignored), counted as recipients stream
/// by; partial groups of consecutive runs of recipients merge in order.
struct FindingGroups: Sendable {
    private var groups: [String: PreviewReport.FindingGroup] = [:]
    private var order: [String] = []

    mutating func add(_ findings: [Finding], customerID: String) {
        guard !findings.isEmpty else { return }
        var seen: Set<String> = []
        for finding in findings {
            let key = finding.rule == "personalization.empty" || finding.rule == "data.header"
                ? finding.rule + "|" + finding.text : finding.rule + "|" + Self.shape(finding.message)
            guard seen.insert(key).inserted else { continue }
            if groups[key] == nil {
                order.append(key)
                groups[key] = .init(rule: finding.rule, severity: finding.severity, count: 0, example: finding,
                                    exampleCustomerID: customerID)
            }
            groups[key]?.count += 1
        }
    }

    /// Adds the groups of the recipients that come after these.
    mutating func append(_ later: FindingGroups) {
        for key in later.order {
            guard let group = later.groups[key] else { continue }
            if groups[key] == nil {
                order.append(key)
                groups[key] = group
            } else {
                groups[key]?.count += group.count
            }
        }
    }

    /// Most frequent first; errors before warnings.
    var sorted: [PreviewReport.FindingGroup] {
        order.compactMap { groups[$0] }.sorted { ($0.severity, $0.count) > ($1.severity, $1.count) }
    }

    /// The message with every run of digits as `#`.
    static func shape(_ message: String) -> String {
        var out: [UInt8] = []
        var inDigits = false
        for byte in message.utf8 {
            let digit = byte >= 0x30 && byte <= 0x39
            if !digit { out.append(byte) } else if !inDigits { out.append(0x23) }
            inDigits = digit
        }
        return String(decoding: out, as: UTF8.self)
    }
}
