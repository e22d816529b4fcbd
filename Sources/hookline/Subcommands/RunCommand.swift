import ArgumentParser
import Foundation
import HooklineKit

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Send everything that is due now (the cron entry point).")

    @Flag(name: .customLong("dry-run"), help: "Show what is due without sending or recording anything.")
    var dryRun = false

    @OptionGroup var options: DeliveryOptions

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        let moment = try options.global.resolvedNow()
        let workspace = try options.open()
        let run = try DeliveryRun(workspace: workspace, catalog: try campaignCatalog(for: workspace), now: moment)
        let (plan, policies) = try run.plan(campaigns: nil, mode: .due)
        if dryRun {
            for policy in policies {
                let planned = plan.planned.filter { $0.campaign == policy.id }
                let skipped = plan.skipped.filter { $0.campaign == policy.id }
                print("\(policy.id): \(planned.count) due, \(skipped.count) skipped")
                for skip in skipped.prefix(20) { print("  skip \(skip.customerId) \(skip.reason)") }
            }
            return
        }
        let report = try run.execute(plan, campaigns: policies.map(\.id), progress: ProgressPrinter().update)
        try DeliveryOutput.print(report, json: options.json)
    }
}
