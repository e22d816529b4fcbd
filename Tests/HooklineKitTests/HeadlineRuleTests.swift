import Testing
@testable import HooklineKit

@Suite("Headline rules")
struct HeadlineRuleTests {
    /// (subject, language, the rule ids expected at error level; empty = clean).
    static let cases: [(String, String, Set<String>)] = [
        ("Anna, is your coffee running low?", "en", []),
        ("Your December coffee tastes of plums: here is why", "en", []),
        ("FREE COFFEE FOR EVERYONE TODAY", "en", ["headline.caps", "headline.spam"]),
        ("Get 10% off your next bag now!!", "en", ["headline.punctuation"]),
        ("Big news! Our shop is open! Come!", "en", ["headline.punctuation"]),
        ("Is this the best coffee?? Find out", "en", ["headline.punctuation"]),
        ("Save $$ on every bag this winter", "en", ["headline.punctuation"]),
        ("RE: your order from last month", "en", ["headline.fake-reply"]),
        ("Fwd: a note about your coffee beans", "en", ["headline.fake-reply"]),
        ("Newsletter #12", "en", ["headline.generic", "headline.length"]),
        ("Hi", "en", ["headline.generic", "headline.length"]),
        ("Act now: a guaranteed winner for your morning", "en", ["headline.spam"]),
        ("A short note from the roastery about this week's beans and more", "en", ["headline.length"]),
        ("Анна, ваш кофе скоро закончится?", "ru", []),
        ("Бесплатная доставка только сегодня", "ru", ["headline.spam"]),
        ("СРОЧНО: ВАШ ЗАКАЗ ЖДЁТ ВАС", "ru", ["headline.caps", "headline.spam"]),
        ("Отв: ваш заказ в нашем магазине", "ru", ["headline.fake-reply"]),
        ("Рассылка №5", "ru", ["headline.generic", "headline.length"]),
        ("Γιατί ο καφές του Δεκεμβρίου μυρίζει δαμάσκηνο;", "el", []),
        ("Δωρεάν αποστολή για όλες τις παραγγελίες", "el", ["headline.spam"]),
        ("ΕΠΕΙΓΟΝ ΜΗΝΥΜΑ ΓΙΑ ΤΗΝ ΠΑΡΑΓΓΕΛΙΑ", "el", ["headline.caps", "headline.spam"]),
    ]

    @Test("error-level findings", arguments: cases)
    func errors(subject: String, language: String, expected: Set<String>) {
        let findings = HeadlineRule.check(subject, language: language, settings: RuleSettings())
        let errors = Set(findings.filter { $0.severity == .error }.map(\.rule))
        #expect(errors == expected, "\(subject): \(findings.map(\.message))")
    }

    @Test("spam phrases match whole words, not parts of words")
    func wholeWords() {
        let settings = RuleSettings()
        #expect(HeadlineRule.check("Freedom roast: a story of our new beans", language: "en", settings: settings)
            .allSatisfy { $0.rule != "headline.spam" })
        #expect(HeadlineRule.check("A free tasting for our regular customers", language: "en", settings: settings)
            .contains { $0.rule == "headline.spam" && $0.text == "free" })
    }

    @Test("the length window follows stricter campaign settings")
    func stricterLength() {
        var settings = RuleSettings()
        var overrides = RuleSettings.Overrides()
        overrides.subjectMaxLength = 30
        settings = settings.applying(overrides)
        let findings = HeadlineRule.check("Anna, is your coffee running low today?", language: "en", settings: settings)
        #expect(findings.contains { $0.rule == "headline.length" && $0.message.contains("over 30") })
    }

    @Test("catchiness signals add up as documented")
    func catchiness() {
        let plain = Catchiness.score("A note about our shop and coffee", language: "en", personalised: false)
        #expect(plain.total == 10)
        let rich = Catchiness.score("Why your Colombia beans taste of 3 fruits?", language: "en", personalised: true)
        #expect(rich == Catchiness(personalisation: 25, number: 20, question: 15, curiosity: 20, specificity: 20))
        let warned = HeadlineRule.check("A note about our shop and coffee", language: "en", settings: RuleSettings())
        #expect(warned.contains { $0.rule == "headline.catchiness" && $0.severity == .warning })
    }
}
