/// One part of a message (text/plain or text/html) compiled to bytes, for rendering a
/// campaign's recipients straight into quoted-printable.
///
/// The quoted-printable encoder's only state is the column and it looks at most 4 bytes
/// ahead (see ``QuotedPrintable``), so fixed text is encoded here, once for each column it
/// can start at; a message only encodes its values and a few bytes around them, and copies
/// the rest. The result is byte for byte the encoding of the whole rendered part.
struct BodyProgram: Sendable {
    /// What a part is made of, before fixed text is merged and encoded.
    indirect enum Source: Sendable {
        case text(String)
        /// A recipient's value; `fallback` is already escaped for the part.
        case value(TemplateVariable, fallback: String?)
        case section(TemplateVariable, inverted: Bool, [Source])
        /// The subject and preheader slots of the layout (HTML only).
        case subject, preheader
    }

    indirect enum Op: Sendable {
        case fixed(Fixed)
        case value(TemplateVariable, fallback: [UInt8]?)
        case section(TemplateVariable, inverted: Bool, [Op])
        case subject, preheader
    }

    /// Fixed text, encoded ahead for every column it can start at.
    struct Fixed: Sendable {
        /// As written, for the unencoded copy and as the lookahead of the bytes before it.
        var bytes: [UInt8]
        var lookahead: [UInt8]
        /// How many leading bytes are encoded ahead; the rest (`held`, up to 4) wait for the
        /// next piece, which their encoding looks at. 0 when nothing is (short, or has a CR).
        var emitted: Int
        var held: [UInt8]
        /// `bytes[..<leadEnd]` encoded from each start column 0…76, and the column after.
        var lead: [[UInt8]]
        var leadColumn: [Int]
        /// When the lead ends with a line break: the rest up to `emitted`, from column 0.
        var rest: [UInt8]
        var restColumn: Int
        var breaks: Bool

        init(_ text: String) {
            bytes = Array(text.utf8)
            lookahead = Array(bytes.prefix(4))
            let firstBreak = bytes.firstIndex(of: 0x0A)
            emitted = bytes.contains(0x0D) ? 0 : max(0, bytes.count - 4, firstBreak.map { $0 + 1 } ?? 0)
            held = Array(bytes[emitted...])
            breaks = firstBreak != nil && emitted > 0
            let leadEnd = breaks ? (firstBreak ?? 0) + 1 : emitted
            (lead, leadColumn, rest, restColumn) = ([], [], [], 0)
            guard emitted > 0 else { return }
            bytes.withUnsafeBufferPointer { all in
                for start in 0...76 {
                    var encoded: [UInt8] = [], column = start
                    QuotedPrintable.encode(all, emitting: leadEnd, column: &column, into: &encoded)
                    lead.append(encoded)
                    leadColumn.append(column)
                }
                if breaks {
                    QuotedPrintable.encode(UnsafeBufferPointer(rebasing: all[leadEnd...]), emitting: emitted - leadEnd,
                                           column: &restColumn, into: &rest)
                }
            }
        }
    }

    /// Per-worker scratch space, reused between messages.
    struct Buffers {
        /// Raw bytes not encoded yet: values, and fixed bytes whose encoding depends on what follows.
        var pending: [UInt8] = []
        var column = 0
        /// The unencoded part, collected only when someone needs it (the HTML files of --out).
        var raw: [UInt8] = []
        var keepRaw = false

        /// Encodes the pending bytes, which `lookahead` (the next bytes of the part) follows.
        mutating func flush(lookahead: [UInt8], into out: inout [UInt8]) {
            guard !pending.isEmpty else { return }
            let emit = pending.count
            pending += lookahead
            pending.withUnsafeBufferPointer { QuotedPrintable.encode($0, emitting: emit, column: &column, into: &out) }
            pending.removeAll(keepingCapacity: true)
        }
    }

    let ops: [Op]
    /// Values are HTML-escaped (the HTML part).
    let escapesHTML: Bool

    init(_ sources: [Source], escapesHTML: Bool) {
        self.escapesHTML = escapesHTML
        ops = Self.compile(sources)
    }

    /// A compiled template part as sources.
    static func sources(_ part: CompiledPart) -> [Source] {
        func convert(_ pieces: [CompiledPart.Piece]) -> [Source] {
            pieces.map { piece in
                switch piece {
                case .text(let text): return .text(text)
                case .value(let variable, let fallback): return .value(variable, fallback: fallback)
                case .section(let variable, let inverted, let body): return .section(variable, inverted: inverted, convert(body))
                }
            }
        }
        return convert(part.pieces)
    }

    private static func compile(_ sources: [Source]) -> [Op] {
        var ops: [Op] = []
        var text = ""
        func flush() {
            if !text.isEmpty { ops.append(.fixed(Fixed(text))) }
            text = ""
        }
        for source in sources {
            switch source {
            case .text(let t):
                text += t
            case .value(let variable, let fallback):
                flush()
                ops.append(.value(variable, fallback: fallback.map { Array($0.utf8) }))
            case .section(let variable, let inverted, let body):
                flush()
                ops.append(.section(variable, inverted: inverted, compile(body)))
            case .subject:
                flush()
                ops.append(.subject)
            case .preheader:
                flush()
                ops.append(.preheader)
            }
        }
        flush()
        return ops
    }

    /// Appends the part for one recipient, quoted-printable encoded, to `out`; `subject` and
    /// `preheader` are already HTML-escaped, `unsubscribeURL` is UTF-8.
    func render(_ c: CustomerFeatures, unsubscribeURL: [UInt8], subject: [UInt8], preheader: [UInt8],
                into out: inout [UInt8], buffers: inout Buffers) {
        buffers.pending.removeAll(keepingCapacity: true)
        buffers.column = 0
        if buffers.keepRaw { buffers.raw.removeAll(keepingCapacity: true) }
        run(ops, c, unsubscribeURL, subject, preheader, &out, &buffers)
        buffers.flush(lookahead: [], into: &out)
    }

    private func run(_ ops: [Op], _ c: CustomerFeatures, _ unsubscribeURL: [UInt8], _ subject: [UInt8], _ preheader: [UInt8],
                     _ out: inout [UInt8], _ b: inout Buffers) {
        for op in ops {
            switch op {
            case .fixed(let fixed):
                if b.keepRaw { b.raw += fixed.bytes }
                guard fixed.emitted > 0 else {
                    b.pending += fixed.bytes
                    continue
                }
                b.flush(lookahead: fixed.lookahead, into: &out)
                out += fixed.lead[b.column]
                b.column = fixed.leadColumn[b.column]
                if fixed.breaks {
                    out += fixed.rest
                    b.column = fixed.restColumn
                }
                b.pending += fixed.held
            case .value(let variable, let fallback):
                let start = b.pending.count
                if variable == .unsubscribeURL, !unsubscribeURL.isEmpty {
                    if escapesHTML { Self.appendEscapingHTML(unsubscribeURL, to: &b.pending) } else { b.pending += unsubscribeURL }
                } else if let value = variable.value(for: c, unsubscribeURL: ""), !value.isEmpty {
                    if escapesHTML { Self.appendEscapingHTML(value, to: &b.pending) } else { b.pending.append(contentsOf: value.utf8) }
                } else if let fallback {
                    b.pending += fallback
                }
                if b.keepRaw { b.raw += b.pending[start...] }
            case .section(let variable, let inverted, let body):
                let isEmpty = variable == .unsubscribeURL ? unsubscribeURL.isEmpty
                    : variable.value(for: c, unsubscribeURL: "")?.isEmpty ?? true
                if isEmpty == inverted { run(body, c, unsubscribeURL, subject, preheader, &out, &b) }
            case .subject:
                b.pending += subject
                if b.keepRaw { b.raw += subject }
            case .preheader:
                b.pending += preheader
                if b.keepRaw { b.raw += preheader }
            }
        }
    }

    /// The bytes of ``CompiledPart/escape(_:_:)`` with `.html`.
    static func appendEscapingHTML(_ text: String, to out: inout [UInt8]) { appendEscapingHTML(text.utf8, to: &out) }

    static func appendEscapingHTML<Bytes: Sequence>(_ bytes: Bytes, to out: inout [UInt8]) where Bytes.Element == UInt8 {
        for byte in bytes {
            switch byte {
            case 0x26: out.append(contentsOf: "&amp;".utf8)
            case 0x3C: out.append(contentsOf: "&lt;".utf8)
            case 0x3E: out.append(contentsOf: "&gt;".utf8)
            case 0x22: out.append(contentsOf: "&quot;".utf8)
            case 0x27: out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
    }
}
