import Foundation
import Testing
@testable import HooklineKit

@Suite("Preview")
struct PreviewTests {
    @Test("--out writes one .eml per recipient, their HTML and an index listing them")
    func writesFolder() throws {
        let p = try ExampleShop.get()
        let campaign = try Campaign.named("fifth-order-thanks", in: p.workspace)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-preview-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = try Preview.run(workspace: p.workspace, campaign: campaign, now: ExampleShop.now, out: folder)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.filter { $0.hasSuffix(".eml") }.count == report.recipients.count)
        #expect(report.audience == report.recipients.count && report.audience > 0)
        let index = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        for recipient in report.recipients {
            #expect(index.contains("href=\"html/\(recipient.customerID).html\""))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("html/\(recipient.customerID).html").path))
        }
        #expect(report.samples.count == min(3, report.recipients.count))
    }

    @Test("the JSON has exactly the documented shape")
    func json() throws {
        var report = PreviewReport(
            campaign: "c", audience: 1,
            recipients: [.init(customerID: "C1", email: "a@example.com", subject: "S", words: 42,
                               findings: [Finding(rule: "headline.catchiness", severity: .warning, message: "m", text: "t", hint: "h")])],
            skipped: [.init(customerID: "C2", reason: "suppressed:bounced")])
        report.samples = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(json == #"{"audience":1,"campaign":"c","recipients":[{"customer_id":"C1","email":"a@example.com","findings":[{"message":"m","rule":"headline.catchiness","severity":"warning"}],"subject":"S","words":42}],"skipped":[{"customer_id":"C2","reason":"suppressed:bounced"}]}"#)
    }

    @Test("findings are grouped by kind, most frequent first")
    func grouping() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate.replacingOccurrences(
            of: "{{first_name|Hello}}, your beans are 30 days old", with: "{{first_name|Hello}}, your beans from {{city|home}} are 30 days old"))
        let members = (1...12).map { ExampleShop.customer(id: "L\($0)", attributes: ["city": "Llanfairpwllgwyngyll-on-Sea"]) }
            + [ExampleShop.customer(id: "S1", attributes: ["city": "Bath"])]
        let report = try Preview.render(members, composer: composer)
        let group = try #require(report.groups.first)
        #expect(group.rule == "headline.length" && group.count == 12)
        #expect(report.summary().contains("12 recipients: subject over 60 characters"))
    }

    @Test("lint --subject reports findings and the score")
    func lintSubject() {
        let report = Lint.subject("FREE!!! ACT NOW", language: nil)
        #expect(report.hasErrors)
        #expect(Set(report.findings.map(\.rule)).isSuperset(of: ["headline.caps", "headline.spam", "headline.punctuation"]))
        #expect(report.catchiness != nil)
        #expect(!Lint.subject("Anna, why does your coffee taste of plums?").hasErrors)
    }

    @Test("lint of a template warns about a missing fallback through the sparse synthetic customer")
    func lintTemplate() throws {
        let workspace = try ExampleShop.workspace([
            "hookline.yml": ExampleShop.config,
            "templates/bare.md": ExampleShop.goodTemplate.replacingOccurrences(of: "Hi {{first_name|there}}", with: "Hi {{first_name}}"),
        ])
        let report = try Lint.template(named: "bare", workspace: workspace, now: ExampleShop.now)
        #expect(report.findings.contains {
            $0.rule == "personalization.empty" && $0.example == "synthetic:sparse" && $0.severity == .warning
        })
        #expect(!report.hasErrors)
    }
}
