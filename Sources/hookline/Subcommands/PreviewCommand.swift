import ArgumentParser
import Foundation
import HooklineKit

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "The dry run: who would get what, with every content rule checked. Never sends.",
        discussion: """
            With --out DIR: one .eml per recipient (exactly as it would be sent), the HTML parts in \
            html/ (256 to a page) and index.html to browse them. Exit 1 when any recipient's message \
            has an error-level finding.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("The campaign id or file.", valueName: "campaign"))
    var campaign: String

    @Option(help: ArgumentHelp("Write .eml files and index.html to this folder.", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("Render only the first N recipients.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let workspace = try global.openWorkspace()
            let campaign = try Campaign.named(self.campaign, in: workspace)
            // The JSON streams out while rendering: a million recipients never sit in memory.
            let json: Preview.JSONSink? = output.json ? { FileHandle.standardOutput.write(Data($0)) } : nil
            let report = try Preview.run(workspace: workspace, campaign: campaign, now: try global.resolvedNow(),
                                         out: out.map { URL(fileURLWithPath: $0) }, limit: limit, json: json)
            if !output.json {
                print(report.summary())
                if let out { print("\nWrote \(report.rendered) messages and index.html to \(out)") }
            }
            if report.hasErrors { throw ExitCode(1) }
        }
    }
}
