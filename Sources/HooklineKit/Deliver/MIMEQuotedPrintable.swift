/// Quoted-printable (RFC 2045 §6.7) with CRLF line breaks and lines of at most 76 octets.
///
/// Line starts `.` and `From ` are encoded too, so that neither SMTP dot-stuffing nor
/// mbox quoting can alter the message.
enum QuotedPrintable {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func encode(_ text: String, into out: inout [UInt8]) {
        var lineLength = 0
        var bytes = Array(text.utf8)
        bytes.removeAll { $0 == 0x0D }
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0A {
                out.append(0x0D); out.append(0x0A)
                lineLength = 0
                i += 1
                continue
            }
            let atLineEnd = i + 1 == bytes.count || bytes[i + 1] == 0x0A
            let atLineStart = lineLength == 0
            let literal: Bool
            switch byte {
            case 0x20, 0x09: literal = !atLineEnd
            case 0x3D: literal = false
            case 0x2E: literal = !atLineStart
            case 0x46: literal = !(atLineStart && i + 4 < bytes.count && bytes[i + 1] == 0x72 && bytes[i + 2] == 0x6F
                                   && bytes[i + 3] == 0x6D && bytes[i + 4] == 0x20)
            case 0x21...0x7E: literal = true
            default: literal = false
            }
            let width = literal ? 1 : 3
            // Keep room for the soft break's '=' unless this is the last token on the line.
            let limit = atLineEnd ? 76 : 75
            if lineLength + width > limit {
                out.append(0x3D); out.append(0x0D); out.append(0x0A)
                lineLength = 0
                continue
            }
            if literal {
                out.append(byte)
            } else {
                out.append(0x3D)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
            lineLength += width
            i += 1
        }
    }
}
