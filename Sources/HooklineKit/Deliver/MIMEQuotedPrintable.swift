/// Quoted-printable (RFC 2045 §6.7) with CRLF line breaks and lines of at most 76 octets.
///
/// Line starts `.` and `From ` are encoded too, so that neither SMTP dot-stuffing nor
/// mbox quoting can alter the message.
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

    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let count = bytes.count
        // Worst case: every byte escaped (3) plus a soft break (3) per 25 escaped bytes.
        let capacity = count * 3 + (count / 25 + 1) * 3 + 2
        let encoded = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, written in
            var o = 0
            var lineLength = 0
            var i = 0
            while i < count {
                let byte = bytes[i]
                if byte == 0x0D { i += 1; continue }
                if byte == 0x0A {
                    buffer[o] = 0x0D; buffer[o + 1] = 0x0A; o += 2
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
                    buffer[o] = 0x3D; buffer[o + 1] = 0x0D; buffer[o + 2] = 0x0A; o += 3
                    lineLength = 0
                    continue
                }
                if isLiteral {
                    buffer[o] = byte
                    o += 1
                } else {
                    buffer[o] = 0x3D
                    buffer[o + 1] = hexDigits[Int(byte >> 4)]
                    buffer[o + 2] = hexDigits[Int(byte & 0x0F)]
                    o += 3
                }
                lineLength += width
                i += 1
            }
            written = o
        }
        out.append(contentsOf: encoded)
    }
}
