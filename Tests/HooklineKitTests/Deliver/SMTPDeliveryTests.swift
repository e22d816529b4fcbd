import Foundation
import HooklineKit
import Testing

/// Delivery through libcurl into a real SMTP server (aiosmtpd) on 127.0.0.1.
@Suite(.serialized) struct SMTPDeliveryTests {
    static let now: Int64 = 1_795_000_000

    /// A ledger with one planned row per address, all due.
    func ledger(_ emails: [String]) throws -> Ledger {
        try TestMessages.ledger(emails, now: Self.now)
    }

    func send(_ ledger: Ledger, settings: SMTPSettings, password: String? = nil,
              retry: RetryPolicy = RetryPolicy(attempts: 1, backoffSeconds: 0)) throws -> SendSummary {
        let sender = Sender(ledger: ledger, mailer: SMTPMailer(settings: settings, password: password),
                            source: TestMessages.source, retry: retry, clock: { Self.now })
        return try sender.send(try ledger.pending(now: Self.now))
    }

    func states(_ ledger: Ledger) throws -> [String: LedgerState] {
        var result: [String: LedgerState] = [:]
        for entry in try ledger.entries(in: LedgerState.allCases) { result[entry.email] = entry.state }
        return result
    }

    @Test func everyMessageArrivesExactlyOnceOverReusedConnections() throws {
        let server = try SMTPTestServer()
        let emails = (0..<60).map { "customer\($0)@example.org" }
        let ledger = try ledger(emails)
        var settings = SMTPSettings(url: server.url)
        settings.connections = 4
        let summary = try send(ledger, settings: settings)
        #expect(summary.sent == 60)
        let received = server.received()
        #expect(received.count == 60)
        #expect(Set(received.flatMap(\.rcpt)) == Set(emails))
        #expect(received.allSatisfy { $0.from == TestMessages.sender && $0.rcpt.count == 1 })
        // One session per connection, not one per message.
        #expect(server.events().filter { $0["event"] as? String == "ehlo" }.count <= 4)
        #expect(try states(ledger).values.allSatisfy { $0 == .sent })
        let body = server.message(received[0])
        #expect(body.contains("\r\n.A line starting with a dot.\r\n"))
        #expect(try ledger.pending(now: Self.now).isEmpty)
    }

    @Test func starttlsWithPrivateCAAndAuth() throws {
        let probe = try SMTPTestServer()
        let (cert, key) = try probe.makeCertificate()
        let server = try SMTPTestServer(["--cert", cert, "--key", key, "--password", "s3cret"])
        for mechanism in ["PLAIN", "LOGIN"] {
            let ledger = try ledger(["a-\(mechanism)@example.org", "b-\(mechanism)@example.org"])
            var settings = SMTPSettings(url: server.url, security: .starttls)
            settings.caFile = cert
            settings.username = "shop"
            settings.authMechanism = mechanism
            let summary = try send(ledger, settings: settings, password: "s3cret")
            #expect(summary.sent == 2, "AUTH \(mechanism)")
        }
        #expect(server.received().count == 4)
        #expect(server.received().allSatisfy { $0.tls })
        let auths = server.events().filter { $0["event"] as? String == "auth" }
        #expect(Set(auths.compactMap { $0["mechanism"] as? String }) == ["PLAIN", "LOGIN"])
    }

    @Test func wrongPasswordStopsTheRunWithoutBouncingAnyone() throws {
        let probe = try SMTPTestServer()
        let (cert, key) = try probe.makeCertificate()
        let server = try SMTPTestServer(["--cert", cert, "--key", key, "--password", "s3cret"])
        let ledger = try ledger(["a@example.org", "b@example.org", "c@example.org"])
        var settings = SMTPSettings(url: server.url, security: .starttls)
        settings.caFile = cert
        settings.username = "shop"
        let summary = try send(ledger, settings: settings, password: "wrong")
        #expect(summary.sent == 0)
        #expect(summary.stoppedBecause?.contains("refused the login") == true)
        #expect(summary.stoppedBecause?.contains("wrong") == false)
        #expect(server.received().isEmpty)
        #expect(try states(ledger).values.allSatisfy { $0 == .planned || $0 == .deferred })
        #expect(try Suppressions(store: ledger.store).all().isEmpty)
    }

    @Test func starttlsWithoutTheCAIsRefused() throws {
        let probe = try SMTPTestServer()
        let (cert, key) = try probe.makeCertificate()
        let server = try SMTPTestServer(["--cert", cert, "--key", key])
        let ledger = try ledger(["a@example.org"])
        let summary = try send(ledger, settings: SMTPSettings(url: server.url, security: .starttls))
        #expect(summary.sent == 0)
        #expect(summary.stoppedBecause?.contains("TLS") == true)
        #expect(server.received().isEmpty)
    }

    @Test func plainTextServerIsRefusedWhenStarttlsIsRequired() throws {
        let server = try SMTPTestServer()
        let ledger = try ledger(["a@example.org"])
        let summary = try send(ledger, settings: SMTPSettings(url: server.url, security: .starttls))
        #expect(summary.stoppedBecause?.contains("STARTTLS") == true)
        #expect(server.received().isEmpty)
    }

    @Test func temporaryFailureIsRetriedWithBackoff() throws {
        let server = try SMTPTestServer(["--tempfail", "busy", "--tempfail-times", "1"])
        let ledger = try ledger(["busy1@example.org", "ok@example.org", "busy2@example.org"])
        let summary = try send(ledger, settings: SMTPSettings(url: server.url),
                               retry: RetryPolicy(attempts: 3, backoffSeconds: 0.05))
        #expect(summary.sent == 3)
        #expect(server.received().count == 3)
        let entries = try ledger.entries(in: [.sent])
        #expect(entries.first { $0.email == "busy1@example.org" }?.attempts == 2)
        #expect(entries.first { $0.email == "ok@example.org" }?.attempts == 1)
    }

    @Test func persistentTemporaryFailureIsLeftDeferredForTheNextRun() throws {
        let server = try SMTPTestServer(["--tempfail", "busy", "--tempfail-times", "2"])
        let ledger = try ledger(["busy@example.org"])
        let first = try send(ledger, settings: SMTPSettings(url: server.url),
                             retry: RetryPolicy(attempts: 2, backoffSeconds: 0.01))
        #expect(first.deferred == 1)
        let row = try ledger.entries(in: [.deferred]).first
        #expect(row?.smtpCode == 451)
        #expect(server.received().isEmpty)
        let second = try send(ledger, settings: SMTPSettings(url: server.url))
        #expect(second.sent == 1)
        #expect(server.received().count == 1)
    }

    @Test func permanentFailureBouncesAndSuppresses() throws {
        let server = try SMTPTestServer(["--reject", "nobody"])
        let ledger = try ledger(["nobody@example.org", "someone@example.org"])
        let summary = try send(ledger, settings: SMTPSettings(url: server.url))
        #expect(summary.bounced == 1 && summary.sent == 1)
        let bounced = try ledger.entries(in: [.bounced])
        #expect(bounced.map(\.email) == ["nobody@example.org"])
        #expect(bounced.first?.smtpCode == 550)
        #expect(try Suppressions(store: ledger.store).all()["nobody@example.org"] == .bounced)
        #expect(server.received().flatMap(\.rcpt) == ["someone@example.org"])
    }

    @Test func refusedSenderStopsTheRunWithoutBouncingAnyone() throws {
        // A 5xx to MAIL FROM is about the shop's address, not the recipient's: nobody is
        // bounced or suppressed, and the run stops instead of failing every message alike.
        let server = try SMTPTestServer(["--reject-sender"])
        let ledger = try ledger(["a@example.org", "b@example.org", "c@example.org"])
        let summary = try send(ledger, settings: SMTPSettings(url: server.url))
        #expect(summary.sent == 0 && summary.bounced == 0)
        #expect(summary.stoppedBecause?.contains("550") == true)
        #expect(summary.stoppedBecause?.contains("sender") == true)
        #expect(try states(ledger).values.allSatisfy { $0 == .planned || $0 == .deferred })
        #expect(try Suppressions(store: ledger.store).all().isEmpty)
        #expect(server.received().isEmpty)
    }

    @Test func droppedConnectionIsDeferredThenDeliveredOnce() throws {
        let server = try SMTPTestServer(["--drop", "flaky", "--drop-times", "1"])
        let ledger = try ledger(["flaky@example.org", "steady@example.org"])
        let first = try send(ledger, settings: SMTPSettings(url: server.url))
        #expect(first.deferred == 1)
        #expect(try ledger.entries(in: [.deferred]).map(\.email) == ["flaky@example.org"])
        let second = try send(ledger, settings: SMTPSettings(url: server.url))
        #expect(second.sent == 1)
        let recipients = server.received().flatMap(\.rcpt).sorted()
        #expect(recipients == ["flaky@example.org", "steady@example.org"])
    }

    /// One connection claims the next row while a reply is on its way, which holds the
    /// store's write lock. A slow reply makes it let go: another process (a `hookline
    /// suppress` in a second terminal) writes at once instead of waiting for the relay.
    @Test func aSlowReplyDoesNotKeepTheStoreLocked() throws {
        let server = try SMTPTestServer(["--slow", "slow", "--slow-seconds", "2"])
        let path = server.directory.appendingPathComponent("ledger.sqlite").path
        let emails = ["a@example.org", "slow@example.org", "b@example.org", "c@example.org"]
        let ledger = try TestMessages.ledger(emails, now: Self.now, path: path)
        let summary = Locked<SendSummary?>(nil)
        var oneConnection = SMTPSettings(url: server.url)
        oneConnection.connections = 1
        let settings = oneConnection
        let sending = Thread { summary.update { $0 = try? self.send(ledger, settings: settings) } }
        sending.start()
        // The slow recipient's envelope arrives behind a's content; its own content follows
        // a's reply, and then the send waits two seconds for the reply to it.
        let deadline = Date().addingTimeInterval(30)
        while !server.events().contains(where: { $0["address"] as? String == "slow@example.org" }), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        #expect(try Suppressions(store: try Store(path: path)).add("someone@example.org", now: Self.now))
        let waited = Date().timeIntervalSince(started)
        #expect(waited < 0.5, "the suppression waited \(waited) s for the store")
        while summary.value == nil, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(summary.value?.sent == 4)
        #expect(server.received().flatMap(\.rcpt).sorted() == emails.sorted())
        #expect(try states(ledger).values.allSatisfy { $0 == .sent })
    }

    @Test(arguments: [
        "victim@example.org>\r\nRCPT TO:<evil@attacker.example",
        "victim@example.org\nRCPT TO:<evil@attacker.example>",
        "victim@example.org\r\nDATA",
        "victim\u{0}@example.org",
        "victim@example.org\rX",
    ])
    func addressesWithControlBytesNeverReachSMTP(address: String) throws {
        let server = try SMTPTestServer()
        let mailer = SMTPMailer(settings: SMTPSettings(url: server.url), password: nil)
        let connection = try mailer.openConnection()
        let outcome = try connection.deliver(TestMessages.message(to: address, id: "inject@shop.example.com"))
        guard case .failed = outcome else {
            Issue.record("expected the message to be refused, got \(outcome)")
            return
        }
        var forged = TestMessages.message(to: "ok@example.org", id: "inject2@shop.example.com")
        forged.envelopeFrom = address
        guard case .failed = try connection.deliver(forged) else {
            Issue.record("a forged envelope sender was accepted")
            return
        }
        #expect(server.received().isEmpty)
    }
}
