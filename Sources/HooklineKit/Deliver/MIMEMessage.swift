/// A complete email as it is sent: RFC 5322 headers, RFC 8058 one-click unsubscribe, and a
/// multipart/alternative body (text/plain + text/html, UTF-8, quoted-printable), CRLF throughout.
///
/// Every header value is checked when the message is made: a CR, LF, NUL or other control
/// character is refused (``MIMEError``) instead of escaped, so data can never add a header.
public struct MIMEMessage: Sendable {
    public struct Mailbox: Sendable, Equatable {
        public var name: String?
        public var address: String

        public init(name: String? = nil, address: String) {
            self.name = name
            self.address = address
        }
    }

    public var from: Mailbox
    public var to: Mailbox
    public var replyTo: Mailbox?
    public var subject: String
    /// Seconds since 1970 (UTC), written as the `Date` header.
    public var date: Int64
    /// The Message-ID without angle brackets, `unique@domain`.
    public var messageID: String
    /// The https URL of RFC 8058 one-click unsubscribe.
    public var unsubscribeURL: String
    /// An optional `mailto:` URI offered next to it.
    public var unsubscribeMailto: String?
    public var text: String
    public var html: String

    /// The SMTP envelope sender (`MAIL FROM`).
    public var envelopeFrom: String { from.address }
    /// The SMTP envelope recipient (`RCPT TO`).
    public var envelopeTo: String { to.address }

    /// Validates every header value; `field` names in errors are `from`, `to.name`, `subject`, ….
    public init(from: Mailbox, to: Mailbox, replyTo: Mailbox? = nil, subject: String, date: Int64, messageID: String,
                unsubscribeURL: String, unsubscribeMailto: String? = nil, text: String, html: String) throws {
        try self.init(from: from, to: to, replyTo: replyTo, subject: subject, date: date, messageID: messageID,
                      unsubscribeURL: unsubscribeURL, unsubscribeMailto: unsubscribeMailto, text: text, html: html,
                      senderChecked: false)
    }

    /// `senderChecked`: From and Reply-To were validated once for the whole campaign.
    init(from: Mailbox, to: Mailbox, replyTo: Mailbox?, subject: String, date: Int64, messageID: String,
         unsubscribeURL: String, unsubscribeMailto: String?, text: String, html: String, senderChecked: Bool) throws {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.unsubscribeURL = unsubscribeURL
        self.unsubscribeMailto = unsubscribeMailto
        self.text = text
        self.html = html
        try validate(senderChecked: senderChecked)
    }

    private func validate(senderChecked: Bool) throws {
        try Self.validate(to: to, subject: subject, messageID: messageID, unsubscribeURL: unsubscribeURL,
                          unsubscribeMailto: unsubscribeMailto, sender: senderChecked ? nil : (from, replyTo))
    }

    /// Every header value's checks; `sender` nil when From and Reply-To were checked once for a campaign.
    static func validate(to: Mailbox, subject: String, messageID: String, unsubscribeURL: String,
                         unsubscribeMailto: String?, sender: (from: Mailbox, replyTo: Mailbox?)?) throws {
        var values = [("to.address", to.address), ("subject", subject), ("message_id", messageID),
                      ("unsubscribe_url", unsubscribeURL), ("to.name", to.name ?? ""), ("unsubscribe_mailto", unsubscribeMailto ?? "")]
        var addresses = [("to.address", to.address)]
        if let (from, replyTo) = sender {
            values += [("from.address", from.address), ("from.name", from.name ?? ""),
                       ("reply_to.address", replyTo?.address ?? ""), ("reply_to.name", replyTo?.name ?? "")]
            addresses += [("from.address", from.address)] + (replyTo.map { [("reply_to.address", $0.address)] } ?? [])
        }
        for (field, value) in values where containsControl(value) {
            throw MIMEError(field: field, "contains a line break or control character")
        }
        for (field, address) in addresses where !EmailAddress.isValid(address) {
            throw MIMEError(field: field, "'\(address)' is not a valid email address")
        }
        guard isUnsubscribeURL(unsubscribeURL) else {
            throw MIMEError(field: "unsubscribe_url", "must be an https URL (RFC 8058)")
        }
        guard isMessageID(messageID.utf8) else {
            throw MIMEError(field: "message_id", "must look like unique@domain")
        }
    }

    /// The shape `validate` requires of List-Unsubscribe's URL (control characters aside):
    /// https, and nothing that ends the `<…>` it is written in.
    static func isUnsubscribeURL(_ url: String) -> Bool {
        url.hasPrefix("https://") && !url.utf8.contains(0x3E) && !url.utf8.contains(0x20)
    }

    /// The shape `validate` requires of a Message-ID (control characters aside): `unique@domain`
    /// with nothing that ends the `<…>` it is written in.
    static func isMessageID<ID: Collection<UInt8>>(_ id: ID) -> Bool {
        id.contains(0x40) && !id.contains(0x3E) && !id.contains(0x20)
    }

    /// The boundary: derived from the message id; `=_` never occurs in quoted-printable text.
    var boundary: String { Self.boundary(messageID: messageID) }

    static func boundary(messageID: String) -> String {
        let unique = messageID.utf8.prefix { $0 != 0x40 }.filter {
            (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
        }
        return "=_hl_" + String(decoding: unique.prefix(40), as: UTF8.self)
    }

    /// The message as sent, CRLF line endings, every line within 998 octets.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + html.utf8.count * 11 / 10 + 1200)
        Self.assemble(
            from: Self.mailboxField("From", from), to: to, replyTo: replyTo.map { Self.mailboxField("Reply-To", $0) } ?? [],
            subject: Self.subjectField(subject), date: Self.dateField(date), messageID: messageID,
            unsubscribeURL: unsubscribeURL, unsubscribeMailto: unsubscribeMailto, into: &out,
            text: { QuotedPrintable.encode(text, into: &$0) }, html: { QuotedPrintable.encode(html, into: &$0) })
        return out
    }

    static func mailboxField(_ name: String, _ mailbox: Mailbox) -> [UInt8] {
        var out: [UInt8] = []
        MIMEHeaderEncoding.field(name, MIMEHeaderEncoding.mailbox(name: mailbox.name, address: mailbox.address), into: &out)
        return out
    }

    static func subjectField(_ subject: String) -> [UInt8] {
        var out: [UInt8] = []
        MIMEHeaderEncoding.field("Subject", MIMEHeaderEncoding.unstructured(subject), into: &out)
        return out
    }

    static func dateField(_ date: Int64) -> [UInt8] {
        var out: [UInt8] = []
        MIMEHeaderEncoding.field("Date", [MIMEDate.rfc5322(date)], into: &out)
        return out
    }

    /// Writes a message whose From, Reply-To, Subject and Date fields are already encoded
    /// (a batch encodes them once) and whose parts `text` and `html` append quoted-printable.
    static func assemble(from: [UInt8], to: Mailbox, replyTo: [UInt8], subject: [UInt8], date: [UInt8], messageID: String,
                         unsubscribeURL: String, unsubscribeMailto: String?, into out: inout [UInt8],
                         text: (inout [UInt8]) -> Void, html: (inout [UInt8]) -> Void) {
        out += from
        MIMEHeaderEncoding.field("To", MIMEHeaderEncoding.mailbox(name: to.name, address: to.address), into: &out)
        out += replyTo
        out += subject
        out += date
        MIMEHeaderEncoding.field("Message-ID", ["<\(messageID)>"], into: &out)
        out.append(contentsOf: "MIME-Version: 1.0\r\n".utf8)
        var unsubscribe = ["<\(unsubscribeURL)>" + (unsubscribeMailto == nil ? "" : ",")]
        if let mailto = unsubscribeMailto { unsubscribe.append("<\(mailto)>") }
        MIMEHeaderEncoding.field("List-Unsubscribe", unsubscribe, into: &out)
        out.append(contentsOf: "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".utf8)
        let boundary = Self.boundary(messageID: messageID)
        MIMEHeaderEncoding.field("Content-Type", ["multipart/alternative;", "boundary=\"\(boundary)\""], into: &out)
        out += [0x0D, 0x0A]
        func partHeader(_ type: String) -> String {
            "--\(boundary)\r\nContent-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        }
        out.append(contentsOf: partHeader("text/plain").utf8)
        text(&out)
        out += [0x0D, 0x0A]
        out.append(contentsOf: partHeader("text/html").utf8)
        html(&out)
        out += [0x0D, 0x0A]
        out.append(contentsOf: "--\(boundary)--\r\n".utf8)
    }
}

/// A header value that cannot be sent; `field` names which one.
public struct MIMEError: Error, CustomStringConvertible, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// RFC 5322 dates in UTC, without Foundation formatters on the hot path.
enum MIMEDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func rfc5322(_ seconds: Int64) -> String {
        let days = ISODate.floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = ISODate.civil(fromDays: Int(days))
        let (year, month, day) = (Int64(y), Int64(m), Int64(d))
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(two(day)) \(months[Int(month) - 1]) \(year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60)) +0000"
    }
}
