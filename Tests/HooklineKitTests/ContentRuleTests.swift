import Testing
@testable import HooklineKit

@Suite("Words, story, hook")
struct ContentRuleTests {
    static let wordCases: [(String, Int)] = [
        ("Hello world", 2),
        ("Don't stop — well-known beans.", 4),
        ("Привет, мир! Кофе-брейк через 5 минут.", 6),
        ("Καλημέρα κόσμε, ο καφές είναι έτοιμος.", 6),
        ("Reorder now (https://shop.example/reorder?utm_source=hookline&utm_medium=email)", 3),
        ("*Ethiopia* **Yirgacheffe**: bright, floral", 4),
        ("", 0),
    ]

    @Test("words are counted alike in every script; a URL counts as one", arguments: wordCases)
    func words(text: String, expected: Int) {
        #expect(WordCounter.count(text) == expected)
    }

    @Test("150 words or more is an error")
    func wordLimit() {
        #expect(WordsRule.check(words: 149, settings: RuleSettings()).isEmpty)
        #expect(WordsRule.check(words: 150, settings: RuleSettings()).map(\.rule) == ["words.max"])
    }

    static let storyCases: [(String, String, [String])] = [
        ("We roasted a new batch. It smells of plums.", "en", []),
        ("We roasted a new batch", "en", ["story.sentences"]),
        ("", "en", ["story.missing"]),
        ("Мы обжарили новую партию. Она пахнет сливой!", "ru", []),
        ("Ψήσαμε νέο καφέ. Θέλετε να τον δοκιμάσετε;", "el", []),
        ("Ψήσαμε νέο καφέ", "el", ["story.sentences"]),
    ]

    @Test("a story needs two sentences", arguments: storyCases)
    func story(text: String, language: String, expected: [String]) {
        #expect(StoryRule.check(story: text, language: language, settings: RuleSettings()).map(\.rule) == expected)
    }

    static let hookCases: [([String], [String])] = [
        (["https://shop.test.example/reorder?utm_source=hookline"], []),
        (["https://www.shop.test.example/x"], []),
        (["https://help.example.org/faq"], []),
        ([], ["hook.link-count"]),
        (["https://shop.test.example/a", "https://shop.test.example/b"], ["hook.link-count"]),
        (["http://shop.test.example/reorder"], ["hook.https"]),
        (["/reorder"], ["hook.https"]),
        (["https://evil.example.net/shop.test.example"], ["hook.domain"]),
        (["https://shop.test.example.evil.net/"], ["hook.domain"]),
    ]

    @Test("one https call to action on the shop's domains", arguments: hookCases)
    func hook(links: [String], expected: [String]) throws {
        let config = try WorkspaceConfig(yaml: YAMLNode.parse(ExampleShop.config, file: "hookline.yml"))
        let findings = HookRule.check(hookText: "Reorder", links: links, domains: .init(config: config))
        #expect(findings.map(\.rule) == expected)
    }

    @Test("spam phrases in the body are warnings, in every language")
    func bodySpam() {
        #expect(BodySpamRule.check(body: "Click here to claim your prize.", language: "en").map(\.severity)
            == [.warning, .warning])
        #expect(BodySpamRule.check(body: "Доставка бесплатно до пятницы.", language: "ru").map(\.text) == ["бесплатн"])
        #expect(BodySpamRule.check(body: "Η αποστολή είναι δωρεάν.", language: "el").map(\.text) == ["δωρεάν"])
        #expect(BodySpamRule.check(body: "We roasted a new batch.", language: "en").isEmpty)
    }
}

/// The phrase search runs on UTF-8 bytes; it must find exactly what a search of the
/// folded text as characters finds, for every listed phrase in every kind of surrounding.
@Suite struct PhraseSearchTests {
    /// The search as characters (`String.range(of:)`), the way the lists were first matched.
    static func reference(_ list: PhraseList, _ text: String) -> [String] {
        list.phrases.filter { phrase in
            var range = text.startIndex..<text.endIndex
            while let found = text.range(of: phrase.folded, range: range) {
                let before = found.lowerBound == text.startIndex
                    || !PhraseList.isWordCharacter(text[text.index(before: found.lowerBound)])
                let after = phrase.isPrefix || found.upperBound == text.endIndex
                    || !PhraseList.isWordCharacter(text[found.upperBound])
                if (before || !phrase.startsWithWord) && after { return true }
                range = text.index(after: found.lowerBound)..<text.endIndex
            }
            return false
        }.map { $0.isPrefix ? String($0.written.dropLast()) : $0.written }
    }

    @Test(arguments: SpamPhrases.languages)
    func bytesFindWhatCharactersFind(language: String) throws {
        let lists = [try #require(SpamPhrases.spam[language]), try #require(SpamPhrases.curiosity[language])]
        let around = [("", ""), ("a", ""), ("", "s"), ("я", ""), ("", "ω"), (" ", "."), ("«", "»"), ("1", ""), ("", "7"),
                      ("é ", " é"), ("Hi there, ", " and more! "), ("—", "—")]
        for list in lists {
            var texts = ["", "we roasted a new batch on tuesday.", "доставка до пятницы", "η αποστολή είναι σήμερα"]
            for phrase in list.phrases {
                for (before, after) in around { texts.append(PhraseList.fold(before + phrase.folded + after)) }
            }
            texts.append(texts.joined(separator: " "))
            for text in texts {
                #expect(list.matches(inFolded: text) == Self.reference(list, text), "\(language): \(text.prefix(80))")
            }
        }
    }
}
