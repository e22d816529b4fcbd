import Foundation
import Testing
@testable import HooklineKit

/// The first recipient's complete message of each example campaign, compared with a
/// reviewed copy in `Fixtures/golden/<campaign>.eml` (Date, Message-ID and boundary
/// normalised). Set `HOOKLINE_RECORD_GOLDEN=1` to rewrite the copies after a deliberate change.
@Suite("Golden messages")
struct GoldenMessageTests {
    static let folder = ExampleShop.repoRoot.appendingPathComponent("Tests/HooklineKitTests/Fixtures/golden")

    static func normalised(_ message: MIMEMessage) -> String {
        String(decoding: message.bytes(), as: UTF8.self)
            .replacingOccurrences(of: message.boundary, with: "BOUNDARY")
            .replacingOccurrences(of: message.messageID, with: "MESSAGE-ID@example")
            .replacingOccurrences(of: MIMEDate.rfc5322(message.date), with: "DATE")
    }

    @Test("the first recipient's message matches the reviewed copy", arguments: ExampleShop.campaignIDs)
    func golden(id: String) throws {
        let p = try ExampleShop.get()
        let campaign = try Campaign.named(id, in: p.workspace)
        let composer = try Composer(workspace: p.workspace, campaign: campaign, secret: ExampleShop.secret)
        let member = try #require(try ExampleShop.members(of: campaign).min { $0.customer.id < $1.customer.id })
        let actual = Self.normalised(try #require(composer.render(member).message))
        let url = Self.folder.appendingPathComponent("\(id).eml")
        if ProcessInfo.processInfo.environment["HOOKLINE_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
        }
        let expected = try #require(FileManager.default.contents(atPath: url.path), "missing \(url.path)")
        #expect(actual == String(decoding: expected, as: UTF8.self))
    }
}
