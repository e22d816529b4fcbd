/// `words.max` (error): the story and hook together — what the reader reads, not the
/// footer — stay within `max_words` (at most 149: "under 150 words").
enum WordsRule {
    static func check(words: Int, settings: RuleSettings) -> [Finding] {
        guard words > settings.maxWords else { return [] }
        return [Finding(rule: "words.max", severity: .error,
                        message: "\(words) words in story and hook, more than \(settings.maxWords)",
                        text: "\(words) words",
                        hint: "cut \(words - settings.maxWords) words: one idea, one story, one call to action")]
    }
}
