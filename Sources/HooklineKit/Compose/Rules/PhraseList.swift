import CSupport
import Foundation

/// A list of phrases read from `Resources/<folder>/<lang>.txt`, matched on whole words,
/// ignoring case and diacritics; `stem*` matches any word ending.
struct PhraseList: Sendable {
    struct Phrase: Sendable {
        var written: String
        var folded: String
        var isPrefix: Bool
        /// `folded` as UTF-8, searched for as bytes.
        var bytes: [UInt8]
        /// Whether the phrase starts with a letter or digit: only then must a word boundary precede it.
        var startsWithWord: Bool

        init(written: String, folded: String, isPrefix: Bool) {
            self.written = written
            self.folded = folded
            self.isPrefix = isPrefix
            bytes = Array(folded.utf8)
            startsWithWord = folded.first.map(PhraseList.isWordCharacter) ?? false
        }
    }

    var phrases: [Phrase]

    init(lines: [String]) {
        phrases = lines.compactMap { line in
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.hasPrefix("#") else { return nil }
            let isPrefix = text.hasSuffix("*")
            let core = isPrefix ? String(text.dropLast()) : text
            return Phrase(written: text, folded: PhraseList.fold(core), isPrefix: isPrefix)
        }
    }

    static func load(folder: String, language: String) -> PhraseList {
        guard let url = Bundle.module.url(forResource: language, withExtension: "txt", subdirectory: folder),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return PhraseList(lines: []) }
        return PhraseList(lines: text.components(separatedBy: "\n"))
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .replacingOccurrences(of: "’", with: "'")
    }

    /// The phrases found in already folded text, as written in the list (without `*`).
    ///
    /// Each phrase is searched for as UTF-8 bytes (`memmem`) and only a hit is checked for
    /// word boundaries, as characters. Both sides are folded the same way, so the bytes are
    /// equal exactly where the text is; `String.range(of:)` cost ~500 µs per body for the
    /// whole list, and the rules run for every distinct set of a recipient's values.
    func matches(inFolded text: String) -> [String] {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            phrases.filter { Self.containsWord(text, bytes, $0) }
                .map { $0.isPrefix ? String($0.written.dropLast()) : $0.written }
        } ?? []
    }

    private static func containsWord(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>, _ phrase: Phrase) -> Bool {
        guard let base = bytes.baseAddress, !phrase.bytes.isEmpty else { return false }
        return phrase.bytes.withUnsafeBufferPointer { needle in
            var from = 0
            while from < bytes.count,
                  let hit = hl_memmem(base + from, bytes.count - from, needle.baseAddress, needle.count) {
                let start = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                let lower = text.utf8.index(text.utf8.startIndex, offsetBy: start)
                let upper = text.utf8.index(lower, offsetBy: needle.count)
                let beforeOK = lower == text.startIndex || !isWordCharacter(text[text.index(before: lower)])
                let afterOK = phrase.isPrefix || upper == text.endIndex || !isWordCharacter(text[upper])
                if (beforeOK || !phrase.startsWithWord) && afterOK { return true }
                from = start + 1
            }
            return false
        }
    }

    static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }
}

/// The spam trigger phrases and curiosity words of each supported language.
public enum SpamPhrases {
    public static let languages = ["en", "ru", "el"]

    static let spam: [String: PhraseList] = Dictionary(uniqueKeysWithValues: languages.map {
        ($0, PhraseList.load(folder: "spam-phrases", language: $0))
    })
    static let curiosity: [String: PhraseList] = Dictionary(uniqueKeysWithValues: languages.map {
        ($0, PhraseList.load(folder: "curiosity-words", language: $0))
    })

    /// The language of a text by its script: Cyrillic → `ru`, Greek → `el`, otherwise `en`.
    public static func detectLanguage(_ text: String) -> String {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0400...0x04FF: return "ru"
            case 0x0370...0x03FF, 0x1F00...0x1FFF: return "el"
            default: continue
            }
        }
        return "en"
    }

    /// Spam phrases in `text` from the language's list and, as spam crosses borders, the English one.
    static func spamMatches(inFolded text: String, language: String) -> [String] {
        var found = spam["en"]?.matches(inFolded: text) ?? []
        if language != "en" { found += spam[language]?.matches(inFolded: text) ?? [] }
        return found
    }
}
