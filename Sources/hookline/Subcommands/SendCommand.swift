import ArgumentParser
import Foundation
import HooklineKit

struct SendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send", abstract: "Send a campaign now to its whole audience (asks first on a terminal).")

    @Argument(help: "The campaign id (its file name without .yml).")
    var campaign: String

    @Flag(name: .long, help: "Do not ask for confirmation.")
    var yes = false

    @Option(name: .long, help: "Send one test message to this address instead (not recorded, not capped).")
    var test: String?

    @Option(name: .customLong("as"), help: "With --test: render it for this customer id (default: the first in the audience).")
    var asCustomer: String?

    @OptionGroup var options: DeliveryOptions

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        let workspace = try options.open()
        let run = try DeliveryRun(workspace: workspace, catalog: try campaignCatalog(for: workspace), now: try options.global.resolvedNow())
        if let test {
            guard EmailAddress.isValid(test) else { throw ValidationError("--test '\(test)' is not a valid email address") }
            let outcome = try run.sendTest(campaign: campaign, to: test, as: asCustomer)
            print("test message to \(test): \(outcome)")
            if case .sent = outcome { return }
            throw ExitCode(1)
        }
        let (plan, policies) = try run.plan(campaigns: [campaign], mode: .now)
        guard !policies.isEmpty else {
            throw ValidationError("no campaign '\(campaign)' in campaigns/ — check the file name")
        }
        if !options.json {
            print("\(campaign): \(plan.planned.count) to send, \(plan.skipped.count) skipped"
                + (plan.skipped.isEmpty ? "" : " (\(DeliveryOutput.skipSummary(plan)))"))
        }
        if !yes, isatty(STDIN_FILENO) == 1 {
            print("Send now? [y/N] ", terminator: "")
            guard readLine()?.lowercased().hasPrefix("y") == true else {
                print("Nothing sent.")
                return
            }
        } else if !yes {
            throw ValidationError("not a terminal: pass --yes to send without asking")
        }
        let printer = ProgressPrinter()
        let report = try run.execute(plan, campaigns: [campaign], progress: printer.update)
        try DeliveryOutput.print(report, json: options.json)
    }
}
