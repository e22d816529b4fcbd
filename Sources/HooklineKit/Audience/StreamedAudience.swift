import Foundation
import GRDB

/// A campaign's audience decided in one pass over the store that keeps a few bytes per
/// customer, whose members are then read again one at a time (``forEachMember(limit:in:_:)``).
///
/// The same members, in the same order, and the same skipped customers as
/// ``AudienceSpec/evaluate(_:rules:)``, which holds every customer's features at once
/// (about 1.7 KB each): here memory stays flat in the number of customers. Both passes must
/// run inside one read of the store, so that they see the same customers.
struct StreamedAudience {
    /// How many members there are.
    private(set) var count = 0
    /// Customers who match but cannot be mailed, in customer order.
    private(set) var skipped: [AudienceResult.Skipped] = []
    /// Every attribute name that some customer has (templates may print only these).
    private(set) var attributes: Set<String> = []
    /// Bit `i` is set when the `i`-th customer of ``Snapshot/forEach(in:now:thresholds:_:)`` is a member.
    private var members: [UInt64] = []
    private let now: Date
    private let thresholds: WorkspaceConfig.SegmentThresholds

    /// A customer whose membership waits for every buyer's RFM numbers.
    private struct Candidate {
        var ordinal: Int
        var facts: SegmentFacts
        var skip: AudienceResult.Skipped?
    }

    init(_ spec: AudienceSpec, in db: Database, now: Date, rules: SegmentRules) throws {
        self.now = now
        thresholds = rules.thresholds
        // RFM scores rank each buyer among all of them, so only then can those segments be
        // decided; every other segment follows from the customer alone.
        let usesRFM = spec.usesRFM
        var quintiles = RFMQuintiles()
        var candidates: [Candidate] = []
        var ordinal = 0
        try Snapshot.forEach(in: db, now: now, thresholds: thresholds) { customer in
            defer { ordinal += 1 }
            for key in customer.customer.attributes.keys where !attributes.contains(key) { attributes.insert(key) }
            let facts = SegmentFacts(customer)
            if usesRFM { quintiles.add(facts) }
            guard spec.matchesConditions(customer) else { return }
            let skip = Self.skip(customer)
            if usesRFM {
                candidates.append(Candidate(ordinal: ordinal, facts: facts, skip: skip))
            } else {
                place(ordinal, rules.membership(facts, rfm: nil), skip, spec)
            }
        }
        quintiles.seal()
        for candidate in candidates {
            place(candidate.ordinal, rules.membership(candidate.facts, rfm: quintiles.score(candidate.facts)), candidate.skip, spec)
        }
    }

    /// Why a matching customer cannot be mailed; nil when they can.
    private static func skip(_ c: CustomerFeatures) -> AudienceResult.Skipped? {
        guard let email = c.customer.email else { return .init(customerId: c.customer.id, email: nil, reason: "no_email") }
        guard let reason = c.suppression else { return nil }
        return .init(customerId: c.customer.id, email: email, reason: "suppressed:\(reason.rawValue)")
    }

    private mutating func place(_ ordinal: Int, _ membership: Membership, _ skip: AudienceResult.Skipped?, _ spec: AudienceSpec) {
        guard spec.matchesSegments(membership) else { return }
        if let skip {
            skipped.append(skip)
            return
        }
        let word = ordinal / 64
        if members.count <= word { members += [UInt64](repeating: 0, count: word + 1 - members.count) }
        members[word] |= 1 << UInt64(ordinal % 64)
        count += 1
    }

    private func isMember(_ ordinal: Int) -> Bool {
        let word = ordinal / 64
        return word < members.count && members[word] & (1 << UInt64(ordinal % 64)) != 0
    }

    /// Reads the store again and calls `body` with each member as stored, in order, the
    /// first `limit` only when given; nothing is kept between calls. Computing the features
    /// (``StoredCustomer/features()``) is left to the caller, who may spread it over threads.
    /// Without `history` the members come with empty order and engagement histories.
    func forEachMember(limit: Int?, in db: Database, history: Bool = true, _ body: (StoredCustomer) throws -> Void) throws {
        let wanted = min(count, limit ?? count)
        guard wanted > 0 else { return }
        var ordinal = 0, given = 0
        do {
            try Snapshot.forEachStored(in: db, now: now, thresholds: thresholds, history: history) { customer in
                defer { ordinal += 1 }
                guard isMember(ordinal) else { return }
                try body(customer)
                given += 1
                if given == wanted { throw Done() }
            }
        } catch is Done {}
    }

    /// Ends the second pass once every wanted member is read.
    private struct Done: Error {}
}
