import Foundation
import HooklineKit
import Testing

/// The send loop's ledger discipline, observed from inside the transfers.
@Suite struct SenderPipelineTests {
    static let now: Int64 = 1_795_000_000

    func ledger(_ count: Int) throws -> Ledger {
        try TestMessages.ledger((0..<count).map { "r\($0)@example.org" }, now: Self.now)
    }

    func sender(_ ledger: Ledger, _ mailer: any Mailer, source: any MessageSource = TestMessages.source) -> Sender {
        Sender(ledger: ledger, mailer: mailer, source: source, retry: RetryPolicy(attempts: 1, backoffSeconds: 0),
               clock: { Self.now })
    }

    @Test func everyTransferStartsWithItsRowSendingAndTheConnectionsEarlierRepliesRecorded() throws {
        let ledger = try ledger(150)
        let mailer = InspectingMailer(ledger: ledger, connections: 3)
        let summary = try sender(ledger, mailer).send(try ledger.pending(now: Self.now))
        #expect(summary.sent == 150)
        #expect(mailer.checks.value == 150)
        #expect(mailer.violations.value.isEmpty, "\(mailer.violations.value.prefix(5))")
        #expect(try ledger.counts() == [.sent: 150])
    }

    @Test func aClaimRecordsThePreviousReplyInTheSameCommit() throws {
        let ledger = try ledger(3)
        let rows = try ledger.pending(now: Self.now)
        #expect(try ledger.claim(rows[0].id, now: Self.now) == .claimed(attempt: 1))
        let reply = Ledger.Finish(id: rows[0].id, state: .sent, code: 250, reply: "OK")
        #expect(try ledger.claim(rows[1].id, now: Self.now, recording: reply) == .claimed(attempt: 1))
        let states = Dictionary(uniqueKeysWithValues: try ledger.entries(in: LedgerState.allCases).map { ($0.id, $0) })
        #expect(states[rows[0].id]?.state == .sent && states[rows[0].id]?.smtpCode == 250)
        #expect(states[rows[1].id]?.state == .sending)
        // A crash now leaves only the row in transfer in doubt.
        #expect(try ledger.recoverInterrupted(now: Self.now) == 1)
        #expect(try ledger.entries(in: [.inDoubt]).map(\.id) == [rows[1].id])
        // The reply is applied before the claim: a row finished in the same commit is not claimed again.
        let bounce = Ledger.Finish(id: rows[2].id, state: .bounced, code: 550, reply: "no such user")
        _ = try ledger.claim(rows[2].id, now: Self.now)
        #expect(try ledger.claim(rows[2].id, now: Self.now, recording: bounce) == .notPending)
        #expect(try ledger.entries(in: [.bounced]).map(\.id) == [rows[2].id])
        #expect(try Suppressions(store: ledger.store).all()["r2@example.org"] == .bounced)
    }

    @Test func aConnectionFailureMidRunStopsEveryThreadAndLeavesTheRestPending() throws {
        let ledger = try ledger(600)
        let summary = try sender(ledger, FailingMailer(after: 50)).send(try ledger.pending(now: Self.now))
        #expect(summary.stoppedBecause?.contains("relay went away") == true)
        let counts = try ledger.counts()
        #expect(counts[.sending] == nil && counts[.inDoubt] == nil)
        let sent = counts[.sent] ?? 0, waiting = (counts[.planned] ?? 0) + (counts[.deferred] ?? 0)
        #expect(sent == summary.sent && sent >= 50 && sent < 600)
        #expect(sent + waiting == 600)
        #expect(try ledger.pending(now: Self.now).count == 600 - summary.sent)
    }

    @Test func aMessageThatCannotBeBuiltFailsAloneAndTheRestGoOut() throws {
        let ledger = try ledger(20)
        let source = MessageRenderer { entry in
            if entry.customerId == "c7" { throw OperationError("the template lost its subject") }
            return TestMessages.message(to: entry.email, id: entry.messageId)
        }
        let summary = try sender(ledger, InspectingMailer(ledger: ledger, connections: 2), source: source)
            .send(try ledger.pending(now: Self.now))
        #expect(summary.sent == 19 && summary.failed == 1)
        let failed = try ledger.entries(in: [.failed])
        #expect(failed.map(\.customerId) == ["c7"])
        #expect(failed.first?.note?.contains("lost its subject") == true)
    }
}

/// A value shared by the connections' threads.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) {
        stored = value
    }

    var value: Value { lock.withLock { stored } }

    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}

/// Accepts every message, but first checks the ledger as a crash would find it: the
/// message's own row is `sending`, no more rows than connections are `sending`, and the
/// replies to this connection's earlier messages are already committed.
final class InspectingMailer: Mailer, @unchecked Sendable {
    let ledger: Ledger
    let connections: Int
    let checks = Locked(0)
    let violations = Locked<[String]>([])

    init(ledger: Ledger, connections: Int) {
        self.ledger = ledger
        self.connections = connections
    }

    func openConnection() throws -> any MailConnection { Connection(mailer: self) }

    final class Connection: MailConnection {
        let mailer: InspectingMailer
        var delivered: [String] = []

        init(mailer: InspectingMailer) {
            self.mailer = mailer
        }

        func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome {
            let rows = try mailer.ledger.entries(in: LedgerState.allCases)
            let state = Dictionary(uniqueKeysWithValues: rows.map { ($0.messageId, $0.state) })
            var problems: [String] = []
            if state[message.messageId] != .sending { problems.append("\(message.messageId) is not sending") }
            let sending = rows.filter { $0.state == .sending }.count
            if sending > mailer.connections { problems.append("\(sending) rows sending") }
            for earlier in delivered where state[earlier] != .sent {
                problems.append("\(earlier)'s reply was not recorded before \(message.messageId)")
            }
            delivered.append(message.messageId)
            mailer.checks.update { $0 += 1 }
            if !problems.isEmpty { mailer.violations.update { $0 += problems } }
            return .sent(SMTPReply(code: 250, text: "OK"))
        }
    }
}

/// Two connections; the relay becomes unusable after `after` messages.
struct FailingMailer: Mailer {
    let after: Int
    let count = Locked(0)
    var connections: Int { 2 }

    func openConnection() throws -> any MailConnection { Connection(mailer: self) }

    final class Connection: MailConnection {
        let mailer: FailingMailer

        init(mailer: FailingMailer) {
            self.mailer = mailer
        }

        func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome {
            var number = 0
            mailer.count.update { $0 += 1; number = $0 }
            if number > mailer.after { throw MailerUnavailable("the relay went away", hint: "try later") }
            return .sent(SMTPReply(code: 250, text: "OK"))
        }
    }
}
