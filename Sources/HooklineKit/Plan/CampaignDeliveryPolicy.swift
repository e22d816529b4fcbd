/// What the planner needs to know about a campaign, from its file's
/// `priority`, `caps`, `schedule`, `transactional` and `when_capped` keys.
public struct CampaignDeliveryPolicy: Sendable {
    /// What to do with a recipient the caps hold back.
    public enum WhenCapped: String, Sendable, CaseIterable {
        /// Drop this occurrence for that person, recording the reason (the default).
        case skip
        /// Keep it planned for the first time the caps allow: late rather than lost.
        case `defer`
    }

    public var id: String
    /// Higher goes first when campaigns compete for the same person's cap.
    public var priority: Int
    public var schedule: Schedule?
    public var caps: CapOverrides
    /// Receipts and the like: exempt from caps (and not counted by them), never from suppressions.
    public var transactional: Bool
    public var whenCapped: WhenCapped

    public init(id: String, priority: Int = 0, schedule: Schedule? = nil, caps: CapOverrides = CapOverrides(),
                transactional: Bool = false, whenCapped: WhenCapped = .skip) {
        self.id = id
        self.priority = priority
        self.schedule = schedule
        self.caps = caps
        self.transactional = transactional
        self.whenCapped = whenCapped
    }

    /// Parses the campaign file's delivery keys (each may be absent).
    public init(id: String, priority: YAMLNode?, caps: YAMLNode?, schedule: YAMLNode?,
                transactional: YAMLNode?, whenCapped: YAMLNode?) throws {
        self.init(id: id)
        self.priority = try priority.map { try $0.int(in: -1000...1000) } ?? 0
        self.caps = try caps.map(CapOverrides.init(yaml:)) ?? CapOverrides()
        self.schedule = try schedule.map(Schedule.init(yaml:))
        self.transactional = try transactional.map { try $0.bool() } ?? false
        if let node = whenCapped {
            let text = try node.string()
            guard let value = WhenCapped(rawValue: text) else {
                throw node.error("unknown value '\(text)'", hint: "use skip or defer")
            }
            self.whenCapped = value
        }
    }

    /// The campaign keys this type reads, for the campaign file's allowed-key list.
    public static let campaignKeys = ["priority", "caps", "schedule", "transactional", "when_capped"]
}
