import Foundation

/// One mail transaction (MAIL FROM, RCPT TO, DATA, the content) on an open session.
///
/// With PIPELINING (RFC 2920) the three commands go out as one group, and the content
/// follows the 354. When the next message is known, its group rides behind this content
/// (RFC 2920 §3.1 allows content to be followed by the next group), so a run of messages
/// costs one round trip each instead of smtp-source's four. The next message gets no content
/// before its own call: its row is claimed in between. Without PIPELINING each command waits
/// for its reply. Either way the outcome follows the first reply that is not positive.
struct SMTPTransaction {
    /// How long the work done while waiting for a reply may hold on to what it took (the
    /// store's write lock): a reply on a local relay takes well under a millisecond.
    static let waitingHold = 0.05

    /// Reused between messages so that building the wire bytes allocates nothing.
    private var output: [UInt8] = []
    /// Whether any of the last message's content went out: until then the server cannot have
    /// it, so a lost session may be replaced and the message sent again at once.
    private(set) var contentSent = false

    /// Sends `message` (its commands, unless they went out behind the previous content) and
    /// classifies the reply that decided it; announces `next` when the session pipelines.
    /// Throws ``SessionLost`` when the connection failed before that reply.
    ///
    /// `whileWaiting` runs once the content is out; if the final reply has not come within
    /// ``waitingHold`` seconds after it, what it returned is called.
    mutating func deliver(_ message: OutgoingMessage, announcing next: OutgoingMessage?, on session: CurlSession,
                          deadline: Double, whileWaiting: () -> (() -> Void)? = { nil }) throws -> DeliveryOutcome {
        contentSent = false
        let pipelining = session.capabilities.pipelining
        let replies: (mail: SMTPReply, rcpt: SMTPReply?, data: SMTPReply?)
        if pipelining {
            if session.announced != message.messageId {
                output.removeAll(keepingCapacity: true)
                Self.appendEnvelope(message, size: session.capabilities.size, to: &output)
                try session.send(output, deadline: deadline)
            }
            session.announced = nil
            replies = (try session.reply(deadline: deadline), try session.reply(deadline: deadline),
                       try session.reply(deadline: deadline))
        } else {
            replies = try stepByStep(message, on: session, deadline: deadline)
        }
        if replies.mail.code / 100 != 2 {
            let result = refused(by: replies.mail, dataReply: replies.data, session, deadline: deadline)
            // A permanent refusal of MAIL FROM is about the shop's address, which every
            // message shares: no recipient bounced, and the rest would fail alike.
            if replies.mail.code / 100 == 5 { throw SenderRefused(address: message.envelopeFrom, reply: replies.mail) }
            return result
        }
        guard let rcptReply = replies.rcpt, rcptReply.code / 100 == 2 else {
            return refused(by: replies.rcpt ?? replies.mail, dataReply: replies.data, session, deadline: deadline,
                           reset: true)
        }
        guard let dataReply = replies.data, dataReply.code == 354 else {
            return refused(by: replies.data ?? rcptReply, dataReply: nil, session, deadline: deadline, reset: true)
        }
        output.removeAll(keepingCapacity: true)
        Self.appendContent(message.data, to: &output)
        if pipelining, let next {
            Self.appendEnvelope(next, size: session.capabilities.size, to: &output)
            session.announced = next.messageId
        }
        contentSent = true
        try session.send(output, deadline: deadline)
        if let slow = whileWaiting(), !session.inputArrives(within: Self.waitingHold) { slow() }
        let final = try session.reply(deadline: deadline)
        return outcome(for: final, session)
    }

    private mutating func stepByStep(_ message: OutgoingMessage, on session: CurlSession, deadline: Double) throws
        -> (mail: SMTPReply, rcpt: SMTPReply?, data: SMTPReply?) {
        let mailReply = try command(Self.mail(message, size: session.capabilities.size), on: session, deadline)
        guard mailReply.code / 100 == 2 else { return (mailReply, nil, nil) }
        let rcptReply = try command(Self.rcpt(message), on: session, deadline)
        guard rcptReply.code / 100 == 2 else { return (mailReply, rcptReply, nil) }
        return (mailReply, rcptReply, try command("DATA", on: session, deadline))
    }

    private mutating func command(_ text: String, on session: CurlSession, _ deadline: Double) throws -> SMTPReply {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: text.utf8)
        output.append(contentsOf: [0x0D, 0x0A])
        try session.send(output, deadline: deadline)
        return try session.reply(deadline: deadline)
    }

    /// MAIL FROM with SIZE when the server announced it, as libcurl wrote it.
    private static func mail(_ message: OutgoingMessage, size: Bool) -> String {
        "MAIL FROM:<\(message.envelopeFrom)>" + (size ? " SIZE=\(message.data.count)" : "")
    }

    private static func rcpt(_ message: OutgoingMessage) -> String {
        "RCPT TO:<\(message.recipient)>"
    }

    /// MAIL, RCPT and DATA as one pipelined group: the bytes of ``mail(_:size:)`` and
    /// ``rcpt(_:)``, written without building the command strings.
    private static func appendEnvelope(_ message: OutgoingMessage, size: Bool, to output: inout [UInt8]) {
        output.append(contentsOf: "MAIL FROM:<".utf8)
        output.append(contentsOf: message.envelopeFrom.utf8)
        output.append(UInt8(ascii: ">"))
        if size {
            output.append(contentsOf: " SIZE=".utf8)
            output.append(contentsOf: String(message.data.count).utf8)
        }
        output.append(contentsOf: "\r\nRCPT TO:<".utf8)
        output.append(contentsOf: message.recipient.utf8)
        output.append(contentsOf: ">\r\nDATA\r\n".utf8)
    }

    /// The transaction ended before the content. `reset` sends RSET so that the session can
    /// carry the next message; a failure there loses the session, not this message's outcome.
    private mutating func refused(by reply: SMTPReply, dataReply: SMTPReply?, _ session: CurlSession, deadline: Double,
                         reset: Bool = false) -> DeliveryOutcome {
        // A server that accepts DATA after refusing the envelope now waits for content:
        // the only safe way out is to give up the session.
        if dataReply?.code == 354 { session.abandon() }
        let result = outcome(for: reply, session)
        if reset, session.clean {
            do {
                if try command("RSET", on: session, deadline).code / 100 != 2 { session.abandon() }
            } catch {
                session.abandon()
            }
        }
        return result
    }

    private func outcome(for reply: SMTPReply, _ session: CurlSession) -> DeliveryOutcome {
        // 421: the server is closing the session (RFC 5321 §3.8).
        if reply.code == 421 { session.abandon() }
        switch reply.code / 100 {
        case 2: return .sent(reply)
        case 4: return .deferred(reply)
        case 5: return .bounced(reply)
        default:
            session.abandon()
            return .deferred(SMTPReply(code: 0, text: "unexpected reply before the final one: \(reply)"))
        }
    }

    /// Appends `data` as DATA content: a '.' that starts a line is doubled (RFC 5321 §4.5.2),
    /// the content ends with CRLF, then the terminating ".\r\n". Lines start after CRLF and
    /// at the first byte, as libcurl counts them, so the bytes are those libcurl sent.
    static func appendContent(_ data: [UInt8], to output: inout [UInt8]) {
        let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, dot: UInt8 = 0x2E
        output.reserveCapacity(output.count + data.count + data.count / 64 + 5)
        data.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            var copied = 0
            if bytes[0] == dot { output.append(dot) }
            var from = 0
            // memchr finds each LF far faster than a byte loop; only "\r\n." needs a change.
            while from < bytes.count, let found = memchr(base + from, Int32(lf), bytes.count - from) {
                let newline = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                from = newline + 1
                guard newline > 0, bytes[newline - 1] == cr, from < bytes.count, bytes[from] == dot else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<from]))
                output.append(dot)
                copied = from
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
            if !(bytes.count >= 2 && bytes[bytes.count - 2] == cr && bytes[bytes.count - 1] == lf) {
                output.append(contentsOf: [cr, lf])
            }
        }
        output.append(contentsOf: [dot, cr, lf])
    }
}

/// The server refused the envelope sender for good (5xx to MAIL FROM): the run stops, and
/// the message's row waits for the next run like the rest.
struct SenderRefused: Error, CustomStringConvertible {
    let address: String
    let reply: SMTPReply

    var description: String {
        "the server refused the sender address <\(address)>: \(reply); check sender.email in hookline.yml "
            + "and that the relay lets this account send from that address"
    }
}
