import Foundation
import HooklineKit
import Testing

/// `kill -9` in the middle of a send: the test runner starts itself again as a child
/// that sends 5,000 messages, kills it mid-way, and finishes the job in-process.
@Suite(.serialized) struct CrashTests {
    static let environment = ProcessInfo.processInfo.environment
    static let total = 5000

    /// The child's part; runs only when the parent starts it.
    @Test(.enabled(if: environment["HOOKLINE_CRASH_LEDGER"] != nil))
    func crashChildSends() throws {
        let path = try #require(Self.environment["HOOKLINE_CRASH_LEDGER"])
        let url = try #require(Self.environment["HOOKLINE_CRASH_SMTP"])
        var settings = SMTPSettings(url: url)
        settings.connections = Int(Self.environment["HOOKLINE_CRASH_CONNECTIONS"] ?? "") ?? 4
        let ledger = Ledger(store: try Store(path: path))
        let sender = Sender(ledger: ledger, mailer: SMTPMailer(settings: settings, password: nil),
                            source: TestMessages.source)
        _ = try sender.send(try ledger.pending(now: Int64(Date().timeIntervalSince1970)))
    }

    /// One connection claims each next row while the reply before it is on its way; four
    /// share commits. Either way a kill leaves at most one row per connection in doubt.
    @Test(arguments: [1, 4])
    func sigkillMidSendNeverDuplicatesAndLeavesAtMostOneInDoubtPerConnection(connections: Int) throws {
        let server = try SMTPTestServer()
        let path = server.directory.appendingPathComponent("ledger.sqlite").path
        let now = Int64(Date().timeIntervalSince1970)
        try Ledger(store: try Store(path: path)).record((0..<Self.total).map {
            PlannedSend(campaign: "big", occurrence: "2026-11-23", customerId: "c\($0)", email: "r\($0)@example.org",
                        dueAt: now - 60, messageId: "m\($0).big@shop.example.com")
        }, now: now - 60)

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "crashChildSends"]
        child.environment = Self.environment.merging(["HOOKLINE_CRASH_LEDGER": path, "HOOKLINE_CRASH_SMTP": server.url,
                                                      "HOOKLINE_CRASH_CONNECTIONS": "\(connections)"]) { $1 }
        child.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        child.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try child.run()
        let deadline = Date().addingTimeInterval(120)
        while server.received().count < Self.total / 4, child.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(child.isRunning, "the child finished before it could be killed")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let receivedBeforeRestart = server.received().count
        #expect(receivedBeforeRestart < Self.total)

        // The next run: leftover `sending` rows become in_doubt and are not sent again.
        let ledger = Ledger(store: try Store(path: path))
        try ledger.recoverInterrupted(now: now)
        let inDoubt = Set(try ledger.entries(in: [.inDoubt]).map(\.email))
        #expect(inDoubt.count <= connections)
        var settings = SMTPSettings(url: server.url)
        settings.connections = connections
        let summary = try Sender(ledger: ledger, mailer: SMTPMailer(settings: settings, password: nil),
                                 source: TestMessages.source).send(try ledger.pending(now: now))
        #expect(summary.sent + (try ledger.counts()[.sent] ?? 0) >= Self.total - inDoubt.count)

        var counts: [String: Int] = [:]
        for item in server.received() { for rcpt in item.rcpt { counts[rcpt, default: 0] += 1 } }
        for index in 0..<Self.total {
            let email = "r\(index)@example.org"
            if inDoubt.contains(email) {
                #expect((counts[email] ?? 0) <= 1, "\(email) in doubt but received twice")
            } else {
                #expect(counts[email] == 1, "\(email) received \(counts[email] ?? 0) times")
            }
        }
        #expect(try ledger.counts()[.sent] == Self.total - inDoubt.count)
    }
}
