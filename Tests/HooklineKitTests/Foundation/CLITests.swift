import Foundation
import Testing
@testable import HooklineKit

@Suite("The hookline executable", .serialized)
struct CLITests {
    struct SegmentsOutput: Decodable {
        struct Segment: Decodable { var name: String; var group: String; var count: Int }
        var segments: [Segment]
    }

    @Test("segments --json on the example shop: every group present, types add up to all customers")
    func segmentsJSON() throws {
        let result = try CLI.run(["--workspace", CLI.exampleWorkspace.path, "segments", "--json", "--now", "2026-11-20"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let output = try JSONDecoder().decode(SegmentsOutput.self, from: Data(result.stdout.utf8))
        #expect(Set(output.segments.map(\.group)) == ["type", "rfm", "engagement"])
        let types = output.segments.filter { $0.group == "type" }
        #expect(types.map(\.name) == ["loyal", "semi_loyal", "latent", "non_customer"])
        #expect(types.reduce(0) { $0 + $1.count } == 2000)
        #expect(types.allSatisfy { $0.count > 0 })
    }

    @Test("segments on a fixture workspace, options after the command name")
    func segmentsHuman() throws {
        let fixture = try WorkspaceFixture.standard()
        let result = try CLI.run(["segments", "--now", "2026-11-20", "--workspace", fixture.root.path])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        // C1 has three orders in a year (semi-loyal), C2 one (latent), C3/C4 none; C9 is known only from orders.
        #expect(lines.contains { $0.suffix(2) == ["semi_loyal", "1"] })
        #expect(lines.contains { $0.suffix(2) == ["latent", "2"] })
        #expect(lines.contains { $0.suffix(2) == ["non_customer", "2"] })
    }

    @Test("bad data: one line on stderr with file and line, exit code 2, no stack trace")
    func badDataExitCode() throws {
        let fixture = try WorkspaceFixture.standard()
        try fixture.write("data/orders.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,ten\n")
        let result = try CLI.run(["segments"], in: fixture.root)
        #expect(result.status == 2)
        #expect(result.stderr == "hookline: data/orders.csv:2: amount: 'ten' is not a number — write the line total with a dot for decimals, e.g. 12.50\n")
        #expect(result.stdout.isEmpty)
    }

    @Test("import --skip-bad-rows reports the skipped rows, then commands work")
    func skipBadRowsCLI() throws {
        let fixture = try WorkspaceFixture.standard()
        try fixture.write("data/orders.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,ten\nO2,C1,2026-01-02,10\n")
        let result = try CLI.run(["import", "--skip-bad-rows"], in: fixture.root)
        #expect(result.status == 0)
        #expect(result.stdout.contains("data/orders.csv: reimported, 2 rows read, 1 bad rows skipped"))
        #expect(result.stdout.contains("skipped data/orders.csv:2: amount"))
        #expect(try CLI.run(["segments"], in: fixture.root).status == 0)
    }

    @Test("customer shows features and segments; an unknown id is exit 2")
    func customer() throws {
        let fixture = try WorkspaceFixture.standard()
        let result = try CLI.run(["customer", "C1", "--json", "--now", "2026-11-20"], in: fixture.root)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["orders"] as? Int == 3)
        #expect(object?["days_since_last_order"] as? Int == 18)  // 2026-11-01T07:00Z to 2026-11-20T00:00Z
        #expect((object?["segments"] as? [String])?.contains("semi_loyal") == true)
        let missing = try CLI.run(["customer", "C404"], in: fixture.root)
        #expect(missing.status == 2 && missing.stderr.contains("no customer with id or email 'C404'"))
    }

    @Test("audience lists members and why others were left out")
    func audience() throws {
        let fixture = try WorkspaceFixture.standard()
        try fixture.write("campaigns/coffee.yml", "audience:\n  bought_category: coffee\n")
        let result = try CLI.run(["audience", "coffee", "--json", "--now", "2026-11-20"], in: fixture.root)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["audience"] as? Int == 1)
        let skipped = object?["skipped"] as? [[String: String]]
        #expect(skipped?.first?["reason"] == "no_email")
        let typo = try CLI.run(["audience", "cofee"], in: fixture.root)
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'coffee'?"))
    }

    @Test("report: retention, churn and CLV per month")
    func report() throws {
        let result = try CLI.run(["--workspace", CLI.exampleWorkspace.path, "report", "--json", "--now", "2026-11-20"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let months = try #require(object?["months"] as? [[String: Any]])
        #expect(months.count == 12)
        #expect(months.first?["month"] as? String == "2025-11")
        #expect(months.last?["month"] as? String == "2026-10")
        for month in months {
            let s = month["customers_at_start"] as? Int ?? 0, e = month["customers_at_end"] as? Int ?? 0
            let n = month["new_customers"] as? Int ?? 0
            let retention = month["retention_rate"] as? Double ?? -1
            #expect(abs(retention - (Double(e - n) / Double(s) * 100)) < 0.01)
        }
    }

    @Test("a bad --now is a usage error")
    func badNow() throws {
        let result = try CLI.run(["--workspace", CLI.exampleWorkspace.path, "segments", "--now", "soon"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--now: 'soon' is not an ISO 8601 date"))
    }
}
