import Foundation
import Ink

/// The light Markdown of stories and hooks: paragraphs, `*emphasis*`, `**strong**`,
/// `[text](url)` links and bare `https://` links. Converted once per campaign, with
/// variables still as markers, to HTML (Ink) and to plain text (here).
enum LightMarkdown {
    /// A link as written: its visible text (nil for a bare URL) and its target.
    struct Link: Sendable, Equatable {
        var text: String?
        var url: String
    }

    private static let linkPattern = try? NSRegularExpression(pattern: #"\[([^\]]*)\]\(([^)\s]+)\)|(https?://[^\s<>()\]]+)"#)

    static func links(in source: String) -> [Link] {
        guard let pattern = linkPattern else { return [] }
        let ns = source as NSString
        return pattern.matches(in: source, range: NSRange(location: 0, length: ns.length)).map { match in
            if match.range(at: 2).location != NSNotFound {
                return Link(text: ns.substring(with: match.range(at: 1)), url: ns.substring(with: match.range(at: 2)))
            }
            return Link(text: nil, url: ns.substring(with: match.range(at: 3)))
        }
    }

    /// Rewrites every link target with `transform` (e.g. to add UTM parameters).
    static func rewritingLinks(_ source: String, _ transform: (String) -> String) -> String {
        rewritingLinksWithText(source) { text, url in text.map { "[\($0)](\(transform(url)))" } ?? transform(url) }
    }

    static func html(_ source: String) -> String {
        MarkdownParser().html(from: source)
    }

    /// Plain text: emphasis markers dropped, `[text](url)` as `text (url)`, paragraphs kept.
    static func text(_ source: String) -> String {
        var links: [String] = []
        // Links first, so that underscores in URLs are never read as emphasis.
        let protected = rewritingLinksWithText(source) { text, url in
            links.append(url)
            let marker = "\u{E002}\(links.count - 1)\u{E003}"
            return text.map { "\($0) (\(marker))" } ?? marker
        }
        var text = protected
        for marker in ["**", "__"] { text = text.replacingOccurrences(of: marker, with: "") }
        text = text.replacingOccurrences(of: #"(^|[\s(])[*_](\S(?:[^*_]*\S)?)[*_](?=$|[\s.,;:!?)])"#, with: "$1$2",
                                         options: .regularExpression)
        for (index, url) in links.enumerated().reversed() {
            text = text.replacingOccurrences(of: "\u{E002}\(index)\u{E003}", with: url)
        }
        let paragraphs = text.components(separatedBy: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .split(separator: "", omittingEmptySubsequences: true)
            .map { $0.joined(separator: "\n") }
        return paragraphs.joined(separator: "\n\n")
    }

    private static func rewritingLinksWithText(_ source: String, _ replace: (String?, String) -> String) -> String {
        guard let pattern = linkPattern else { return source }
        let ns = source as NSString
        var out = ""
        var last = 0
        for match in pattern.matches(in: source, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            if match.range(at: 2).location != NSNotFound {
                out += replace(ns.substring(with: match.range(at: 1)), ns.substring(with: match.range(at: 2)))
            } else {
                out += replace(nil, ns.substring(with: match.range(at: 3)))
            }
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }

    /// Adds `utm_source`, `utm_medium` and `utm_campaign` before any `#fragment`,
    /// leaving URLs that already carry UTM parameters, and non-web links, alone.
    static func addingUTM(_ url: String, _ utm: Campaign.UTM) -> String {
        guard utm.enabled, url.hasPrefix("http://") || url.hasPrefix("https://"), !url.contains("utm_") else { return url }
        let fragmentStart = url.firstIndex(of: "#") ?? url.endIndex
        let base = url[..<fragmentStart]
        let separator = base.contains("?") ? "&" : "?"
        return base + separator + "utm_source=\(utm.source)&utm_medium=\(utm.medium)&utm_campaign=\(utm.campaign)"
            + url[fragmentStart...]
    }
}
