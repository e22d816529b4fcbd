import Foundation
import Mustache

/// The HTML page a message's body sits in: `Resources/layout.html`, or the file named by
/// `layout:` in `hookline.yml`. A layout is Mustache with `{{{content}}}` (story and hook),
/// `{{{footer}}}`, `{{subject}}`, `{{preheader}}`, `{{lang}}`, `{{shop.name}}` and `{{shop.url}}`.
///
/// It is rendered once per campaign with markers in the per-recipient places, then cut
/// at the markers, so each message only joins a few strings.
struct Layout: Sendable {
    enum Slot: Int, Sendable, CaseIterable { case subject, preheader, content, footer }
    enum Piece: Sendable { case text(String), slot(Slot) }

    var pieces: [Piece]

    static func load(config: WorkspaceConfig, root: URL, language: String) throws -> Layout {
        let source: String
        let name: String
        if let node = config.sections["layout"] {
            let path = try node.string()
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
            guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
                throw node.error("cannot read the layout '\(path)'", hint: "give the path of a UTF-8 HTML file, relative to the workspace")
            }
            source = text
            name = path
        } else {
            guard let url = Bundle.module.url(forResource: "layout", withExtension: "html"),
                  let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw OperationError("the built-in layout is missing from the Hookline bundle", hint: "reinstall Hookline")
            }
            source = text
            name = "layout.html"
        }
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: source)
        } catch {
            throw InputError(file: name, "the layout is not valid Mustache: \(error)", hint: "check the {{…}} tags")
        }
        let context: [String: Any] = [
            "subject": marker(.subject), "preheader": marker(.preheader), "content": marker(.content),
            "footer": marker(.footer), "lang": language,
            "shop": ["name": config.shop.name, "url": config.shop.url],
        ]
        let rendered = template.render(context)
        guard rendered.contains(marker(.content)) else {
            throw InputError(file: name, field: "layout", "the layout has no {{{content}}}",
                             hint: "put {{{content}}} where the story and hook go")
        }
        return Layout(pieces: split(rendered))
    }

    private static func marker(_ slot: Slot) -> String { "\u{E004}\(slot.rawValue)\u{E005}" }

    private static func split(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let start = rest.firstIndex(of: "\u{E004}"), let end = rest[start...].firstIndex(of: "\u{E005}"),
              let raw = Int(rest[rest.index(after: start)..<end]), let slot = Slot(rawValue: raw) {
            pieces.append(.text(String(rest[..<start])))
            pieces.append(.slot(slot))
            rest = rest[rest.index(after: end)...]
        }
        pieces.append(.text(String(rest)))
        return pieces
    }

    func render(subject: String, preheader: String, content: String, footer: String) -> String {
        var out = ""
        out.reserveCapacity(4096)
        for piece in pieces {
            switch piece {
            case .text(let text): out += text
            case .slot(.subject): out += CompiledPart.escape(subject, .html)
            case .slot(.preheader): out += CompiledPart.escape(preheader, .html)
            case .slot(.content): out += content
            case .slot(.footer): out += footer
            }
        }
        return out
    }
}
