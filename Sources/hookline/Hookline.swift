import ArgumentParser

@main
struct Hookline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookline",
        abstract: "Plan, check and send retention email campaigns from your shop's own data.",
        subcommands: [SegmentsCommand.self])
}
