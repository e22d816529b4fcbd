/// One message ready for the wire: envelope and the complete RFC 5322 bytes.
public struct OutgoingMessage: Sendable {
    /// The envelope sender (`MAIL FROM`), a bare address.
    public var envelopeFrom: String
    /// The single envelope recipient (`RCPT TO`), a bare address.
    public var recipient: String
    /// The whole message, headers and body, with CRLF line endings.
    public var data: [UInt8]
    /// The Message-ID without angle brackets; also the outbox file name.
    public var messageId: String

    public init(envelopeFrom: String, recipient: String, data: [UInt8], messageId: String) {
        self.envelopeFrom = envelopeFrom
        self.recipient = recipient
        self.data = data
        self.messageId = messageId
    }
}

/// The server's reply that decided an outcome (code 0 when no reply arrived).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public var description: String { code == 0 ? text : "\(code) \(text)" }
}

/// What happened to one message.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The server accepted the message (2xx).
    case sent(SMTPReply)
    /// A transient refusal (4xx) or the connection was lost before the final reply: try again later.
    case deferred(SMTPReply)
    /// A permanent refusal (5xx) to the recipient or the data: the address gets suppressed.
    case bounced(SMTPReply)
    /// Hookline refused to send it (e.g. an invalid address); retrying would not help.
    case failed(String)

    /// The ledger state this outcome leads to.
    public var state: LedgerState {
        switch self {
        case .sent: return .sent
        case .deferred: return .deferred
        case .bounced: return .bounced
        case .failed: return .failed
        }
    }

    public var reply: SMTPReply? {
        switch self {
        case .sent(let r), .deferred(let r), .bounced(let r): return r
        case .failed: return nil
        }
    }
}

/// Something that delivers messages: SMTP through libcurl, or the outbox folder.
///
/// A mailer hands out connections; each is used by one worker thread for many
/// messages, so an SMTP session is reused instead of reconnecting per message.
public protocol Mailer: Sendable {
    /// How many connections may work in parallel.
    var connections: Int { get }
    /// Opens one connection, to be used from a single thread only.
    func openConnection() throws -> any MailConnection
}

/// One session with the delivery back-end; confined to the thread that opened it.
public protocol MailConnection: AnyObject {
    /// Delivers one message. Throws ``MailerUnavailable`` when nothing can be sent
    /// through this back-end (refused login, TLS failure, unreachable server): the
    /// message was not handed over and the run should stop.
    func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome
    /// Delivers `message` and may start `next` right behind its content (RFC 2920 lets the
    /// next MAIL, RCPT and DATA follow the content), so that `next` costs one round trip.
    /// The caller then either delivers `next` as its very next call or calls
    /// ``withdrawAnnounced()``; `next` gets no content until its own `deliver` call.
    ///
    /// `whileWaiting` runs once the content is out, before the wait for the final reply
    /// (never when no content went out), and what it returns is called if that reply is slow
    /// to come (see ``Ledger/claimWhileWaiting(_:clock:transfer:recording:)``).
    func deliver(_ message: OutgoingMessage, announcing next: OutgoingMessage?,
                 whileWaiting: () -> (() -> Void)?) throws -> DeliveryOutcome
    /// The announced message will not be delivered (its row could not be claimed): the
    /// connection makes sure the server never receives its content.
    func withdrawAnnounced()
}

extension MailConnection {
    /// Back-ends without pipelining deliver one message at a time, and have no reply to
    /// wait for.
    public func deliver(_ message: OutgoingMessage, announcing next: OutgoingMessage?,
                        whileWaiting: () -> (() -> Void)?) throws -> DeliveryOutcome {
        try deliver(message)
    }

    /// ``deliver(_:announcing:whileWaiting:)`` with nothing to do while waiting.
    public func deliver(_ message: OutgoingMessage, announcing next: OutgoingMessage?) throws -> DeliveryOutcome {
        try deliver(message, announcing: next, whileWaiting: { nil })
    }

    public func withdrawAnnounced() {}
}

/// The back-end cannot take any message now; the message in hand was not sent.
public struct MailerUnavailable: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String

    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message) — \(hint)" }
}

/// Address checks done before anything reaches a mailer: a CR, LF or NUL in an
/// address would otherwise become an SMTP command.
public enum EnvelopeCheck {
    /// Nil when both addresses are safe; otherwise the reason to refuse the message.
    public static func problem(_ message: OutgoingMessage) -> String? {
        // Runs for every message on the connection's thread: no array of pairs, no closures.
        if let problem = problem(role: "sender", message.envelopeFrom) { return problem }
        if let problem = problem(role: "recipient", message.recipient) { return problem }
        for byte in message.messageId.utf8 where byte <= 0x20 || byte == 0x7F || byte == UInt8(ascii: "/") {
            return "the Message-ID contains a space, a slash or a control character"
        }
        return nil
    }

    private static func problem(role: String, _ address: String) -> String? {
        for byte in address.utf8 where byte < 0x20 || byte == 0x7F {
            return "the \(role) address contains a control character (CR, LF, NUL, …)"
        }
        if !EmailAddress.isValid(address) {
            return "the \(role) address '\(address)' is not a valid email address"
        }
        return nil
    }
}
