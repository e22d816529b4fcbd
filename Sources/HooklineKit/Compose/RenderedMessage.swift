/// One recipient's message as rendered, with what the content rules found.
public struct RenderedMessage: Sendable {
    public var customerID: String
    public var email: String
    public var subject: String
    public var preheader: String
    /// The text/plain part: story, hook and footer.
    public var text: String
    /// The text/html part: the layout around story, hook and footer.
    public var html: String
    /// Words in story and hook (see ``WordCounter``).
    public var words: Int
    public var findings: [Finding]
    /// The message ready for SMTP; nil when a value cannot go into a header (see `failure`).
    public var message: MIMEMessage?
    /// Why no message could be built for this recipient.
    public var failure: RecipientError?

    /// True when the message exists and no rule reported an error: only these may be sent.
    public var isSendable: Bool { message != nil && !findings.hasErrors }
}

/// A problem with one recipient's data: "customer C01042: first_name contains a line break".
public struct RecipientError: Error, Sendable, Equatable, CustomStringConvertible {
    public var customerID: String
    public var field: String
    public var message: String
    public var hint: String

    public var description: String { "customer \(customerID): \(field) \(message) — \(hint)" }
}
