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
        var json: [UInt8] = []
        let report = try Preview.run(workspace: p.workspace, campaign: campaign, now: ExampleShop.now, out: folder,
                                     json: { json += $0 })
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(files.filter { $0.hasSuffix(".eml") }.count == report.rendered)
        #expect(!files.contains { $0.hasSuffix(".part") }, "the index's temporary files are gone")
        #expect(report.audience == report.rendered && report.audience > 0)
        let index = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        let recipients = try #require(parsed["recipients"] as? [[String: Any]])
        #expect(recipients.count == report.rendered)
        var pages: [String: [String: String]] = [:]
        for recipient in recipients {
            let id = try #require(recipient["customer_id"] as? String)
            // The row links to the page holding the recipient's HTML, which holds it under its id.
            let link = try #require(index.firstRange(of: "#\(id)\" target=view>").map { index[..<$0.lowerBound] })
            let href = try #require(link.range(of: "href=\"html/", options: .backwards))
            let page = String(link[href.upperBound...])
            #expect(page.hasSuffix(".html"))
            if pages[page] == nil { pages[page] = try Self.messages(onPage: folder.appendingPathComponent("html/\(page)")) }
            let html = try #require(pages[page]?[id], "page \(page) holds \(id)")
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
        }
        #expect(pages.values.map(\.count).reduce(0, +) == recipients.count)
        #expect(report.samples.count == min(3, report.rendered))
    }

    @Test("index.html lists recipients with errors first, then warnings, each in audience order")
    func indexOrder() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate.replacingOccurrences(
            of: "{{first_name|Hello}}, your beans are 30 days old", with: "{{first_name}}, your beans are 30 days old"))
        let members = (1...3000).map { i in ExampleShop.customer(id: "C\(i)", first: i % 1000 == 7 ? nil : "Ann") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-preview-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = try Preview.render(members, composer: composer, writer: try PreviewWriter(folder: folder))
        #expect(report.rendered == 3000 && report.withErrors == 3)
        let index = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        let order = index.components(separatedBy: "target=view>").dropFirst().compactMap { $0.split(separator: "<").first.map(String.init) }
        #expect(order.prefix(4) == ["C7", "C1007", "C2007", "C1"])
        #expect(order.count == 3000 && order.last == "C3000")
        #expect(index.contains("src=\"html/0-0.html#C7\""), "the pane opens on the first recipient with an error")
        #expect(index.contains("href=\"html/1-0.html#C2049\"") && index.contains("href=\"html/0-1.html#C257\""),
                "256 recipients to a page, pages numbered by run and place")
        let pages = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("html").path)
        #expect(pages.count == 12, "3000 recipients: 8 pages for the first 2048, 4 for the other 952")
    }

    /// The messages of a page of HTML parts (`html/N-M.html`), by file name.
    static func messages(onPage url: URL) throws -> [String: String] {
        let page = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(page.range(of: "const messages = ")).upperBound
        let end = try #require(page.range(of: "\n};\n", range: start..<page.endIndex)).lowerBound
        let object = try JSONSerialization.jsonObject(with: Data((page[start..<end] + "\n}").utf8))
        #expect(!page[start..<end].contains("</"), "no message can close the page's script")
        return try #require(object as? [String: String])
    }

    @Test("a message's HTML survives the page: quotes, backslashes, line breaks, </script> and non-ASCII")
    func pageEscaping() throws {
        let html = "<!DOCTYPE html><p title=\"a\\b\">Zoë\r\n\t</script><script>alert(1)</script> Ελλάδα \u{1}</p>"
        var page = PreviewPage()
        page.add(fileName: "C1", html: Array(html.utf8))
        page.add(fileName: "id-0a1b", html: Array("second".utf8))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-page-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(page.finish()).write(to: folder)
        #expect(try Self.messages(onPage: folder) == ["C1": html, "id-0a1b": "second"])
    }

    @Test("rows and JSON arrive in audience order across many chunks, and the JSON is what JSONEncoder writes")
    func streamedJSON() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate)
        let members = (1...5000).map { i in
            ExampleShop.customer(id: "C\(i)", email: "c\(i)@example.com", first: i % 3 == 0 ? "Zoë \"Q\" \\ /\t" : "Ann")
        }
        var rows: [PreviewReport.Recipient] = []
        var json: [UInt8] = []
        let skipped = [PreviewReport.Skipped(customerID: "S1", reason: "suppressed:bounced")]
        let report = try Preview.render(members, composer: composer,
                                        report: PreviewReport(campaign: "test", audience: 5000, skipped: skipped),
                                        rows: { rows += $0 }, json: { json += $0 })
        #expect(rows.map(\.customerID) == members.map(\.customer.id))
        #expect(report.firstRecipients == Array(rows.prefix(PreviewReport.listed)))
        let expected = DocumentedJSON(audience: 5000, campaign: "test", recipients: rows.map(DocumentedJSON.Row.init), skipped: skipped.map {
            ["customer_id": $0.customerID, "reason": $0.reason]
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: json, as: UTF8.self) == String(decoding: try encoder.encode(expected), as: UTF8.self) + "\n")

        var empty: [UInt8] = []
        _ = try Preview.render([], composer: composer, json: { empty += $0 })
        let none = DocumentedJSON(audience: 0, campaign: "test", recipients: [], skipped: [])
        #expect(String(decoding: empty, as: UTF8.self) == String(decoding: try encoder.encode(none), as: UTF8.self) + "\n")
    }

    /// The documented JSON shape as a plain Encodable, to compare the streamed bytes with.
    struct DocumentedJSON: Encodable {
        struct Row: Encodable {
            var customer_id, email, subject: String
            var words: Int
            var findings: [[String: String]]
            init(_ r: PreviewReport.Recipient) {
                (customer_id, email, subject, words) = (r.customerID, r.email, r.subject, r.words)
                findings = r.findings.map { ["rule": $0.rule, "severity": $0.severity.rawValue, "message": $0.message] }
            }
        }
        var audience: Int
        var campaign: String
        var recipients: [Row]
        var skipped: [[String: String]]
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
