import Foundation
import Testing
@testable import HooklineKit

/// The preview renders through ``Composer/render(_:cache:into:)``, which encodes fixed text
/// once per campaign and caches rule results; a send renders through ``Composer/render(_:date:cache:)``
/// and ``MIMEMessage/bytes()``. These must agree to the byte.
@Suite("Batch rendering")
struct BatchRenderTests {
    static func compare(_ composer: Composer, _ members: [CustomerFeatures]) {
        let cache = RenderCache(keepsHTML: true)
        for member in members {
            let reference = composer.render(member)
            var bytes: [UInt8] = []
            let line = composer.render(member, cache: cache, into: &bytes)
            let expected = reference.message?.bytes() ?? []
            #expect(bytes == expected, "\(member.customer.id): \(firstDifference(bytes, expected))")
            #expect(cache.html == Array(reference.html.utf8), "\(member.customer.id)")
            #expect(line.subject == reference.subject && line.words == reference.words, "\(member.customer.id)")
            #expect(line.findings == reference.findings, "\(member.customer.id)")
        }
    }

    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let at = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        return "bytes differ at \(at): \(String(decoding: a[max(0, at - 40)..<min(a.count, at + 40)], as: UTF8.self)) "
            + "vs \(String(decoding: b[max(0, at - 40)..<min(b.count, at + 40)], as: UTF8.self))"
    }

    @Test("every recipient of every example campaign gets the bytes and findings a send would", arguments: ExampleShop.campaignIDs)
    func examples(id: String) throws {
        let (campaign, composer) = try ExampleShop.composer(for: id)
        let members = try ExampleShop.members(of: campaign)
        #expect(!members.isEmpty && composer.batch.keyVariables != nil)
        Self.compare(composer, members)
    }

    static let edgeTemplate = """
        --- subject ---
        {{first_name|Hello}}, the beans from {{city|home}} are here
        --- preheader ---
        For {{first_name}} & co: "fresh" <beans>
        --- story ---
        Hi {{first_name|there}}, a line that is long enough to reach the soft break area {{first_name}} and on. It smells of plums.
        From {{city|Bristol}} with love {{first_name}}
        {{first_name}}
        .{{first_name}}. A sentence.
        {{#city}}
        From {{city}} to you, {{first_name|friend}}.
        {{/city}}{{^city}}Nowhere in particular{{/city}}
        Trailing space before a value: {{last_name}}
        --- hook ---
        [Reorder, {{first_name|friend}}](https://shop.test.example/reorder?for={{customer_id}})
        --- footer ---
        {{shop.name}} · {{shop.address}}

        [Unsubscribe]({{unsubscribe_url}}) {{first_name}}
        """

    @Test("values at every column, beside spaces, dots, 'From ', line ends and HTML specials")
    func edges() throws {
        let composer = try ExampleShop.composer(template: Self.edgeTemplate)
        #expect(composer.batch.keyVariables != nil, "the unsubscribe link in the footer must not turn the batch path off")
        var names: [String?] = [nil, "", " ", "From ", "From", ".", "=", "a ", " a", "<&>\"'", "Zoë", "Александра", "\t", "Ann\nLee"]
        names += (1...90).map { String(repeating: "a", count: $0) }
        names += (1...40).map { String(repeating: "é", count: $0) }
        names += (1...20).map { String(repeating: "x ", count: $0) }
        var members: [CustomerFeatures] = []
        for (i, name) in names.enumerated() {
            let city: String? = i % 3 == 0 ? nil : i % 3 == 1 ? "Bath" : name
            members.append(ExampleShop.customer(id: "E\(i)", first: name, last: i % 2 == 0 ? name : "Lee",
                                                attributes: city.map { ["city": $0] } ?? [:]))
        }
        Self.compare(composer, members)
    }

    @Test("quoted-printable in pieces, carrying the column and with 4 bytes of lookahead, equals encoding the whole")
    func piecewiseQuotedPrintable() {
        var generator = SeededGenerator(state: 42)
        let alphabet: [UInt8] = Array("ab F r o m . = \t\nxyz".utf8) + [0xC3, 0xA9, 0x0D]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...300, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0x61 }
            var whole: [UInt8] = []
            QuotedPrintable.encode(text, into: &whole)
            var pieces: [UInt8] = [], column = 0, start = 0
            while start < text.count {
                let end = min(text.count, start + Int.random(in: 1...90, using: &generator))
                let window = Array(text[start..<min(text.count, end + 5 + text[end...].prefix { $0 == 0x0D }.count)])
                window.withUnsafeBufferPointer {
                    QuotedPrintable.encode($0, emitting: end - start, column: &column, into: &pieces)
                }
                start = end
            }
            #expect(pieces == whole, "\(String(decoding: text, as: UTF8.self).debugDescription)")
        }
    }
}
