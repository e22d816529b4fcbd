import Foundation

/// A template compiled for one campaign: every part parsed, Markdown converted, links
/// tagged with UTM parameters and constants folded in — the work done once, not per recipient.
struct CompiledTemplate: Sendable {
    struct MarkdownPart: Sendable {
        var text: CompiledPart
        var html: CompiledPart
        /// Link targets, still with their variables.
        var links: [CompiledPart]
    }

    var subject: CompiledPart
    var preheader: CompiledPart?
    var story: MarkdownPart
    var hook: MarkdownPart
    var footer: MarkdownPart
    var language: String
    /// True when the subject prints a customer value (a catchiness signal).
    var personalisedSubject: Bool

    /// Whether some part prints or tests a value computed from the order history. When none
    /// does, a customer's own fields are all that rendering reads.
    var readsHistory: Bool { variables.contains(where: \.readsHistory) }

    /// Whether some part prints or tests an extra column of `customers.csv`.
    var readsAttributes: Bool {
        variables.contains { if case .attribute = $0 { return true } else { return false } }
    }

    /// Every variable of every part, repeats included.
    private var variables: [TemplateVariable] {
        let parts = [subject, preheader].compactMap { $0 } + [story, hook, footer].flatMap { [$0.text, $0.html] + $0.links }
        return parts.flatMap(\.variables)
    }

    init(template: TemplateFile, campaign: Campaign, config: WorkspaceConfig, attributes: Set<String>?) throws {
        let constants = TemplateVariable.constants(config: config, campaign: campaign)
        func plain(_ part: TemplateFile.Part, _ field: String) throws -> CompiledPart {
            let tokens = try TemplateTags.tokenize(part.text, file: template.file, line: part.line, field: field)
            return try CompiledPart(tokens: tokens, escaping: .none, file: template.file, field: field,
                                    constants: constants, attributes: attributes)
        }
        subject = try plain(template.subject, "subject")
        preheader = try template.preheader.map { try plain($0, "preheader") }
        language = campaign.language ?? SpamPhrases.detectLanguage(template.subject.text + template.story.text)
        personalisedSubject = subject.variables.contains { !$0.isConstant }
        story = try Self.markdown(template.story, file: template.file, field: "story", utm: campaign.utm,
                                  constants: constants, attributes: attributes)
        hook = try Self.markdown(template.hook, file: template.file, field: "hook", utm: campaign.utm,
                                 constants: constants, attributes: attributes)
        if let custom = template.footer {
            footer = try Self.markdown(custom, file: template.file, field: "footer", utm: nil,
                                       constants: constants, attributes: attributes)
        } else {
            guard let url = Bundle.module.url(forResource: "footer.\(language)", withExtension: "md"),
                  let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw OperationError("the built-in footer is missing from the Hookline bundle", hint: "reinstall Hookline")
            }
            do {
                footer = try Self.markdown(TemplateFile.Part(text: text, line: 1), file: "footer", field: "footer", utm: nil,
                                           constants: constants, attributes: attributes)
            } catch var error as InputError where error.field == "footer" {
                // The default footer prints the postal address: say where to set it.
                error.file = Workspace.configFile
                error.line = nil
                error.field = "shop.address"
                error.message = "the footer prints the shop's postal address, which is not set"
                error.hint = "add 'shop: {address: \"…\"}' to hookline.yml (anti-spam law requires it) or write a footer part"
                throw error
            }
        }
    }

    private static func markdown(_ part: TemplateFile.Part, file: String, field: String, utm: Campaign.UTM?,
                                 constants: [String: String], attributes: Set<String>?) throws -> MarkdownPart {
        let tokens = try TemplateTags.tokenize(part.text, file: file, line: part.line, field: field)
        var (marked, tags) = TemplateTags.marked(tokens)
        if let utm { marked = LightMarkdown.rewritingLinks(marked) { LightMarkdown.addingUTM($0, utm) } }
        func compile(_ text: String, _ escaping: CompiledPart.Escaping) throws -> CompiledPart {
            try CompiledPart(tokens: TemplateTags.unmarked(text, tags: tags), escaping: escaping, file: file, field: field,
                             constants: constants, attributes: attributes)
        }
        return MarkdownPart(text: try compile(LightMarkdown.text(marked), .none),
                            html: try compile(LightMarkdown.html(marked), .html),
                            links: try LightMarkdown.links(in: marked).map { try compile($0.url, .none) })
    }
}
