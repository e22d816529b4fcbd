import ArgumentParser
import HooklineKit

struct CustomerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Show one customer's features and segments.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The customer id (or email address).")
    var id: String

    func run() throws {
        try reportingErrors {
            let workspace = try global.openWorkspace()
            let (_, snapshot) = try workspace.snapshot(now: try global.resolvedNow())
            let memberships = SegmentRules(thresholds: workspace.config.segments).memberships(snapshot.customers)
            guard let index = snapshot.customers.firstIndex(where: {
                $0.customer.id == id || $0.customer.email?.lowercased() == id.lowercased()
            }) else {
                throw InputError(field: "customer", "no customer with id or email '\(id)'",
                                 hint: "check the id in \(workspace.config.data.customers)")
            }
            let summary = FeatureSummary(snapshot.customers[index], membership: memberships[index])
            if output.json { return try printJSON(summary) }
            print(describe(summary))
        }
    }

    func describe(_ s: FeatureSummary) -> String {
        func money(_ v: Double) -> String { String(format: "%.2f", v) }
        var rows: [[String]] = [
            ["customer", s.customerId],
            ["name", [s.firstName, s.lastName].compactMap { $0 }.joined(separator: " ")],
            ["email", s.email ?? "(none: never mailable)"],
            ["locale / time zone", "\(s.locale ?? "-") / \(s.timezone ?? "-")"],
            ["subscription", s.suppressed.map { "suppressed (\($0))" } ?? "subscribed"],
            ["segments", s.segments.joined(separator: ", ") + (s.rfm.map { " (RFM \($0))" } ?? "")],
            ["orders", "\(s.orders) (\(s.ordersInTypeWindow) in the type window)"],
            ["spend", "\(money(s.totalSpend)) total, \(money(s.averageOrderValue)) per order"],
        ]
        if let first = s.firstOrder, let last = s.lastOrder {
            rows.append(["first / last order", "\(first) / \(last) (\(s.daysSinceLastOrder ?? 0) days ago)"])
        }
        if let median = s.medianDaysBetweenOrders { rows.append(["median days between orders", String(median)]) }
        if let product = s.lastProduct { rows.append(["last product", product]) }
        if !s.categories.isEmpty {
            rows.append(["categories", s.categories.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }
                .joined(separator: ", ")])
        }
        rows.append(["opens 30d / 90d", "\(s.opens30d) / \(s.opens90d)"])
        rows.append(["clicks 30d / 90d", "\(s.clicks30d) / \(s.clicks90d)"])
        rows.append(["last engagement", s.lastEngagement ?? "never"])
        for (key, value) in s.attributes.sorted(by: { $0.key < $1.key }) { rows.append([key, value]) }
        return table(rows)
    }
}
