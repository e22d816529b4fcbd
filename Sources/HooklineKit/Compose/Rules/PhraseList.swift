import Foundation

/// A list of phrases read from `Resources/<folder>/<lang>.txt`, matched on whole words,
/// ignoring case and diacritics; `stem*` matches any word ending.
struct PhraseList: Sendable {
    struct Phrase: Sendable {
        var written: String
        var folded: String
        var isPrefix: Bool
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
    func matches(inFolded text: String) -> [String] {
        var found: [String] = []
        for phrase in phrases where Self.containsWord(text, phrase.folded, prefix: phrase.isPrefix) {
            found.append(phrase.isPrefix ? String(phrase.written.dropLast()) : phrase.written)
        }
        return found
    }

    private static func containsWord(_ text: String, _ phrase: String, prefix: Bool) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let range = text.range(of: phrase, range: searchRange) {
            let beforeOK = range.lowerBound == text.startIndex || !isWordCharacter(text[text.index(before: range.lowerBound)])
            let afterOK = prefix || range.upperBound == text.endIndex || !isWordCharacter(text[range.upperBound])
            let phraseEdgesAreWords = phrase.first.map(isWordCharacter) ?? false
            if (beforeOK || !phraseEdgesAreWords) && afterOK { return true }
            searchRange = text.index(after: range.lowerBound)..<text.endIndex
        }
        return false
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
