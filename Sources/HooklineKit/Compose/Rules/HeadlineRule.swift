import Foundation

/// The subject line, as each recipient sees it.
///
/// - `headline.length` (error): outside `subject_min_length`…`subject_max_length` characters (20–60).
/// - `headline.caps` (error): written in capitals (four or more letters, none lower-case).
/// - `headline.punctuation` (error): more than one `!`, or `!!`, `??`, `$$` anywhere.
/// - `headline.spam` (error): a spam trigger phrase (`Resources/spam-phrases/<lang>.txt`).
/// - `headline.fake-reply` (error): starts with `RE:`/`FWD:`/`FW:` (or `ОТВ:`, `ΑΠ:`, `ΠΡΘ:`) — it is not a reply.
/// - `headline.generic` (error): one or two words, or a known generic line ("Newsletter #12", "Hi").
/// - `headline.catchiness` (warning): the ``Catchiness`` score is below `min_catchiness`.
public enum HeadlineRule {
    static let fakeReplyPrefixes = ["re:", "fwd:", "fw:", "отв:", "ответ:", "пересл:", "αп:", "απ:", "πρθ:"]
    static let genericPatterns = [
        #"^(hi|hello|hey|news|newsletter|update|updates|info|sale|offer|reminder|привет|здравствуйте|новости|рассылка|акция|γεια|νεα|ενημερωση|προσφορα)\b.{0,3}$"#,
        #"^(newsletter|news|update|рассылка|новости|выпуск|ενημερωτικο|ενημερωση|τευχος)\s*(#|№|no\.?)?\s*\d+\W*$"#,
    ]

    /// All headline findings for one subject; `personalised` tells whether the template
    /// printed a customer value into it (a catchiness signal).
    public static func check(_ subject: String, language: String, settings: RuleSettings,
                             personalised: Bool = false) -> [Finding] {
        var findings: [Finding] = []
        let length = subject.count
        if length < settings.subjectMinLength || length > settings.subjectMaxLength {
            let over = length > settings.subjectMaxLength
            findings.append(Finding(
                rule: "headline.length", severity: .error,
                message: over ? "subject over \(settings.subjectMaxLength) characters (\(length))"
                    : "subject under \(settings.subjectMinLength) characters (\(length))",
                text: subject,
                hint: over ? "shorten it; long names from data (products, cities) push it over — use a shorter variable or a fallback"
                    : "say what is inside: who it is for and what they get"))
        }
        let letters = subject.filter(\.isLetter)
        if letters.count >= 4 && !letters.contains(where: \.isLowercase) {
            findings.append(Finding(rule: "headline.caps", severity: .error, message: "subject in capitals",
                                    text: subject, hint: "write it in sentence case; capitals read as shouting and as spam"))
        }
        let bangs = subject.filter { $0 == "!" }.count
        for bad in ["!!", "??", "$$"] where subject.contains(bad) {
            findings.append(Finding(rule: "headline.punctuation", severity: .error, message: "subject contains '\(bad)'",
                                    text: bad, hint: "use single punctuation; repeated marks are a classic spam signal"))
        }
        if bangs > 1 && !subject.contains("!!") {
            findings.append(Finding(rule: "headline.punctuation", severity: .error,
                                    message: "subject has \(bangs) exclamation marks", text: subject,
                                    hint: "keep at most one '!'"))
        }
        let folded = PhraseList.fold(subject)
        for phrase in SpamPhrases.spamMatches(inFolded: folded, language: language) {
            findings.append(Finding(rule: "headline.spam", severity: .error,
                                    message: "subject uses the spam trigger phrase '\(phrase)'", text: phrase,
                                    hint: "name the concrete benefit instead (\"10% off your next bag\", not \"free\")"))
        }
        let trimmed = folded.trimmingCharacters(in: .whitespaces)
        if let prefix = fakeReplyPrefixes.first(where: { trimmed.hasPrefix(PhraseList.fold($0)) }) {
            findings.append(Finding(rule: "headline.fake-reply", severity: .error,
                                    message: "subject pretends to be a reply or forward", text: String(subject.prefix(prefix.count)),
                                    hint: "remove '\(prefix.uppercased())': fake replies erode trust and trigger filters"))
        }
        let words = WordCounter.count(subject)
        let generic = words <= 2 || genericPatterns.contains { trimmed.range(of: $0, options: .regularExpression) != nil }
        if generic && !subject.isEmpty {
            findings.append(Finding(rule: "headline.generic", severity: .error, message: "subject is generic",
                                    text: subject, hint: "say what this email gives this reader, in a few concrete words"))
        }
        let score = Catchiness.score(subject, language: language, personalised: personalised)
        if score.total < settings.minCatchiness {
            findings.append(Finding(rule: "headline.catchiness", severity: .warning,
                                    message: "subject scores \(score.total)/100 for catchiness (below \(settings.minCatchiness))",
                                    text: subject, hint: score.suggestion))
        }
        return findings
    }
}
