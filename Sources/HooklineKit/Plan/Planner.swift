/// A message the planner decided to send.
public struct PlannedSend: Sendable, Equatable {
    public var campaign: String
    public var occurrence: String
    public var customerId: String
    public var email: String
    /// When it may go out; later than the slot when quiet hours or `when_capped: defer` moved it.
    public var dueAt: Int64
    public var priority: Int
    public var transactional: Bool
    /// The cap that moved it to a later slot (`when_capped: defer`).
    public var deferredBecause: String?
    /// Without angle brackets; stays the same across retries.
    public var messageId: String

    public init(campaign: String, occurrence: String, customerId: String, email: String, dueAt: Int64,
                priority: Int = 0, transactional: Bool = false, deferredBecause: String? = nil, messageId: String) {
        self.campaign = campaign
        self.occurrence = occurrence
        self.customerId = customerId
        self.email = email
        self.dueAt = dueAt
        self.priority = priority
        self.transactional = transactional
        self.deferredBecause = deferredBecause
        self.messageId = messageId
    }
}

/// A recipient the planner left out, and why (`cap:per_week`, `suppressed:unsubscribed`, `already_sent`, …).
public struct SkippedSend: Sendable, Equatable {
    public var campaign: String
    public var customerId: String
    public var email: String?
    public var reason: String
}

public struct DeliveryPlan: Sendable {
    public var planned: [PlannedSend] = []
    public var skipped: [SkippedSend] = []
}

/// Decides who gets what now: schedules, the ledger, suppressions and caps.
///
/// Campaigns are planned one after another — transactional first, then by
/// `priority` — and each planned send is added to the history the caps count,
/// so two campaigns due the same morning never both reach a person the caps protect.
public struct Planner: Sendable {
    public enum Mode: Sendable {
        /// `hookline run`: only what the schedules make due at `now`.
        case due
        /// `hookline send`: every candidate now, keyed by the schedule's current occurrence.
        case now
    }

    public var caps: CapPolicy
    public var context: ScheduleContext
    /// The domain part of generated Message-IDs (the sender's domain).
    public var messageIdDomain: String
    /// How far `when_capped: defer` may push a send.
    public var deferHorizon: Int64 = 45 * 86_400

    public init(caps: CapPolicy = .defaults, context: ScheduleContext = ScheduleContext(), messageIdDomain: String) {
        self.caps = caps
        self.context = context
        self.messageIdDomain = messageIdDomain
    }

    /// Plans `campaigns` (each with its audience's members, in order) at `now`.
    public func plan(_ campaigns: [(policy: CampaignDeliveryPolicy, candidates: [CustomerFeatures])],
                     history: SendHistory, suppressions: [String: SuppressionReason], now: Int64,
                     mode: Mode) -> DeliveryPlan {
        var history = history
        var result = DeliveryPlan()
        var plannedKeys = Set<SendKey>()
        let ordered = campaigns.sorted {
            ($0.policy.transactional ? 1 : 0, $0.policy.priority) > ($1.policy.transactional ? 1 : 0, $1.policy.priority)
        }
        // Each campaign's caps, so a send never pushes a stricter campaign's later send over its cap.
        var policies: [String: (CapPolicy, Int?)] = [:]
        for (policy, _) in campaigns where !policy.transactional {
            policies[policy.id] = (caps.applying(policy.caps), policy.caps.oncePerCustomerWithinDays)
        }
        for (policy, candidates) in ordered {
            let capPolicy = caps.applying(policy.caps)
            for customer in candidates {
                let id = customer.customer.id
                func skip(_ reason: String) {
                    result.skipped.append(SkippedSend(campaign: policy.id, customerId: id,
                                                      email: customer.customer.email, reason: reason))
                }
                guard let email = customer.customer.email else { skip("no_email"); continue }
                if let reason = customer.suppression ?? suppressions[email.lowercased()] {
                    skip("suppressed:\(reason.rawValue)")
                    continue
                }
                guard EmailAddress.isValid(email) else { skip("invalid_email"); continue }
                let occurrence: Occurrence
                switch mode {
                case .due:
                    guard let schedule = policy.schedule,
                          let due = schedule.due(for: customer, now: now, context: context) else { continue }
                    occurrence = due
                case .now:
                    guard let manual = policy.schedule.map({ $0.manualOccurrence(for: customer, now: now, context: context) })
                            ?? Occurrence(key: "manual", dueAt: now) else { skip("no_order"); continue }
                    occurrence = manual
                }
                let key = SendKey(campaign: policy.id, occurrence: occurrence.key, customerId: id)
                if let state = history.states[key] {
                    skip(Self.reason(existing: state))
                    continue
                }
                guard plannedKeys.insert(key).inserted else { skip("already_planned"); continue }
                // Nothing goes out before `now`, so the caps are checked at the real send time.
                var send = PlannedSend(campaign: policy.id, occurrence: occurrence.key, customerId: id, email: email,
                                       dueAt: max(occurrence.dueAt, now), priority: policy.priority,
                                       transactional: policy.transactional, deferredBecause: nil,
                                       messageId: messageId(for: key, now: now))
                if !policy.transactional {
                    let once = policy.caps.oncePerCustomerWithinDays
                    let check = { (time: Int64) -> String? in
                        history.violation(customerId: id, campaign: policy.id, at: time, policy: capPolicy,
                                          oncePerCustomerWithinDays: once)
                            ?? history.violationOfLaterSends(customerId: id, campaign: policy.id, at: time,
                                                             policies: policies)
                    }
                    if let reason = check(send.dueAt) {
                        guard policy.whenCapped == .defer,
                              let later = history.earliestAllowed(
                                customerId: id, at: send.dueAt, horizon: deferHorizon, policy: capPolicy,
                                oncePerCustomerWithinDays: once,
                                adjust: { policy.schedule?.adjustForQuietHours($0, customer: customer, context: context) ?? $0 },
                                check: check)
                        else {
                            plannedKeys.remove(key)
                            skip(reason)
                            continue
                        }
                        send.dueAt = later
                        send.deferredBecause = reason
                    }
                    history.add(customerId: id, campaign: policy.id, at: send.dueAt)
                }
                result.planned.append(send)
            }
        }
        return result
    }

    static func reason(existing state: LedgerState) -> String {
        switch state {
        case .sent: return "already_sent"
        case .sending, .inDoubt: return "in_doubt"
        case .planned, .deferred: return "already_planned"
        case .bounced: return "already_bounced"
        case .failed: return "already_failed"
        case .cancelled: return "already_cancelled"
        }
    }

    /// A Message-ID unique per ledger key; letters, digits and dots only, so it is safe as a file name.
    func messageId(for key: SendKey, now: Int64) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(key.campaign)\u{0}\(key.occurrence)\u{0}\(key.customerId)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3
        }
        return "hl.\(String(hash, radix: 36)).\(String(UInt64(max(0, now)), radix: 36))@\(messageIdDomain)"
    }
}
