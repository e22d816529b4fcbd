/// Address syntax checks shared by import, compose and delivery.
///
/// Deliberately strict: an address that reaches SMTP must not be able to carry
/// a command, so anything outside printable ASCII (and spaces, angle brackets,
/// commas) is refused rather than escaped.
public enum EmailAddress {
    /// Bytes allowed in the local part (RFC 5322 atext and the dot).
    private static let localAllowed: [Bool] = (0..<256).map { byte in
        (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
            || "!#$%&'*+-/=?^_`{|}~.".utf8.contains(UInt8(byte))
    }

    public static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isValid($0) }
    }

    /// Runs once per recipient in previews of a million messages: a single pass over the bytes.
    private static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        guard bytes.count >= 3, bytes.count <= 254 else { return false }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else { return false }
        guard at <= 64 else { return false }
        let local = localAllowed
        for i in 0..<at where !local[Int(bytes[i])] || (bytes[i] == dot && i > 0 && bytes[i - 1] == dot) { return false }
        guard bytes[0] != dot, bytes[at - 1] != dot else { return false }
        var labels = 0, labelStart = at + 1
        for i in (at + 1)...bytes.count {
            guard i == bytes.count || bytes[i] == dot else {
                let byte = bytes[i]
                let allowed = (0x61...0x7A).contains(byte) || (0x41...0x5A).contains(byte) || (0x30...0x39).contains(byte)
                    || byte == hyphen
                guard allowed else { return false }
                continue
            }
            let length = i - labelStart
            guard length > 0, length <= 63, bytes[labelStart] != hyphen, bytes[i - 1] != hyphen else { return false }
            labels += 1
            labelStart = i + 1
        }
        return labels >= 2
    }
}
