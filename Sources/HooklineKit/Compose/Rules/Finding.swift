/// One rule's verdict on one message: what is wrong, where, and how to fix it.
public struct Finding: Sendable, Equatable, Hashable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning, error
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .warning && rhs == .error }
    }

    /// A stable id such as `headline.length`; documented per rule file.
    public var rule: String
    public var severity: Severity
    public var message: String
    /// The text that triggered the finding (a phrase, the subject, a URL).
    public var text: String
    public var hint: String

    public init(rule: String, severity: Severity, message: String, text: String, hint: String) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.text = text
        self.hint = hint
    }
}

extension Array where Element == Finding {
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
