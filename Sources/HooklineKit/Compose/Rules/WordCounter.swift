/// Counts words the way a reader does, in any script.
///
/// A word is a run of letters, digits and combining marks (Unicode properties, so Cyrillic,
/// Greek and Latin count alike); an apostrophe or hyphen between two letters joins a word
/// (`don't`, `кофе-брейк` are one word each). A URL (`http://…`, `https://…`, up to the next
/// space) counts as one word wherever it appears, in a link or bare; `mailto:` too.
/// Markup such as `*` and punctuation count as nothing.
public enum WordCounter {
    public static func count(_ text: String) -> Int {
        let scalars = Array(text.unicodeScalars)
        var count = 0
        var i = 0
        var inWord = false
        while i < scalars.count {
            let s = scalars[i]
            if !inWord, startsURL(scalars, at: i) {
                count += 1
                while i < scalars.count, !isSpace(scalars[i]) { i += 1 }
                continue
            }
            if isWordScalar(s) {
                if !inWord { count += 1; inWord = true }
            } else if inWord, s == "'" || s == "’" || s == "-", i + 1 < scalars.count, isWordScalar(scalars[i + 1]) {
                // joined: stays in the word
            } else {
                inWord = false
            }
            i += 1
        }
        return count
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
        }
        let p = s.properties
        return p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark
    }

    /// True when the text has nothing but white space.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isSpace)
    }

    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.isASCII ? s == " " || s == "\n" || s == "\t" || s == "\r" : s.properties.isWhitespace
    }

    private static func startsURL(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        guard s[i] == "h" || s[i] == "m" else { return false }
        for prefix in ["https://", "http://", "mailto:"] where i + prefix.unicodeScalars.count <= s.count {
            if zip(prefix.unicodeScalars, s[i...]).allSatisfy({ $0 == $1 }) { return true }
        }
        return false
    }
}
