import ArgumentParser
import Foundation
import HooklineKit

struct SuppressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppress", abstract: "Never mail an address again (until unsuppressed).")

    @Argument(help: "The email address.")
    var address: String

    @OptionGroup var options: DeliveryOptions

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        guard EmailAddress.isValid(address) else {
            throw ValidationError("'\(address)' is not a valid email address")
        }
        let (store, _) = try options.open().openStore(sync: false)
        let added = try Suppressions(store: store).add(address, now: Int64(try options.global.resolvedNow().timeIntervalSince1970))
        print(added ? "\(address) suppressed." : "\(address) was already suppressed.")
    }
}

struct UnsuppressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsuppress", abstract: "Allow mailing an address again.")

    @Argument(help: "The email address.")
    var address: String

    @OptionGroup var options: DeliveryOptions

    func run() throws {
        try reportingErrors { try body() }
    }

    func body() throws {
        let (store, _) = try options.open().openStore(sync: false)
        let removed = try Suppressions(store: store).remove(address)
        print(removed ? "\(address) may be mailed again." : "\(address) was not suppressed.")
        if !removed { throw ExitCode(1) }
    }
}
