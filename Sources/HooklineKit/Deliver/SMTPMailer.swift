import CCurl
import Foundation

/// Delivers through an SMTP relay: libcurl opens each session (TLS, AUTH), Hookline speaks
/// the mail transactions on it, pipelined when the server offers PIPELINING. One session
/// per connection, reused for many messages, on its own worker thread.
public struct SMTPMailer: Mailer {
    public let settings: SMTPSettings
    private let password: String?

    public var connections: Int { settings.connections }

    /// `password` comes from ``SMTPSettings/password(environment:)``; it is never printed.
    public init(settings: SMTPSettings, password: String?) {
        self.settings = settings
        self.password = password
    }

    public func openConnection() throws -> any MailConnection {
        guard CurlRuntime.initialized else {
            throw MailerUnavailable("libcurl could not be initialised", hint: "check the libcurl installation")
        }
        return CurlConnection(settings: settings, password: password)
    }
}

enum CurlRuntime {
    /// `curl_global_init` must run once before any handle; a static initialiser runs once, thread-safely.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}

/// One connection's SMTP session, kept open for many messages and opened again after it
/// was lost. The session is opened lazily, so a row is always claimed before its
/// connection attempt — a refused login then leaves that row deferred, never in doubt.
final class CurlConnection: MailConnection {
    private let settings: SMTPSettings
    private let password: String?
    private var session: CurlSession?
    private var transaction = SMTPTransaction()

    init(settings: SMTPSettings, password: String?) {
        self.settings = settings
        self.password = password
    }

    func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome {
        try deliver(message, announcing: nil)
    }

    func deliver(_ message: OutgoingMessage, announcing next: OutgoingMessage?,
                 whileWaiting: () -> (() -> Void)?) throws -> DeliveryOutcome {
        // Addresses are copied into commands verbatim: a CR or LF would inject one. A message
        // whose commands went out behind the previous content was checked before they did.
        if session?.announced != message.messageId, let problem = EnvelopeCheck.problem(message) {
            return .failed(problem)
        }
        let next = next.flatMap { EnvelopeCheck.problem($0) == nil ? $0 : nil }
        do {
            return try transfer(message, announcing: next, whileWaiting: whileWaiting)
        } catch is SessionLost where !transaction.contentSent && session != nil {
            // A session that waited (rate limit, slow rendering) may have been closed by the
            // server in the meantime. Nothing of this message went out: send it on a new session.
            session = nil
        } catch let lost as SessionLost {
            return deferred(lost)
        }
        do {
            return try transfer(message, announcing: next, whileWaiting: whileWaiting)
        } catch let lost as SessionLost {
            return deferred(lost)
        }
    }

    func withdrawAnnounced() {
        // The server has accepted DATA for it and waits for content: only closing the
        // connection ends that transaction without a message.
        if let session, session.announced != nil {
            session.abandon()
            self.session = nil
        }
    }

    private func transfer(_ message: OutgoingMessage, announcing next: OutgoingMessage?,
                          whileWaiting: () -> (() -> Void)?) throws -> DeliveryOutcome {
        if let session, let announced = session.announced, announced != message.messageId { withdrawAnnounced() }
        if let session, session.announced == nil, !session.isOpen() { self.session = nil }
        let session = try self.session ?? CurlSession(settings: settings, password: password)
        self.session = session
        let deadline = RateLimiter.monotonicSeconds() + Double(settings.messageTimeoutSeconds)
        let outcome = try transaction.deliver(message, announcing: next, on: session, deadline: deadline,
                                              whileWaiting: whileWaiting)
        if !session.clean { self.session = nil }
        return outcome
    }

    private func deferred(_ lost: SessionLost) -> DeliveryOutcome {
        session = nil
        if lost.code / 100 == 4 { return .deferred(SMTPReply(code: lost.code, text: lost.description)) }
        // No final reply: the server may or may not have the message.
        return .deferred(SMTPReply(code: 0, text: "connection lost before the final reply: \(lost)"))
    }
}
