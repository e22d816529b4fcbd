/// A message of a batch written straight as bytes: exactly what ``MIMEMessage/assemble``
/// writes through ``MIMEHeaderEncoding``, without the Strings and token arrays it makes per
/// message. A To name that needs quoting or encoding goes through ``MIMEHeaderEncoding`` itself.
enum BatchHeaders {
    /// The values of one message; the fields shared by the campaign are already encoded.
    struct Message {
        var from: [UInt8]
        var replyTo: [UInt8]
        var subject: [UInt8]
        var date: [UInt8]
        /// The display name (first and last name joined by a space), empty for none.
        var toName: [UInt8]
        /// Its tokens (``RenderCache/displayName(_:)``) when it is not plain atoms; nil writes
        /// `toName` as it is.
        var toNameTokens: [String]?
        var toAddress: String
        /// The Message-ID's unique part and its domain.
        var messageKey: ArraySlice<UInt8>
        var messageDomain: ArraySlice<UInt8>
        var unsubscribeURL: ArraySlice<UInt8>
        var unsubscribeMailto: ArraySlice<UInt8>
    }

    /// A header field folded before a token that would pass 76 characters, as ``MIMEHeaderEncoding/field(_:_:into:)``.
    struct Field {
        private let nameLength: Int
        private var lineLength: Int

        init(_ name: [UInt8], into out: inout [UInt8]) {
            nameLength = name.count
            lineLength = name.count + 1
            out += name
            out.append(0x3A)
        }

        /// Starts a token of `length` bytes, which the caller then appends.
        mutating func token(_ length: Int, into out: inout [UInt8]) {
            if lineLength + 1 + length > 76 && lineLength > nameLength + 1 {
                out += [0x0D, 0x0A]
                lineLength = 0
            }
            out.append(0x20)
            lineLength += 1 + length
        }

        func end(into out: inout [UInt8]) { out += [0x0D, 0x0A] }
    }

    static func append(_ m: Message, into out: inout [UInt8], text: (inout [UInt8]) -> Void, html: (inout [UInt8]) -> Void) {
        out += m.from
        appendTo(name: m.toName, tokens: m.toNameTokens, address: m.toAddress, into: &out)
        out += m.replyTo
        out += m.subject
        out += m.date
        var id = Field(Self.messageIDName, into: &out)
        id.token(m.messageKey.count + 1 + m.messageDomain.count + 2, into: &out)
        out.append(0x3C)
        out += m.messageKey
        out.append(0x40)
        out += m.messageDomain
        out.append(0x3E)
        id.end(into: &out)
        out += Self.mimeVersion
        var unsubscribe = Field(Self.listUnsubscribeName, into: &out)
        unsubscribe.token(m.unsubscribeURL.count + 3, into: &out)
        out.append(0x3C)
        out += m.unsubscribeURL
        out += [0x3E, 0x2C]
        unsubscribe.token(m.unsubscribeMailto.count + 2, into: &out)
        out.append(0x3C)
        out += m.unsubscribeMailto
        out.append(0x3E)
        unsubscribe.end(into: &out)
        out += Self.oneClick
        var boundary = Self.boundaryPrefix
        boundary += m.messageKey.filter(isAlphanumeric).prefix(40)
        var contentType = Field(Self.contentTypeName, into: &out)
        contentType.token(Self.alternative.count, into: &out)
        out += Self.alternative
        contentType.token(boundary.count + 11, into: &out)
        out += Self.boundaryParameter
        out += boundary
        out.append(0x22)
        contentType.end(into: &out)
        out += [0x0D, 0x0A]
        appendPartHeader(boundary, Self.plain, into: &out)
        text(&out)
        out += [0x0D, 0x0A]
        appendPartHeader(boundary, Self.richText, into: &out)
        html(&out)
        out += [0x0D, 0x0A, 0x2D, 0x2D]
        out += boundary
        out += [0x2D, 0x2D, 0x0D, 0x0A]
    }

    /// `To:` as ``MIMEHeaderEncoding/mailbox(name:address:)`` and ``MIMEHeaderEncoding/field(_:_:into:)`` write it:
    /// `tokens` for a name that is not plain atoms, else `name` (plain atoms, or empty) as it is.
    static func appendTo(name: [UInt8], tokens: [String]?, address: String, into out: inout [UInt8]) {
        if let tokens {
            MIMEHeaderEncoding.field("To", tokens + ["<\(address)>"], into: &out)
            return
        }
        var field = Field(Self.toName, into: &out)
        for word in name.split(separator: 0x20) {
            field.token(word.count, into: &out)
            out += word
        }
        field.token(address.utf8.count + 2, into: &out)
        out.append(0x3C)
        out += address.utf8
        out.append(0x3E)
        field.end(into: &out)
    }

    /// Atoms separated by single spaces, without `=?`: a name written as it is.
    static func isAtoms(_ name: [UInt8]) -> Bool {
        var previous: UInt8 = 0x20
        for byte in name {
            guard atextOrSpace[Int(byte)], !(byte == 0x20 && previous == 0x20), !(previous == 0x3D && byte == 0x3F) else {
                return false
            }
            previous = byte
        }
        return previous != 0x20
    }

    private static func appendPartHeader(_ boundary: [UInt8], _ type: [UInt8], into out: inout [UInt8]) {
        out += [0x2D, 0x2D]
        out += boundary
        out += Self.contentTypeLine
        out += type
        out += Self.partHeaderTail
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static let atextOrSpace: [Bool] = (0..<256).map { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || " !#$%&'*+-/=?^_`{|}~".utf8.contains(UInt8(byte))
    }
    private static let toName = Array("To".utf8), messageIDName = Array("Message-ID".utf8)
    private static let listUnsubscribeName = Array("List-Unsubscribe".utf8), contentTypeName = Array("Content-Type".utf8)
    private static let mimeVersion = Array("MIME-Version: 1.0\r\n".utf8)
    private static let oneClick = Array("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".utf8)
    private static let alternative = Array("multipart/alternative;".utf8), boundaryParameter = Array("boundary=\"".utf8)
    private static let boundaryPrefix = Array("=_hl_".utf8)
    private static let contentTypeLine = Array("\r\nContent-Type: ".utf8)
    private static let partHeaderTail = Array("; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
    private static let plain = Array("text/plain".utf8), richText = Array("text/html".utf8)
}
