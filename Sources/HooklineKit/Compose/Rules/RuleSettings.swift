/// The thresholds the content rules apply. Workspace (`hookline.yml` `rules:`) and campaign
/// (`rules:`) may only make them stricter: the 150-word ceiling and the 20–60 character
/// headline window cannot be widened.
public struct RuleSettings: Sendable, Equatable {
    public var maxWords = 149
    public var subjectMinLength = 20
    public var subjectMaxLength = 60
    public var minStorySentences = 2
    /// Headlines scoring below this get a `headline.catchiness` warning (see ``Catchiness``).
    public var minCatchiness = 30

    public init() {}

    /// Values a file asked for; nil keeps the current value.
    public struct Overrides: Sendable, Equatable {
        public var maxWords: Int?
        public var subjectMinLength: Int?
        public var subjectMaxLength: Int?
        public var minStorySentences: Int?
        public var minCatchiness: Int?

        public init() {}

        public static let keys = ["max_words", "subject_min_length", "subject_max_length", "min_story_sentences",
                                  "min_catchiness"]

        /// Parses a `rules:` mapping; a looser value than the default is an error at its position.
        public init(yaml node: YAMLNode) throws {
            let map = try node.mapping(allowed: Self.keys)
            let base = RuleSettings()
            maxWords = try map.int("max_words", in: 1...base.maxWords)
            subjectMinLength = try map.int("subject_min_length", in: base.subjectMinLength...base.subjectMaxLength)
            subjectMaxLength = try map.int("subject_max_length", in: base.subjectMinLength...base.subjectMaxLength)
            minStorySentences = try map.int("min_story_sentences", in: base.minStorySentences...20)
            minCatchiness = try map.int("min_catchiness", in: base.minCatchiness...100)
        }
    }

    /// Applies overrides, keeping whichever value is stricter.
    public func applying(_ o: Overrides) -> RuleSettings {
        var s = self
        if let v = o.maxWords { s.maxWords = min(s.maxWords, v) }
        if let v = o.subjectMinLength { s.subjectMinLength = max(s.subjectMinLength, v) }
        if let v = o.subjectMaxLength { s.subjectMaxLength = min(s.subjectMaxLength, v) }
        if let v = o.minStorySentences { s.minStorySentences = max(s.minStorySentences, v) }
        if let v = o.minCatchiness { s.minCatchiness = max(s.minCatchiness, v) }
        return s
    }

    /// The workspace settings with `hookline.yml`'s `rules:` and then the campaign's applied.
    public static func resolved(config: WorkspaceConfig, campaign: Campaign?) throws -> RuleSettings {
        var settings = RuleSettings()
        if let node = config.sections["rules"] { settings = settings.applying(try Overrides(yaml: node)) }
        if let campaign { settings = settings.applying(campaign.rules) }
        return settings
    }
}
