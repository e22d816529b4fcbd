import Foundation

/// `body.spam` (warning): a spam trigger phrase in the story or hook. Filters weigh these
/// less in a body than in a subject, hence a warning; each one still costs deliverability.
enum BodySpamRule {
    static func check(body: String, language: String) -> [Finding] {
        SpamPhrases.spamMatches(inFolded: PhraseList.fold(body), language: language).map { phrase in
            Finding(rule: "body.spam", severity: .warning, message: "the body uses the spam trigger phrase '\(phrase)'",
                    text: phrase, hint: "say it plainly: what the reader gets and why it is worth it")
        }
    }
}
