/// A headline's catchiness, 0–100, from signals that make people open an email:
///
/// | signal          | points | when                                                          |
/// |-----------------|--------|---------------------------------------------------------------|
/// | personalisation | 25     | the template prints a customer value (name, product, city…)    |
/// | number          | 20     | a digit: a price, a discount, a count, a date                  |
/// | question        | 15     | a `?` (or `;` in Greek)                                        |
/// | curiosity       | 20     | a word from `Resources/curiosity-words/<lang>.txt` (why, your…) |
/// | specificity     | 20     | 10 for a capitalised name after the first word, 10 for 5+ words |
///
/// Below `min_catchiness` (default 30) the rule `headline.catchiness` warns.
public struct Catchiness: Sendable, Equatable, Codable {
    public var personalisation = 0
    public var number = 0
    public var question = 0
    public var curiosity = 0
    public var specificity = 0

    public var total: Int { personalisation + number + question + curiosity + specificity }

    public static func score(_ subject: String, language: String, personalised: Bool) -> Catchiness {
        var score = Catchiness()
        if personalised || subject.contains("{{") { score.personalisation = 25 }
        if subject.contains(where: \.isNumber) { score.number = 20 }
        if subject.contains("?") || (language == "el" && subject.contains(";")) || subject.contains("\u{037E}") {
            score.question = 15
        }
        let folded = PhraseList.fold(subject)
        if !(SpamPhrases.curiosity[language]?.matches(inFolded: folded).isEmpty ?? true) { score.curiosity = 20 }
        let words = subject.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        if words.dropFirst().contains(where: { $0.first?.isUppercase == true && $0.count >= 2 }) { score.specificity += 10 }
        if words.count >= 5 { score.specificity += 10 }
        return score
    }

    /// What would raise the score most, for the finding's hint.
    public var suggestion: String {
        var ideas: [String] = []
        if personalisation == 0 { ideas.append("use the reader's name or last product") }
        if number == 0 { ideas.append("add a concrete number") }
        if curiosity == 0 { ideas.append("spark curiosity (why, how, your…)") }
        if question == 0 { ideas.append("ask a question") }
        return ideas.prefix(2).joined(separator: " or ")
    }
}
