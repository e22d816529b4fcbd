/// One template part compiled once per campaign: constants folded in, variables
/// resolved to lookups, so rendering a recipient is a walk over a short list.
struct CompiledPart: Sendable {
    enum Escaping: Sendable { case none, html }

    indirect enum Piece: Sendable {
        case text(String)
        case value(TemplateVariable, fallback: String?)
        case section(TemplateVariable, inverted: Bool, [Piece])
    }

    var pieces: [Piece]
    var escaping: Escaping

    /// Why a value could not be printed for one recipient.
    struct Problem: Sendable, Equatable {
        enum Kind: Sendable, Equatable { case empty, controlCharacter }
        var kind: Kind
        var field: String
    }

    init(tokens: [TemplateToken], escaping: Escaping, file: String, field: String,
         constants: [String: String], attributes: Set<String>?) throws {
        self.escaping = escaping
        var index = 0
        func resolve(_ tag: TemplateTag) throws -> TemplateVariable {
            guard let variable = TemplateVariable.named(tag.name, constants: constants, attributes: attributes) else {
                let names = TemplateVariable.allNames(constants: constants, attributes: attributes)
                throw InputError(file: file, line: tag.line, field: field, "unknown variable '\(tag.name)'",
                                 hint: didYouMean(tag.name, among: names) ?? "see the list of variables in the README")
            }
            if case .constant(let name, let value) = variable {
                if value.unicodeScalars.contains(where: isControl) {
                    throw InputError(file: file, line: tag.line, field: field, "\(name) contains a control character",
                                     hint: "remove line breaks and control characters from \(name)")
                }
                if value.isEmpty && tag.kind == .variable && tag.fallback == nil {
                    throw InputError(file: file, line: tag.line, field: field, "\(name) is empty but the template prints it",
                                     hint: name.hasPrefix("offer.") ? "set it under 'offer:' in the campaign or add a fallback {{\(name)|…}}"
                                        : "set it in hookline.yml or add a fallback {{\(name)|…}}")
                }
            }
            return variable
        }
        func build(until closing: TemplateTag?) throws -> [Piece] {
            var pieces: [Piece] = []
            while index < tokens.count {
                let token = tokens[index]
                index += 1
                switch token {
                case .text(let text):
                    pieces.append(.text(text))
                case .tag(let tag):
                    switch tag.kind {
                    case .variable:
                        let variable = try resolve(tag)
                        if case .constant(_, let value) = variable {
                            pieces.append(.text(Self.escape(value.isEmpty ? tag.fallback ?? "" : value, escaping)))
                        } else {
                            pieces.append(.value(variable, fallback: tag.fallback.map { Self.escape($0, escaping) }))
                        }
                    case .section, .inverted:
                        let variable = try resolve(tag)
                        let body = try build(until: tag)
                        if case .constant(_, let value) = variable {
                            if value.isEmpty == (tag.kind == .inverted) { pieces += body }
                        } else {
                            pieces.append(.section(variable, inverted: tag.kind == .inverted, body))
                        }
                    case .close:
                        guard let closing, closing.name == tag.name else {
                            throw InputError(file: file, line: tag.line, field: field,
                                             "'{{/\(tag.name)}}' closes no open section",
                                             hint: closing.map { "close '{{#\($0.name)}}' first with {{/\($0.name)}}" }
                                                ?? "remove it or open it with {{#\(tag.name)}}")
                        }
                        return pieces
                    }
                }
            }
            if let closing {
                throw InputError(file: file, line: closing.line, field: field, "'{{#\(closing.name)}}' is never closed",
                                 hint: "add {{/\(closing.name)}} where the section ends")
            }
            return pieces
        }
        pieces = try build(until: nil)
    }

    /// The variables this part prints or tests, for catchiness (personalisation) and docs.
    var variables: [TemplateVariable] {
        func walk(_ pieces: [Piece]) -> [TemplateVariable] {
            pieces.flatMap { piece -> [TemplateVariable] in
                switch piece {
                case .text: return []
                case .value(let v, _): return [v]
                case .section(let v, _, let body): return [v] + walk(body)
                }
            }
        }
        return walk(pieces)
    }

    /// Renders for one recipient; empty values without a fallback and values with control
    /// characters are reported in `problems` (the text is still produced, for preview).
    func render(_ c: CustomerFeatures, unsubscribeURL: String, problems: inout [Problem]) -> String {
        var out = ""
        out.reserveCapacity(256)
        render(pieces, c, unsubscribeURL, &out, &problems)
        return out
    }

    private func render(_ pieces: [Piece], _ c: CustomerFeatures, _ unsubscribeURL: String,
                        _ out: inout String, _ problems: inout [Problem]) {
        for piece in pieces {
            switch piece {
            case .text(let text):
                out += text
            case .value(let variable, let fallback):
                let value = variable.value(for: c, unsubscribeURL: unsubscribeURL) ?? ""
                if value.isEmpty {
                    if let fallback { out += fallback } else { problems.append(Problem(kind: .empty, field: variable.fieldName)) }
                    continue
                }
                if containsControl(value) {
                    problems.append(Problem(kind: .controlCharacter, field: variable.fieldName))
                }
                out += Self.escape(value, escaping)
            case .section(let variable, let inverted, let body):
                let value = variable.value(for: c, unsubscribeURL: unsubscribeURL) ?? ""
                if value.isEmpty == inverted { render(body, c, unsubscribeURL, &out, &problems) }
            }
        }
    }

    static func escape(_ text: String, _ escaping: Escaping) -> String {
        guard escaping == .html, text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
        else { return text }
        var out = ""
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

/// C0 and C1 controls, DEL and the Unicode line/paragraph separators: none may come from data.
func isControl(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
}

/// True when any scalar of `text` is ``isControl(_:)``, read from the UTF-8 bytes without decoding.
func containsControl(_ text: String) -> Bool { containsControl(bytes: text.utf8) }

/// ``containsControl(_:)`` on UTF-8 bytes.
func containsControl<Bytes: Sequence>(bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
    var previous: UInt8 = 0, beforePrevious: UInt8 = 0
    for byte in bytes {
        if byte < 0x20 || byte == 0x7F { return true }
        // U+0080…U+009F are C2 80…C2 9F; U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
        if previous == 0xC2 && byte >= 0x80 && byte <= 0x9F { return true }
        if beforePrevious == 0xE2 && previous == 0x80 && (byte == 0xA8 || byte == 0xA9) { return true }
        beforePrevious = previous
        previous = byte
    }
    return false
}
