/// Address syntax checks shared by import, compose and delivery.
///
/// Deliberately strict: an address that reaches SMTP must not be able to carry
/// a command, so anything outside printable ASCII (and spaces, angle brackets,
/// commas) is refused rather than escaped.
public enum EmailAddress {
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 254 else { return false }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else { return false }
        guard at <= 64 else { return false }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        let localAllowed: (UInt8) -> Bool = { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return Array("!#$%&'*+-/=?^_`{|}~.".utf8).contains(byte)
            }
        }
        guard local.allSatisfy(localAllowed), local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
              !text.contains("..") else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-"),
                  label.allSatisfy({ byte in
                      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                          || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                          || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                          || byte == UInt8(ascii: "-")
                  })
            else { return false }
        }
        return true
    }
}
