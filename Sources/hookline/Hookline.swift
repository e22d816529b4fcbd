import ArgumentParser
import Foundation

@main
struct Hookline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookline",
        abstract: "Plan, check and send retention email campaigns from your shop's own data.",
        discussion: "Exit codes: 0 success, 1 findings or failures to act on, 2 usage or input errors.",
        subcommands: [
            ImportCommand.self, SegmentsCommand.self, CustomerCommand.self, AudienceCommand.self, LintCommand.self,
            PreviewCommand.self, SendCommand.self, RunCommand.self, StatusCommand.self, SuppressCommand.self,
            UnsuppressCommand.self, ResolveCommand.self, ReportCommand.self,
        ])

    @OptionGroup var global: GlobalOptions

    /// ArgumentParser reports usage mistakes with exit code 64; Hookline's contract says 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
