/// Header field values: RFC 2047 encoded-words for non-ASCII text, RFC 5322 quoted
/// display names, and folding to lines of at most 76 characters.
enum MIMEHeaderEncoding {
    /// Raw text bytes per encoded-word: 39 bytes → 52 base64 characters, so a word is 64
    /// characters and a folded line (" " + word) stays well under 76.
    private static let bytesPerWord = 39
    /// RFC 5322 atext, and the space between atoms.
    private static let atextOrSpace: [Bool] = (0..<256).map { byte in
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || " !#$%&'*+-/=?^_`{|}~".utf8.contains(UInt8(byte))
    }
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// True when the text can go into a header as is: printable ASCII and spaces, no `=?`.
    static func isPlain(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte < 0x20 || byte >= 0x7F || (previous == 0x3D && byte == 0x3F) { return false }
            previous = byte
        }
        return true
    }

    /// Splits on single spaces, byte-wise (the text is plain ASCII here).
    private static func words(_ text: String) -> [String] {
        text.utf8.split(separator: 0x20).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `=?UTF-8?B?…?=` words, never splitting a character between two words.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        chunk.reserveCapacity(bytesPerWord + 16)
        for character in text {
            // A character's own UTF-8 view: no String or Array made per character.
            let bytes = character.utf8
            if chunk.count + bytes.count > bytesPerWord, !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(12 + (bytes.count + 2) / 3 * 4)
        out.append(contentsOf: "=?UTF-8?B?".utf8)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int((b1 & 15) << 2 | b2 >> 6)] : 0x3D)
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(b2 & 63)] : 0x3D)
            i += 3
        }
        out.append(contentsOf: "?=".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// An unstructured value (Subject): plain words, or encoded-words when needed.
    static func unstructured(_ text: String) -> [String] {
        if isPlain(text) {
            let words = words(text)
            if words.count > 0 && words.joined(separator: " ") == text && words.allSatisfy({ $0.utf8.count <= 70 }) {
                return words
            }
        }
        return encodedWords(text)
    }

    /// A mailbox `Name <address>`; the name quoted or encoded as needed, omitted when empty.
    static func mailbox(name: String?, address: String) -> [String] {
        guard let name, !name.isEmpty else { return ["<\(address)>"] }
        return displayName(name) + ["<\(address)>"]
    }

    /// The tokens of a non-empty display name in ``mailbox(name:address:)``: as it is,
    /// quoted, or as encoded-words.
    static func displayName(_ name: String) -> [String] {
        if isPlain(name) {
            let table = atextOrSpace
            var previous: UInt8 = 0x20
            // Atoms separated by single spaces can be written as they are.
            let atoms = name.utf8.allSatisfy { byte in
                defer { previous = byte }
                return table[Int(byte)] && !(byte == 0x20 && previous == 0x20)
            } && previous != 0x20
            if atoms {
                return words(name)
            }
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            if escaped.count <= 60 { return ["\"\(escaped)\""] }
        }
        return encodedWords(name)
    }

    /// `Name: value` folded before a word that would pass 76 characters, with CRLF at the end.
    static func field(_ name: String, _ tokens: [String], into out: inout [UInt8]) {
        var lineLength = name.utf8.count + 1
        out.append(contentsOf: name.utf8)
        out.append(0x3A)
        for token in tokens {
            let length = token.utf8.count
            if lineLength + 1 + length > 76 && lineLength > name.utf8.count + 1 {
                out += [0x0D, 0x0A]
                lineLength = 0
            }
            out.append(0x20)
            out.append(contentsOf: token.utf8)
            lineLength += 1 + length
        }
        out += [0x0D, 0x0A]
    }
}
