import Foundation
import HooklineKit
import Testing

@Suite struct LedgerTests {
    let now: Int64 = 1_795_000_000

    func ledger(_ count: Int) throws -> Ledger {
        let ledger = Ledger(store: try Store())
        try ledger.record((0..<count).map {
            PlannedSend(campaign: "reorder", occurrence: "order:o\($0)", customerId: "c\($0)",
                        email: "c\($0)@example.org", dueAt: now, messageId: "m\($0)@shop.example.com")
        }, now: now)
        return ledger
    }

    @Test func aRowLeftSendingBecomesInDoubtAndIsNeverResent() throws {
        let ledger = try ledger(3)
        let rows = try ledger.pending(now: now)
        // The process "dies" after committing row 0 as sending and finishing row 1.
        #expect(try ledger.claim(rows[0].id, now: now) == .claimed(attempt: 1))
        #expect(try ledger.claim(rows[1].id, now: now) == .claimed(attempt: 1))
        try ledger.finish(rows[1].id, state: .sent, code: 250, reply: "OK", now: now)
        #expect(try ledger.recoverInterrupted(now: now + 60) == 1)
        let pending = try ledger.pending(now: now + 60)
        #expect(pending.map(\.customerId) == ["c2"])
        #expect(try ledger.entries(in: [.inDoubt]).map(\.customerId) == ["c0"])
        #expect(try ledger.claim(rows[0].id, now: now + 60) == .notPending)
    }

    /// Eight connections claim and record at once: claims share commits, but each caller
    /// gets its own result, every row is claimed exactly once, and every reply is recorded.
    @Test func concurrentClaimsShareCommitsButNotResults() throws {
        let ledger = try ledger(400)
        let rows = try ledger.pending(now: now)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { connection in
            var previous: Ledger.Finish?
            for row in rows where Int(row.id) % 8 == connection {
                do {
                    let claim = try ledger.claim(row.id, now: now, recording: previous)
                    if claim != .claimed(attempt: 1) { failures.add("row \(row.id): \(claim)") }
                    // A second claim of the same row must see it taken.
                    if try ledger.claim(row.id, now: now) != .notPending { failures.add("row \(row.id) claimed twice") }
                    previous = Ledger.Finish(id: row.id, state: .sent, code: 250, reply: "OK")
                } catch {
                    failures.add("\(error)")
                }
            }
            if let previous { do { try ledger.finish(previous, now: now) } catch { failures.add("\(error)") } }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
        #expect(try ledger.counts() == [.sent: 400])
    }

    /// One connection claims the next row while the reply to the current one is on its way:
    /// nothing of that claim is visible before the reply, and then the claim and the reply
    /// arrive together. A slow reply (the claim given up) or nothing to record undoes it.
    @Test func aClaimMadeWhileWaitingCommitsWithTheReply() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hl-ledger-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hookline.sqlite").path
        let ledger = Ledger(store: try Store(path: path))
        try ledger.record((0..<3).map {
            PlannedSend(campaign: "reorder", occurrence: "order:o\($0)", customerId: "c\($0)",
                        email: "c\($0)@example.org", dueAt: now, messageId: "m\($0)@shop.example.com")
        }, now: now)
        let rows = try ledger.pending(now: now)
        let observer = Ledger(store: try Store(path: path))
        func states() throws -> [LedgerState] {
            try observer.entries(in: LedgerState.allCases).sorted { $0.id < $1.id }.map(\.state)
        }
        #expect(try ledger.claim(rows[0].id, now: now) == .claimed(attempt: 1))

        let overlapped = try ledger.claimWhileWaiting(rows[1].id, clock: { [now] in now }) { claimNext in
            #expect(claimNext() != nil)
            #expect((try? states()) == [.sending, .planned, .planned], "visible before the reply")
            return "250 2.0.0 Ok"
        } recording: { reply in
            Ledger.Finish(id: rows[0].id, state: .sent, code: 250, reply: reply)
        }
        #expect(overlapped.result == "250 2.0.0 Ok")
        #expect(overlapped.next == .claimed(attempt: 1))
        #expect(try states() == [.sent, .sending, .planned])

        let givenUp = try ledger.claimWhileWaiting(rows[2].id, clock: { [now] in now }) { claimNext in
            claimNext()?()
        } recording: { _ in
            Ledger.Finish(id: rows[1].id, state: .sent, code: 250, reply: "OK")
        }
        #expect(givenUp.next == nil)
        let nothingToRecord = try ledger.claimWhileWaiting(rows[2].id, clock: { [now] in now }) { claimNext in
            _ = claimNext()
        } recording: { _ in nil }
        #expect(nothingToRecord.next == nil)
        #expect(try states() == [.sent, .sending, .planned])
        #expect(try ledger.claim(rows[2].id, now: now, recording: Ledger.Finish(id: rows[1].id, state: .sent))
                == .claimed(attempt: 1))
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func resolvingInDoubtAsRetryOrSent() throws {
        let ledger = try ledger(2)
        for row in try ledger.pending(now: now) { _ = try ledger.claim(row.id, now: now) }
        try ledger.recoverInterrupted(now: now)
        let doubtful = try ledger.entries(in: [.inDoubt])
        #expect(try ledger.resolve(ids: [doubtful[0].id], as: .retry, now: now) == 1)
        #expect(try ledger.resolve(ids: [doubtful[1].id], as: .sent, now: now) == 1)
        #expect(try ledger.pending(now: now).map(\.id) == [doubtful[0].id])
        #expect(try ledger.counts()[.sent] == 1)
    }

    @Test func recordingTheSameOccurrenceTwiceKeepsOneRow() throws {
        let ledger = try ledger(2)
        let again = PlannedSend(campaign: "reorder", occurrence: "order:o0", customerId: "c0",
                                email: "c0@example.org", dueAt: now, messageId: "other@shop.example.com")
        #expect(try ledger.record([again], now: now) == 0)
        #expect(try ledger.counts()[.planned] == 2)
    }

    @Test func aSuppressionAddedAfterPlanningCancelsTheSend() throws {
        let ledger = try ledger(1)
        try Suppressions(store: ledger.store).add("C0@example.org", now: now)
        let row = try #require(try ledger.pending(now: now).first)
        #expect(try ledger.claim(row.id, now: now) == .suppressed(.manual))
        #expect(try ledger.counts()[.cancelled] == 1)
    }

    @Test func dailyQuotaLeavesTheRestPlannedForTheNextRun() throws {
        let ledger = try ledger(5)
        let sender = Sender(ledger: ledger, mailer: CountingMailer(), source: MessageRenderer { entry in
            OutgoingMessage(envelopeFrom: "shop@example.com", recipient: entry.email,
                            data: Array("Subject: x\r\n\r\nhi\r\n".utf8), messageId: entry.messageId)
        }, dailyQuota: 3, clock: { [now] in now })
        let summary = try sender.send(try ledger.pending(now: now))
        #expect(summary.sent == 3 && summary.leftForLater == 2)
        #expect(try ledger.pending(now: now).count == 2)
        let next = try sender.send(try ledger.pending(now: now))
        #expect(next.sent == 0 && next.leftForLater == 2)
    }

    @Test func outboxWritesOneFilePerMessageAtomically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let ledger = try ledger(4)
        let sender = Sender(ledger: ledger, mailer: OutboxMailer(directory: folder), source: TestMessages.source,
                            clock: { [now] in now })
        #expect(try sender.send(try ledger.pending(now: now)).sent == 4)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == (0..<4).map { "m\($0)@shop.example.com.eml" })
        let text = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(text.contains("Message-ID: <m0@shop.example.com>\r\n"))
    }
}

/// Accepts everything without a network: for quota and ledger logic only.
struct CountingMailer: Mailer {
    var connections: Int { 2 }
    func openConnection() throws -> any MailConnection { Connection() }

    final class Connection: MailConnection {
        func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome { .sent(SMTPReply(code: 250, text: "OK")) }
    }
}

@Suite struct LedgerConditionTests {
    @Test func receivedAndNotOpenedReadTheLedger() throws {
        let now: Int64 = 1_795_000_000
        let ledger = Ledger(store: try Store())
        try ledger.record(["a", "b", "c"].map {
            PlannedSend(campaign: "spring", occurrence: "2026-04-01", customerId: $0, email: "\($0)@example.org",
                        dueAt: now - 5 * 86_400, messageId: "\($0)@shop.example.com")
        }, now: now - 5 * 86_400)
        for row in try ledger.pending(now: now) where row.customerId != "c" {
            _ = try ledger.claim(row.id, now: now - 5 * 86_400)
            try ledger.finish(row.id, state: .sent, code: 250, reply: "OK", now: now - 5 * 86_400)
        }
        let facts = try ledger.facts()
        var opener = PlanFixtures.customer("a", now: now)
        opener.events = [EngagementEvent(type: .open, at: now - 86_400, campaign: "spring")]
        let silent = PlanFixtures.customer("b", now: now)
        let never = PlanFixtures.customer("c", now: now)
        let received = try LedgerCondition(key: "received", value: PlanFixtures.yaml("{campaign: spring, within_days: 7}"))
        let recent = try LedgerCondition(key: "received", value: PlanFixtures.yaml("{campaign: spring, within_days: 3}"))
        let notOpened = try LedgerCondition(key: "not_opened", value: PlanFixtures.yaml("spring"))
        #expect([opener, silent, never].map { received.matches($0, facts: facts) } == [true, true, false])
        #expect([opener, silent, never].map { recent.matches($0, facts: facts) } == [false, false, false])
        #expect([opener, silent, never].map { notOpened.matches($0, facts: facts) } == [false, true, false])
    }
}
