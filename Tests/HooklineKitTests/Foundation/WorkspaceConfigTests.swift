import Foundation
import Testing
@testable import HooklineKit

@Suite("hookline.yml")
struct WorkspaceConfigTests {
    @Test("no hookline.yml: documented defaults")
    func defaults() throws {
        let fixture = try WorkspaceFixture.standard()
        let config = try fixture.workspace().config
        #expect(config.data.customers == "data/customers.csv")
        #expect(config.segments.loyalMinOrders == 4)
        #expect(config.segments.engagedDays == 30)
    }

    @Test("values are read and validated")
    func values() throws {
        let fixture = try WorkspaceFixture.standard()
        try fixture.write("hookline.yml", """
            shop:
              name: Tea Corner
              url: https://tea.example.com/
            sender:
              email: hello@tea.example.com
            segments:
              loyal_min_orders: 6
            data:
              orders: exports/orders.csv
            """)
        let config = try fixture.workspace().config
        #expect(config.shop.url == "https://tea.example.com")
        #expect(config.sender.name == "Tea Corner")
        #expect(config.segments.loyalMinOrders == 6)
        #expect(config.data.orders == "exports/orders.csv")
    }

    @Test("mistakes name file, line, column and the fix", arguments: [
        ("shop:\n  nme: X\n", "hookline.yml:2:3: shop.nme: unknown key 'nme' — did you mean 'name'?"),
        ("segmnts: {}\n", "hookline.yml:1:1: segmnts: unknown key 'segmnts' — did you mean 'segments'?"),
        ("shop:\n  url: http://x.example.com\n", "hookline.yml:2:8: shop.url: 'http://x.example.com' is not an absolute https URL"),
        ("segments:\n  loyal_min_orders: many\n", "hookline.yml:2:21: segments.loyal_min_orders: 'many' is not a whole number"),
        ("segments:\n  loyal_min_orders: 2\n  semi_loyal_min_orders: 3\n", "hookline.yml:3:26: segments.semi_loyal_min_orders: must be below loyal_min_orders (2)"),
        ("shop: [a\n", "hookline.yml:2:1: YAML syntax error"),
        ("sender:\n  email: \"x@example.com\\r\\nBcc: y@example.com\"\n", "hookline.yml:2:10: sender.email:"),
    ])
    func errors(yaml: String, expected: String) throws {
        let fixture = try WorkspaceFixture.standard()
        try fixture.write("hookline.yml", yaml)
        let error = #expect(throws: InputError.self) { try fixture.workspace() }
        #expect(error?.description.hasPrefix(expected) == true, "got: \(error?.description ?? "")")
    }
}
