/// The Mustache tags of a template part: `{{name}}`, `{{name|fallback}}`, `{{#name}}`,
/// `{{^name}}`, `{{/name}}` and comments `{{! … }}`. Other Mustache forms (partials,
/// triple braces, delimiter changes) are refused with a hint, because output escaping is
/// decided by Hookline per part (none in text and headers, HTML-escaped in HTML).
struct TemplateTag: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case variable, section, inverted, close }
    var kind: Kind
    var name: String
    var fallback: String?
    var line: Int
}

enum TemplateToken: Sendable, Equatable {
    case text(String)
    case tag(TemplateTag)
}

enum TemplateTags {
    /// Marks a tag's place while Markdown is converted: private-use characters no data or
    /// Markdown processor produces, around the tag's index.
    static let open: Character = "\u{E000}"
    static let close: Character = "\u{E001}"

    static func tokenize(_ text: String, file: String, line firstLine: Int, field: String) throws -> [TemplateToken] {
        var tokens: [TemplateToken] = []
        var rest = Substring(text)
        var line = firstLine
        while let start = rest.range(of: "{{") {
            let before = rest[..<start.lowerBound]
            line += before.filter { $0 == "\n" }.count
            if !before.isEmpty { tokens.append(.text(String(before))) }
            guard let end = rest[start.upperBound...].range(of: "}}") else {
                throw InputError(file: file, line: line, field: field, "'{{' is never closed", hint: "close the tag with '}}'")
            }
            var inner = rest[start.upperBound..<end.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[end.upperBound...]
            if inner.hasPrefix("!") { continue }
            if inner.hasPrefix("{") || inner.hasPrefix("&") || inner.hasPrefix(">") || inner.hasPrefix("=") {
                throw InputError(file: file, line: line, field: field, "'{{\(inner)}}' is not supported in Hookline templates",
                                 hint: "write {{name}}; Hookline escapes values itself (HTML in the HTML part only)")
            }
            if rest.hasPrefix("}") { rest = rest.dropFirst() }
            var kind = TemplateTag.Kind.variable
            if let first = inner.first, "#^/".contains(first) {
                kind = first == "#" ? .section : first == "^" ? .inverted : .close
                inner = inner.dropFirst().trimmingCharacters(in: .whitespaces)
            }
            var fallback: String?
            if let bar = inner.firstIndex(of: "|") {
                guard kind == .variable else {
                    throw InputError(file: file, line: line, field: field, "a section tag cannot have a fallback",
                                     hint: "use {{^\(inner[..<bar])}}…{{/\(inner[..<bar])}} for the text shown without a value")
                }
                fallback = String(inner[inner.index(after: bar)...])
                inner = String(inner[..<bar]).trimmingCharacters(in: .whitespaces)
            }
            guard !inner.isEmpty, inner.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
                throw InputError(file: file, line: line, field: field, "'{{\(inner)}}' is not a variable name",
                                 hint: "names are like first_name, offer.code, shop.url")
            }
            tokens.append(.tag(TemplateTag(kind: kind, name: inner, fallback: fallback, line: line)))
        }
        if !rest.isEmpty { tokens.append(.text(String(rest))) }
        return tokens
    }

    /// The tokens' text with each tag replaced by its marker.
    static func marked(_ tokens: [TemplateToken]) -> (String, [TemplateTag]) {
        var text = ""
        var tags: [TemplateTag] = []
        for token in tokens {
            switch token {
            case .text(let t): text += t
            case .tag(let tag):
                text.append(open)
                text += String(tags.count)
                text.append(close)
                tags.append(tag)
            }
        }
        return (text, tags)
    }

    /// Undoes ``marked(_:)`` on converted text.
    static func unmarked(_ text: String, tags: [TemplateTag]) -> [TemplateToken] {
        var tokens: [TemplateToken] = []
        var rest = Substring(text)
        while let start = rest.firstIndex(of: open), let end = rest[start...].firstIndex(of: close),
              let index = Int(rest[rest.index(after: start)..<end]), tags.indices.contains(index) {
            if start > rest.startIndex { tokens.append(.text(String(rest[..<start]))) }
            tokens.append(.tag(tags[index]))
            rest = rest[rest.index(after: end)...]
        }
        if !rest.isEmpty { tokens.append(.text(String(rest))) }
        return tokens
    }
}
