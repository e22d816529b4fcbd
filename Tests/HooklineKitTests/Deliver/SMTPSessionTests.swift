import Foundation
@testable import HooklineKit
import Testing

/// Many messages on one session: pipelined when the server offers PIPELINING, one command
/// at a time when it does not; refusals and a dropped connection in the middle of a session.
@Suite(.serialized) struct SMTPSessionTests {
    static let now: Int64 = 1_795_000_000
    /// Lines a dot-stuffing mistake would break: a lone dot would end the message early.
    static let trickyBody = ".Starts with a dot at the first body byte.\r\n.\r\n..two dots\r\nend.\r\n.\r\n"

    func ledger(_ emails: [String]) throws -> Ledger {
        try TestMessages.ledger(emails, now: Self.now)
    }

    static let trickySource = MessageRenderer { entry in
        TestMessages.message(to: entry.email, id: entry.messageId, body: trickyBody)
    }

    /// One connection, so the server sees the rows in ledger order on one session.
    func send(_ ledger: Ledger, _ server: SMTPTestServer, source: any MessageSource = trickySource) throws -> SendSummary {
        var settings = SMTPSettings(url: server.url)
        settings.connections = 1
        let sender = Sender(ledger: ledger, mailer: SMTPMailer(settings: settings, password: nil), source: source,
                            retry: RetryPolicy(attempts: 1, backoffSeconds: 0), clock: { Self.now })
        return try sender.send(try ledger.pending(now: Self.now))
    }

    func events(_ server: SMTPTestServer, _ name: String) -> [[String: Any]] {
        server.events().filter { $0["event"] as? String == name }
    }

    /// Every message as the server stored it must equal the bytes Hookline rendered.
    func expectExactBytes(_ server: SMTPTestServer, count: Int) {
        let received = server.received()
        #expect(received.count == count)
        for item in received {
            guard let rcpt = item.rcpt.first else { continue }
            let index = rcpt.dropFirst().prefix(while: \.isNumber)
            let expected = TestMessages.message(to: rcpt, id: "m\(index).winter@shop.example.com", body: Self.trickyBody).data
            #expect(Array(server.message(item).utf8) == expected, "\(rcpt) arrived changed")
        }
    }

    @Test func pipelinedSessionDeliversEveryMessageByteForByte() throws {
        let server = try SMTPTestServer()
        let emails = (0..<40).map { "r\($0)@example.org" }
        let ledger = try ledger(emails)
        let summary = try send(ledger, server)
        #expect(summary.sent == 40)
        expectExactBytes(server, count: 40)
        #expect(server.received().map { $0.rcpt } == emails.map { [$0] })
        #expect(events(server, "ehlo").count == 1)
        let rcpts = events(server, "rcpt")
        #expect(rcpts.count == 40 && rcpts.allSatisfy { $0["pipelined"] as? Bool == true })
        // Commands ride behind the previous content when the next message is rendered by
        // then: most of them on an idle machine, fewer when the whole suite shares the cores.
        #expect(server.received().contains { $0.next_pipelined == true })
        let sent = try ledger.entries(in: [.sent])
        #expect(sent.count == 40 && sent.allSatisfy { $0.smtpCode == 250 && $0.smtpReply?.hasPrefix("OK queued") == true })
    }

    @Test func serverWithoutPipeliningGetsOneCommandAtATime() throws {
        let server = try SMTPTestServer(["--no-pipelining"])
        let emails = (0..<12).map { "r\($0)@example.org" }
        let summary = try send(try ledger(emails), server)
        #expect(summary.sent == 12)
        expectExactBytes(server, count: 12)
        #expect(events(server, "ehlo").count == 1)
        let rcpts = events(server, "rcpt")
        #expect(rcpts.count == 12 && rcpts.allSatisfy { $0["pipelined"] as? Bool == false })
    }

    @Test(arguments: [false, true])
    func refusalsMidSessionAreClassifiedAndTheSessionCarriesOn(noPipelining: Bool) throws {
        let server = try SMTPTestServer(["--reject", "nobody", "--rcpt-tempfail", "busy", "--tempfail", "late"]
            + (noPipelining ? ["--no-pipelining"] : []))
        let emails = ["r0@example.org", "r1nobody@example.org", "r2@example.org", "r3busy@example.org",
                      "r4@example.org", "r5late@example.org", "r6@example.org"]
        let ledger = try ledger(emails)
        let summary = try send(ledger, server)
        #expect(summary.sent == 4 && summary.bounced == 1 && summary.deferred == 2)
        let rows = Dictionary(uniqueKeysWithValues: try ledger.entries(in: LedgerState.allCases).map { ($0.email, $0) })
        #expect(rows["r1nobody@example.org"]?.state == .bounced && rows["r1nobody@example.org"]?.smtpCode == 550)
        #expect(rows["r1nobody@example.org"]?.smtpReply?.contains("no such user") == true)
        #expect(rows["r3busy@example.org"]?.state == .deferred && rows["r3busy@example.org"]?.smtpCode == 450)
        #expect(rows["r5late@example.org"]?.state == .deferred && rows["r5late@example.org"]?.smtpCode == 451)
        #expect(try Suppressions(store: ledger.store).all() == ["r1nobody@example.org": .bounced])
        #expect(server.received().flatMap(\.rcpt) == ["r0@example.org", "r2@example.org", "r4@example.org",
                                                       "r6@example.org"])
        expectExactBytes(server, count: 4)
        // RSET after each refusal kept the one session usable.
        #expect(events(server, "ehlo").count == 1)
    }

    @Test func droppedConnectionMidMessageIsDeferredAndTheNextMessageReconnects() throws {
        let server = try SMTPTestServer(["--drop", "flaky", "--drop-times", "1"])
        let emails = ["r0@example.org", "r1flaky@example.org", "r2@example.org", "r3@example.org"]
        let ledger = try ledger(emails)
        let first = try send(ledger, server)
        #expect(first.sent == 3 && first.deferred == 1)
        let deferred = try ledger.entries(in: [.deferred])
        #expect(deferred.map(\.email) == ["r1flaky@example.org"])
        #expect(deferred.first?.smtpCode == nil || deferred.first?.smtpCode == 0)
        #expect(deferred.first?.smtpReply?.contains("connection lost before the final reply") == true)
        #expect(events(server, "ehlo").count == 2)
        #expect(server.received().flatMap(\.rcpt) == ["r0@example.org", "r2@example.org", "r3@example.org"])

        let second = try send(ledger, server)
        #expect(second.sent == 1)
        #expect(server.received().flatMap(\.rcpt).sorted() == emails)
        expectExactBytes(server, count: 4)
    }

    @Test func anAnnouncedMessageThatIsWithdrawnNeverArrives() throws {
        let server = try SMTPTestServer()
        let connection = try SMTPMailer(settings: SMTPSettings(url: server.url), password: nil).openConnection()
        func message(_ index: Int) -> OutgoingMessage {
            TestMessages.message(to: "r\(index)@example.org", id: "m\(index).winter@shop.example.com", body: Self.trickyBody)
        }
        // r1 is announced behind r0, then its row cannot be claimed (say, it was just suppressed).
        #expect(try connection.deliver(message(0), announcing: message(1)).state == .sent)
        connection.withdrawAnnounced()
        #expect(try connection.deliver(message(2), announcing: message(3)).state == .sent)
        // A caller that moves on to another message without withdrawing gets the same care.
        #expect(try connection.deliver(message(4)).state == .sent)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(server.received().flatMap(\.rcpt) == ["r0@example.org", "r2@example.org", "r4@example.org"])
        #expect(server.received().map { $0.next_pipelined } == [true, true, false])
        expectExactBytes(server, count: 3)
        #expect(events(server, "ehlo").count == 3)
    }

    @Test func aSessionClosedByTheServerWhileIdleIsReplacedWithoutLosingTheMessage() throws {
        let server = try SMTPTestServer(["--idle-close", "0.3"])
        let connection = try SMTPMailer(settings: SMTPSettings(url: server.url), password: nil).openConnection()
        let first = try connection.deliver(TestMessages.message(to: "r0@example.org", id: "m0.winter@shop.example.com",
                                                                body: Self.trickyBody))
        Thread.sleep(forTimeInterval: 0.8)
        let second = try connection.deliver(TestMessages.message(to: "r1@example.org", id: "m1.winter@shop.example.com",
                                                                 body: Self.trickyBody))
        #expect(first.state == .sent && second.state == .sent)
        expectExactBytes(server, count: 2)
        #expect(events(server, "ehlo").count == 2)
    }

    @Test func implicitTLSSessionPipelinesThroughTLS() throws {
        let probe = try SMTPTestServer()
        let (cert, key) = try probe.makeCertificate()
        let server = try SMTPTestServer(["--cert", cert, "--key", key, "--implicit-tls"])
        let ledger = try ledger((0..<10).map { "r\($0)@example.org" })
        var settings = SMTPSettings(url: "smtps://127.0.0.1:\(server.port)", security: .implicitTLS)
        settings.caFile = cert
        settings.connections = 1
        let summary = try Sender(ledger: ledger, mailer: SMTPMailer(settings: settings, password: nil),
                                 source: Self.trickySource, retry: RetryPolicy(attempts: 1, backoffSeconds: 0),
                                 clock: { Self.now }).send(try ledger.pending(now: Self.now))
        #expect(summary.sent == 10)
        expectExactBytes(server, count: 10)
        #expect(server.received().allSatisfy { $0.tls })
        #expect(events(server, "ehlo").count == 1)
        #expect(events(server, "rcpt").allSatisfy { $0["pipelined"] as? Bool == true })
    }

    @Test(arguments: [
        ("a\r\nb\r\n", "a\r\nb\r\n.\r\n"),
        (".a\r\n", "..a\r\n.\r\n"),
        ("a\r\n.\r\n", "a\r\n..\r\n.\r\n"),
        ("a\r\n..b\r\n", "a\r\n...b\r\n.\r\n"),
        ("no final line break", "no final line break\r\n.\r\n"),
        ("a\n.b\r\n", "a\n.b\r\n.\r\n"),
        ("a\r\n.", "a\r\n..\r\n.\r\n"),
    ])
    func contentIsDotStuffedAsLibcurlDidIt(content: String, wire: String) {
        var output: [UInt8] = []
        SMTPTransaction.appendContent(Array(content.utf8), to: &output)
        #expect(String(decoding: output, as: UTF8.self) == wire)
    }
}
