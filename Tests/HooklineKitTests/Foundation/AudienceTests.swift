import Foundation
import Testing
@testable import HooklineKit

@Suite("Audience")
struct AudienceTests {
    func spec(_ yaml: String) throws -> AudienceSpec {
        try AudienceSpec(yaml: YAMLNode.parse(yaml, file: "campaigns/t.yml"))
    }

    func evaluate(_ yaml: String) throws -> AudienceResult {
        let fixture = try WorkspaceFixture.standard()
        let (store, snapshot) = try fixture.workspace().snapshot(now: november20)
        _ = store
        return try spec(yaml).evaluate(snapshot, rules: SegmentRules(thresholds: .init()))
    }

    @Test("conditions on features", arguments: [
        ("bought_category: {name: coffee, within_days: 30}", ["C1"]),
        ("bought_category: coffee", ["C1"]),
        ("days_since_last_order: 15..25", ["C1"]),
        ("days_since_last_order: \">= 100\"", ["C2"]),
        ("orders: \">= 2\"", ["C1"]),
        ("orders: 0", [String]()),
        ("spend: \"> 30\"", ["C1"]),
        ("opened_within_days: 30", ["C1"]),
        ("not_opened_within_days: 30", ["C2"]),
        ("locale: ru", ["C1"]),
        ("attributes: {city: \"London, UK\"}", ["C2"]),
        ("include: [latent]", ["C2"]),
        ("exclude: [latent]", ["C1"]),
        ("not_bought_category: {name: equipment}", ["C1"]),
    ])
    func conditions(yaml: String, expected: [String]) throws {
        let result = try evaluate(yaml)
        #expect(result.members.map(\.features.customer.id) == expected)
    }

    @Test("suppressed customers and customers without email are never members")
    func suppressedNeverMembers() throws {
        let result = try evaluate("include: []")
        #expect(result.members.map(\.features.customer.id) == ["C1", "C2"])
        let reasons = Dictionary(uniqueKeysWithValues: result.skipped.map { ($0.customerId, $0.reason) })
        #expect(reasons == ["C3": "suppressed:unsubscribed", "C4": "suppressed:bounced", "C9": "no_email"])
    }

    @Test("mistakes are reported with position and a suggestion", arguments: [
        ("include: [loyl]", "campaigns/t.yml:1:10: include: unknown segment 'loyl' — did you mean 'loyal'?"),
        ("days_since_last_ordr: 3", "campaigns/t.yml:1:1: days_since_last_ordr: unknown key 'days_since_last_ordr' — did you mean 'days_since_last_order'?"),
        ("orders: lots", "campaigns/t.yml:1:9: orders: 'lots' is not a number or range"),
        ("bought_category: {nme: coffee}", "campaigns/t.yml:1:19: bought_category.nme: unknown key 'nme' — did you mean 'name'?"),
    ])
    func errors(yaml: String, expected: String) {
        let error = #expect(throws: InputError.self) { try spec(yaml) }
        #expect(error?.description.hasPrefix(expected) == true, "got: \(error?.description ?? "")")
    }

    @Test("number ranges", arguments: [
        ("21..35", 21.0, true), ("21..35", 35.0, true), ("21..35", 36.0, false), (">= 2", 2.0, true),
        ("> 2", 2.0, false), ("< 5", 4.9, true), ("<= 5", 5.0, true), ("4", 4.0, true), ("4", 5.0, false), ("10..", 99.0, true),
    ])
    func ranges(text: String, value: Double, inside: Bool) throws {
        let range = try #require(NumberRange(text))
        #expect(range.contains(value) == inside)
    }
}
