import Foundation
import Testing
@testable import HooklineKit

@Suite("Composer")
struct ComposerTests {
    @Test("fallbacks and sections fill in for a missing first name")
    func fallbacks() throws {
        let composer = try ExampleShop.composer(template: """
            --- subject ---
            {{first_name|Hello}}, your beans are 30 days old
            --- story ---
            {{#first_name}}Dear {{first_name}},{{/first_name}}{{^first_name}}Hello,{{/first_name}} we roasted a new batch. It smells of plums.
            --- hook ---
            [Reorder now](https://shop.test.example/reorder)
            """)
        let named = composer.render(ExampleShop.customer(first: "Ann"))
        let anonymous = composer.render(ExampleShop.customer(first: nil))
        #expect(named.subject == "Ann, your beans are 30 days old")
        #expect(named.text.hasPrefix("Dear Ann, we roasted"))
        #expect(anonymous.subject == "Hello, your beans are 30 days old")
        #expect(anonymous.text.hasPrefix("Hello, we roasted"))
        #expect(!named.findings.hasErrors && !anonymous.findings.hasErrors)
    }

    @Test("an empty value without a fallback is an error naming customer and field")
    func emptyWithoutFallback() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate.replacingOccurrences(
            of: "Hi {{first_name|there}}", with: "Hi {{first_name}}"))
        let message = composer.render(ExampleShop.customer(id: "C1042", first: ""))
        let finding = try #require(message.findings.first { $0.rule == "personalization.empty" })
        #expect(finding.message == "customer C1042 has no first_name")
        #expect(finding.hint.contains("{{first_name|…}}"))
        #expect(!message.isSendable)
    }

    @Test("values are HTML-escaped in the HTML part only")
    func escaping() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate)
        let message = composer.render(ExampleShop.customer(first: "<b>Ann</b> & Co"))
        #expect(message.html.contains("Hi &lt;b&gt;Ann&lt;/b&gt; &amp; Co"))
        #expect(message.text.contains("Hi <b>Ann</b> & Co"))
        #expect(!message.html.contains("<b>Ann</b>"))
    }

    @Test("the call to action gets UTM parameters, the unsubscribe link does not")
    func utm() throws {
        let message = try ExampleShop.composer(template: ExampleShop.goodTemplate).render(ExampleShop.customer())
        #expect(message.text.contains("https://shop.test.example/reorder?utm_source=hookline&utm_medium=email&utm_campaign=test"))
        #expect(message.html.contains("href=\"https://shop.test.example/reorder?utm_source=hookline&amp;utm_medium=email")
            || message.html.contains("href=\"https://shop.test.example/reorder?utm_source=hookline&utm_medium=email"))
        let unsubscribe = try #require(message.message?.unsubscribeURL)
        #expect(unsubscribe.hasPrefix("https://shop.test.example/unsubscribe/") && !unsubscribe.contains("utm_"))
        #expect(message.text.contains(unsubscribe))
    }

    @Test("unsubscribe tokens identify customer and campaign and cannot be forged")
    func tokens() {
        let signer = UnsubscribeSigner(secret: ExampleShop.secret)
        let token = signer.token(customerID: "C00042", campaignID: "welcome")
        #expect(signer.verify(token)?.customerID == "C00042")
        #expect(signer.verify(token)?.campaignID == "welcome")
        let other = signer.token(customerID: "C00043", campaignID: "welcome")
        let forged = token.split(separator: ".")[0] + "." + token.split(separator: ".")[1] + "." + other.split(separator: ".")[2]
        #expect(signer.verify(String(forged)) == nil)
        #expect(UnsubscribeSigner(secret: WorkspaceSecret(key: Array(repeating: 8, count: 32))).verify(token) == nil)
    }

    @Test("SHA-256 matches FIPS 180-4 vectors however the input is split")
    func sha256Vectors() {
        let two = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hash(two).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hash([UInt8]()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        for split in [1, 7, 63, 64, 65, 1000] {
            var hasher = SHA256()
            var start = 0
            while start < million.count {
                hasher.update(million[start..<min(start + split, million.count)])
                start += split
            }
            #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "split \(split)")
        }
    }

    /// The vectors above go through the CPU's SHA instructions where it has them; the Swift
    /// rounds serve the other CPUs. Both must give the same state for any block and state.
    @Test("SHA-256 blocks: the CPU's SHA instructions and the Swift rounds agree")
    func sha256HardwareAndSwiftAgree() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let block = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var state = (UInt32.random(in: 0...UInt32.max), UInt32.random(in: 0...UInt32.max),
                         UInt32.random(in: 0...UInt32.max), UInt32.random(in: 0...UInt32.max),
                         UInt32.random(in: 0...UInt32.max), UInt32.random(in: 0...UInt32.max),
                         UInt32.random(in: 0...UInt32.max), UInt32.random(in: 0...UInt32.max))
            var reference = state
            block.withUnsafeBytes {
                SHA256.compress(&state, $0)
                SHA256.compressInSwift(&reference, $0)
            }
            #expect(withUnsafeBytes(of: state) { Array($0) } == withUnsafeBytes(of: reference) { Array($0) })
        }
    }

    @Test("HMAC-SHA256 matches RFC 4231 test case 2")
    func hmac() {
        let mac = HMACSHA256(key: Array("Jefe".utf8)).authenticate(Array("what do ya want for nothing?".utf8))
        #expect(mac.hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("every example campaign renders with no error findings at 2026-11-20", arguments: ExampleShop.campaignIDs)
    func examplesClean(id: String) throws {
        let (campaign, composer) = try ExampleShop.composer(for: id)
        let members = try ExampleShop.members(of: campaign)
        #expect(!members.isEmpty)
        var errors: [String] = []
        let report = try Preview.render(members, composer: composer, rows: { rows in
            errors += rows.flatMap { r in r.findings.filter { $0.severity == .error }.map { "\(r.customerID): \($0.message)" } }
        })
        #expect(errors.isEmpty, "\(errors.prefix(5))")
        #expect(report.rendered == members.count && !report.hasErrors)
    }
}
