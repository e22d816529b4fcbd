/// `story.missing` (error): the story renders to nothing.
/// `story.sentences` (error): fewer than `min_story_sentences` (default 2) sentences —
/// a story needs a beginning and a turn. Sentences end in `.`, `!`, `?`, `…` (or the
/// Greek question mark `;` in Greek text) followed by a space or the end.
enum StoryRule {
    static func check(story: String, language: String = "en", settings: RuleSettings) -> [Finding] {
        guard !WordCounter.isBlank(story) else {
            return [Finding(rule: "story.missing", severity: .error, message: "the story is empty for this recipient",
                            text: "", hint: "write two or three sentences under '--- story ---'")]
        }
        let sentences = sentenceCount(story, language: language)
        guard sentences < settings.minStorySentences else { return [] }
        return [Finding(rule: "story.sentences", severity: .error,
                        message: "the story has \(sentences) sentence\(sentences == 1 ? "" : "s"), at least \(settings.minStorySentences) needed",
                        text: String(story.prefix(80)),
                        hint: "tell a small story: what happened, and why it matters to the reader")]
    }

    static func sentenceCount(_ text: String, language: String = "en") -> Int {
        let ends = language == "el" ? ".!?…;\u{037E}" : ".!?…\u{037E}"
        var count = 0
        var sawWord = false
        let scalars = Array(text.unicodeScalars)
        for (i, s) in scalars.enumerated() {
            if WordCounter.isWordScalar(s) { sawWord = true; continue }
            let isEnd = ends.unicodeScalars.contains(s)
            let followedBySpace = i + 1 == scalars.count || WordCounter.isSpace(scalars[i + 1])
            if isEnd && followedBySpace && sawWord { count += 1; sawWord = false }
        }
        return count + (sawWord ? 1 : 0)
    }
}
