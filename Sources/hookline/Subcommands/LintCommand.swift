import ArgumentParser
import Foundation
import HooklineKit

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a campaign, a template or one subject line against the content rules.",
        discussion: """
            CAMPAIGN: its template against two synthetic customers and the campaign's real audience.
            TEMPLATE (templates/NAME.md): against two synthetic customers, with a sample offer.
            --subject "TEXT": one headline alone, with its catchiness score.
            Exit 1 when any error-level finding remains, 0 otherwise.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: ArgumentHelp("A campaign id or file, or a template name or file.", valueName: "campaign|template"))
    var target: String?

    @Option(help: ArgumentHelp("Check this subject line alone.", valueName: "text"))
    var subject: String?

    @Option(help: ArgumentHelp("The subject's language for --subject: en, ru or el (default: by its script).", valueName: "lang"))
    var lang: String?

    func validate() throws {
        if (target == nil) == (subject == nil) {
            throw ValidationError("give either a campaign or template, or --subject \"TEXT\"")
        }
        if let lang, !SpamPhrases.languages.contains(lang) {
            throw ValidationError("--lang must be one of \(SpamPhrases.languages.joined(separator: ", "))")
        }
    }

    func run() throws {
        try reportingErrors {
            let report: LintReport
            if let subject {
                report = Lint.subject(subject, language: lang)
            } else if let target {
                let workspace = try global.openWorkspace()
                let now = try global.resolvedNow()
                let isTemplate = target.hasSuffix(".md")
                    || FileManager.default.fileExists(atPath: workspace.url("templates/\(target).md").path)
                        && !FileManager.default.fileExists(atPath: workspace.url("campaigns/\(target).yml").path)
                report = isTemplate
                    ? try Lint.template(named: target.hasPrefix("templates/") ? String(target.dropFirst(10)) : target,
                                        workspace: workspace, now: now)
                    : try Lint.campaign(Campaign.named(target, in: workspace), workspace: workspace, now: now)
            } else {
                return
            }
            if output.json { try printJSON(report) } else { print(report.summary) }
            if report.hasErrors { throw ExitCode(1) }
        }
    }
}
