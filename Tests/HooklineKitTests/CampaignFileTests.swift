import Foundation
import Testing
@testable import HooklineKit

@Suite("Campaign and template files")
struct CampaignFileTests {
    func load(_ yaml: String) throws -> Campaign {
        try Campaign(yaml: YAMLNode.parse(yaml, file: "campaigns/x.yml"), defaultID: "x")
    }

    @Test("every example campaign loads")
    func examples() throws {
        let campaigns = try Campaign.all(in: ExampleShop.get().workspace)
        #expect(campaigns.map(\.id).sorted() == ExampleShop.campaignIDs.sorted())
    }

    @Test("an unknown key names file, line, column and the likely key")
    func unknownKey() {
        #expect {
            try load("name: A\ntemplate: t\naudiance: {include: [loyal]}\n")
        } throws: { error in
            (error as? InputError)?.description == "campaigns/x.yml:3:1: audiance: unknown key 'audiance' — did you mean 'audience'?"
        }
    }

    @Test("rules can be made stricter, never looser")
    func stricterOnly() throws {
        let campaign = try load("template: t\nrules: {max_words: 120, subject_max_length: 50}\n")
        let settings = RuleSettings().applying(campaign.rules)
        #expect(settings.maxWords == 120 && settings.subjectMaxLength == 50)
        #expect(throws: InputError.self) { try load("template: t\nrules: {max_words: 200}\n") }
        #expect(throws: InputError.self) { try load("template: t\nrules: {subject_max_length: 80}\n") }
    }

    @Test("delivery keys are kept for the delivery stage")
    func deliveryKeys() throws {
        let campaign = try load("template: t\nschedule: {every: month}\ncaps: {per_week: 1}\npriority: 5\n")
        #expect(campaign.schedule != nil && campaign.caps != nil && campaign.priority != nil && campaign.transactional == nil)
        #expect(campaign.utm == Campaign.UTM(campaign: "x"))
    }

    @Test("a template needs subject, story and hook, and knows its part names")
    func templateParts() throws {
        #expect {
            try TemplateFile.parse("--- subject ---\nHi there friend\n--- stroy ---\nText.\n", name: "t", file: "templates/t.md")
        } throws: { error in
            (error as? InputError)?.description.contains("templates/t.md:3:1: part: unknown part 'stroy' — did you mean 'story'?") == true
        }
        #expect(throws: InputError.self) {
            try TemplateFile.parse("--- subject ---\nHi there friend\n--- story ---\nText. More.\n", name: "t", file: "t.md")
        }
    }

    @Test("an unknown variable gets a did-you-mean at its line")
    func unknownVariable() {
        let text = ExampleShop.goodTemplate.replacingOccurrences(of: "Hi {{first_name|there}}", with: "Hi {{frist_name}}")
        #expect {
            try ExampleShop.composer(template: text)
        } throws: { error in
            let description = (error as? InputError)?.description ?? ""
            return description.contains("templates/t.md:4") && description.contains("did you mean 'first_name'?")
        }
    }

    @Test("an offer value the template prints must be set")
    func emptyConstant() {
        #expect {
            try ExampleShop.composer(template: ExampleShop.goodTemplate.replacingOccurrences(
                of: "[Reorder now]", with: "Code {{offer.code}}: [Reorder now]"), offer: .init())
        } throws: { error in
            (error as? InputError)?.description.contains("offer.code is empty") == true
        }
    }
}
