/// Quoted-printable (RFC 2045 §6.7) with CRLF line breaks and lines of at most 76 octets.
///
/// Line starts `.` and `From ` are encoded too, so that neither SMTP dot-stuffing nor
/// mbox quoting can alter the message.
///
/// The encoder is a small state machine (the column) with a short lookahead, so a text can
/// be encoded in pieces (``encode(_:emitting:column:into:)``): ``BodyProgram`` encodes a
/// template's fixed text once per campaign and only the values per message.
enum QuotedPrintable {
    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    /// Bytes that may stand for themselves anywhere but at a line's end or start.
    private static let literal: [Bool] = (0..<256).map { byte in
        (0x21...0x7E).contains(byte) && byte != 0x3D || byte == 0x20 || byte == 0x09
    }

    static func encode(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in encode(bytes, into: &out) }
    }

    static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var column = 0
        encode(bytes, emitting: bytes.count, column: &column, into: &out)
    }

    /// Encodes the first `emitting` bytes, starting at `column` of the current line, and
    /// leaves the column where it ends. The encoder's only state is the column, and it looks
    /// at most 4 bytes ahead (5 for a run of CRs): the bytes after `emitting` are that
    /// lookahead, so a text can be encoded in pieces with exactly the bytes of encoding it whole.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, emitting emit: Int, column: inout Int, into out: inout [UInt8]) {
        let count = bytes.count
        guard emit > 0 else { return }
        out.reserveCapacity(out.count + emit * 3 + (emit / 25 + 1) * 3)
        // Tables in locals: a static read inside the loop costs a lazy-initialisation check per byte.
        let literal = Self.literal, hexDigits = Self.hexDigits
        var lineLength = column
        var i = 0
        while i < emit {
            let byte = bytes[i]
            if byte == 0x0D { i += 1; continue }
            if byte == 0x0A {
                out.append(0x0D)
                out.append(0x0A)
                lineLength = 0
                i += 1
                continue
            }
            var next = i + 1
            while next < count && bytes[next] == 0x0D { next += 1 }
            let atLineEnd = next == count || bytes[next] == 0x0A
            var isLiteral = literal[Int(byte)]
            if isLiteral {
                if (byte == 0x20 || byte == 0x09) && atLineEnd {
                    isLiteral = false
                } else if lineLength == 0 && (byte == 0x2E || (byte == 0x46 && i + 4 < count && bytes[i + 1] == 0x72
                                                               && bytes[i + 2] == 0x6F && bytes[i + 3] == 0x6D
                                                               && bytes[i + 4] == 0x20)) {
                    isLiteral = false
                }
            }
            let width = isLiteral ? 1 : 3
            // Keep room for the soft break's '=' unless this is the last token on the line.
            if lineLength + width > (atLineEnd ? 76 : 75) {
                out.append(0x3D)
                out.append(0x0D)
                out.append(0x0A)
                lineLength = 0
                continue
            }
            if isLiteral {
                out.append(byte)
            } else {
                out.append(0x3D)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
            lineLength += width
            i += 1
        }
        column = lineLength
    }
}
