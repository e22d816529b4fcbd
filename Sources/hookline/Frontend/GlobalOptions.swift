import ArgumentParser
import Foundation
import HooklineKit

/// Options every command accepts, before or after the command name.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The workspace folder.", valueName: "dir"))
    var workspace: String = "."

    @Option(name: .long, help: ArgumentHelp(
        "The moment to compute features at (ISO 8601, e.g. 2026-11-20 or 2026-11-20T09:00+01:00). Default: now.",
        valueName: "time"))
    var now: String?

    func resolvedNow() throws -> Date {
        guard let now else { return Date() }
        guard let date = ISODate.date(now) else {
            throw InputError(field: "--now", "'\(now)' is not an ISO 8601 date or date-time",
                             hint: "write 2026-11-20 or 2026-11-20T09:00:00+01:00")
        }
        return date
    }

    func openWorkspace() throws -> Workspace {
        try Workspace(root: URL(fileURLWithPath: workspace))
    }
}

/// `--json` for commands that report.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document on stdout instead of the human report.")
    var json = false
}
