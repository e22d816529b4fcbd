import Foundation
import Testing
@testable import HooklineKit

/// A send renders through ``Composer/sendBytes(_:messageID:cache:into:)`` (the batch path, with
/// the ledger row's Message-ID); the reference is ``Composer/render(_:date:cache:)`` and
/// ``MIMEMessage/bytes()`` with that Message-ID. Both must agree to the byte.
@Suite("Send rendering")
struct SendRenderTests {
    static func entry(_ member: CustomerFeatures, campaign: String, messageId: String, occurrence: String = "2026-11-20")
        -> LedgerEntry {
        LedgerEntry(id: 1, campaign: campaign, occurrence: occurrence, customerId: member.customer.id,
                    email: member.customer.email ?? "", state: .planned, priority: 0, transactional: false, dueAt: 0,
                    updatedAt: 0, attempts: 0, smtpCode: nil, smtpReply: nil, note: nil, messageId: messageId)
    }

    /// The message of the general path, as ``ComposerSource`` built every message before.
    static func reference(_ composer: Composer, _ member: CustomerFeatures, _ entry: LedgerEntry) -> [UInt8]? {
        guard var message = composer.render(member).message else { return nil }
        message.messageID = ComposerSource.messageID(entry, domain: composer.messageIDDomain)
        if entry.isTest { message.subject = "[TEST] " + message.subject }
        return message.bytes()
    }

    @Test("every recipient of every example campaign gets the bytes of the general path", arguments: ExampleShop.campaignIDs)
    func examples(id: String) throws {
        let (campaign, composer) = try ExampleShop.composer(for: id)
        let members = try ExampleShop.members(of: campaign)
        let source = ComposerSource(composers: [id: composer],
                                    customers: Dictionary(members.map { ($0.customer.id, $0) }, uniquingKeysWith: { a, _ in a }))
        let renderer = source.threadRenderer()
        var fast = 0
        for (index, member) in members.enumerated() {
            // Ledger ids with and without a domain, and one the batch path must leave to the general path.
            let messageId = ["hl.\(index).abc@shop.example", "hl.\(index).abc", "hl \(index)@shop.example"][index % 3]
            let entry = Self.entry(member, campaign: id, messageId: messageId)
            let expected = Self.reference(composer, member, entry)
            let actual = try? renderer.message(for: entry)
            #expect(actual?.data == expected, "\(member.customer.id): \(BatchRenderTests.firstDifference(actual?.data ?? [], expected ?? []))")
            #expect(actual.map { $0.messageId == messageId && $0.recipient == entry.email } ?? true)
            var bytes: [UInt8] = []
            let full = ComposerSource.messageID(entry, domain: composer.messageIDDomain)
            if composer.sendBytes(member, messageID: full, cache: RenderCache(), into: &bytes) { fast += 1 }
        }
        // Every third id has a space, which only the general path writes.
        #expect(fast >= members.count / 2, "the batch path must carry the usual recipient")
    }

    @Test("a test send keeps its [TEST] subject")
    func testSend() throws {
        let (campaign, composer) = try ExampleShop.composer(for: "welcome")
        let member = try #require(try ExampleShop.members(of: campaign).first)
        let source = ComposerSource(composers: ["welcome": composer], customers: [member.customer.id: member])
        let entry = Self.entry(member, campaign: "welcome", messageId: "hl.test.1@shop.example",
                               occurrence: LedgerEntry.testOccurrence)
        let message = try source.threadRenderer().message(for: entry)
        #expect(message.data == Self.reference(composer, member, entry))
        #expect(String(decoding: message.data, as: UTF8.self).contains("Subject: [TEST] "))
    }
}
