import ArgumentParser
import Foundation
import HooklineKit

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the send ledger: counts per campaign and messages in doubt.")

    @OptionGroup var options: DeliveryOptions

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        let workspace = try options.open()
        let (store, _) = try workspace.openStore(sync: false)
        let ledger = Ledger(store: store)
        let rows = try ledger.entries(in: LedgerState.allCases)
        let byCampaign = Dictionary(grouping: rows, by: \.campaign)
            .mapValues { Dictionary(grouping: $0, by: \.state.rawValue).mapValues(\.count) }
        let doubtful = rows.filter { $0.state == .inDoubt }
        if options.json {
            let document: [String: Any] = [
                "campaigns": byCampaign,
                "in_doubt": doubtful.map { ["id": $0.id, "campaign": $0.campaign, "occurrence": $0.occurrence,
                                            "customer": $0.customerId, "email": $0.email] },
                "suppressed": try Suppressions(store: store).all().count,
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if byCampaign.isEmpty { print("Nothing sent or planned yet.") }
        for (campaign, counts) in byCampaign.sorted(by: { $0.key < $1.key }) {
            let waiting = (counts["planned"] ?? 0) + (counts["deferred"] ?? 0) + (counts["in_doubt"] ?? 0)
            print("\(campaign): " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + (waiting > 0 ? " — not finished (\(waiting) waiting)" : ""))
        }
        if !doubtful.isEmpty {
            print("\nIn doubt (the process stopped during the transfer; never re-sent automatically):")
            for row in doubtful { print("  #\(row.id) \(row.campaign) \(row.occurrence) \(row.email)") }
            print("Settle with: hookline resolve --id N --as sent|retry (or --campaign C --as …)")
        }
    }
}
