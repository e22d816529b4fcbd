import ArgumentParser
import Foundation
import HooklineKit

struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Settle messages in doubt: count them as sent, or send them again.")

    @Option(name: .long, help: "A ledger row id from 'hookline status' (repeatable).")
    var id: [Int64] = []

    @Option(name: .long, help: "Every in-doubt row of this campaign.")
    var campaign: String?

    @Option(name: .customLong("as"), help: "sent (the recipient got it) or retry (send it in the next run).")
    var resolution: String

    @OptionGroup var options: DeliveryOptions

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        guard let choice = Ledger.Resolution(rawValue: resolution) else {
            throw ValidationError("--as must be sent or retry")
        }
        guard !id.isEmpty || campaign != nil else {
            throw ValidationError("give --id N (see 'hookline status') or --campaign ID")
        }
        let (store, _) = try options.open().openStore(sync: false)
        let count = try Ledger(store: store).resolve(ids: id, campaign: campaign, as: choice,
                                                     now: Int64(try options.global.resolvedNow().timeIntervalSince1970))
        print("\(count) row(s) resolved as \(choice.rawValue).")
        if count == 0 { throw ExitCode(1) }
    }
}
