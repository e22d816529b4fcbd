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

    /// One step of the flattened program: plain integers, so that running it copies no
    /// arrays and touches no reference counts (copying enum cases that carried the fixed
    /// text's arrays was a quarter of a render). A section's body follows it; `end` is the
    /// step after the body.
    struct Step: Sendable {
        enum Kind: UInt8, Sendable { case fixed, value, section, invertedSection, subject, preheader }
        var kind: Kind
        /// `fixed`: into ``Program/fixed``; `value` and sections: into ``Program/variables``.
        var index: Int32
        /// `value`: into ``Program/fallbacks``, -1 for none.
        var fallback: Int32 = -1
        var end: Int32 = 0
    }

    /// Bytes of ``Program/store``.
    struct Slice: Sendable {
        var start: Int32 = 0
        var count: Int32 = 0
    }

    /// A ``Fixed`` as slices of the store.
    struct FixedSteps: Sendable {
        var bytes: Slice, lookahead: Slice, held: Slice, rest: Slice
        var emitted: Int32, restColumn: Int32, breaks: Bool
        /// Into ``Program/leads``: the lead from column 0; 77 entries, one per start column.
        var lead: Int32
    }

    struct Lead: Sendable {
        var bytes: Slice
        var column: Int32
    }

    /// Everything the steps point into.
    struct Program: Sendable {
        var steps: [Step] = []
        var store: [UInt8] = []
        var fixed: [FixedSteps] = []
        var leads: [Lead] = []
        var variables: [TemplateVariable] = []
        var fallbacks: [Slice] = []

        mutating func slice(_ bytes: [UInt8]) -> Slice {
            defer { store += bytes }
            return Slice(start: Int32(store.count), count: Int32(bytes.count))
        }
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
        mutating func flush(lookahead: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
            guard !pending.isEmpty else { return }
            let emit = pending.count
            pending.append(contentsOf: lookahead)
            pending.withUnsafeBufferPointer { QuotedPrintable.encode($0, emitting: emit, column: &column, into: &out) }
            pending.removeAll(keepingCapacity: true)
        }
    }

    let program: Program
    /// Values are HTML-escaped (the HTML part).
    let escapesHTML: Bool

    init(_ sources: [Source], escapesHTML: Bool) {
        self.escapesHTML = escapesHTML
        var program = Program()
        Self.compile(sources, into: &program)
        self.program = program
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

    private static func compile(_ sources: [Source], into program: inout Program) {
        var text = ""
        func flush() {
            if !text.isEmpty { append(Fixed(text), to: &program) }
            text = ""
        }
        func variable(_ variable: TemplateVariable) -> Int32 {
            program.variables.append(variable)
            return Int32(program.variables.count - 1)
        }
        for source in sources {
            switch source {
            case .text(let t):
                text += t
            case .value(let value, let fallback):
                flush()
                var step = Step(kind: .value, index: variable(value))
                if let fallback {
                    program.fallbacks.append(program.slice(Array(fallback.utf8)))
                    step.fallback = Int32(program.fallbacks.count - 1)
                }
                program.steps.append(step)
            case .section(let value, let inverted, let body):
                flush()
                let at = program.steps.count
                program.steps.append(Step(kind: inverted ? .invertedSection : .section, index: variable(value)))
                compile(body, into: &program)
                program.steps[at].end = Int32(program.steps.count)
            case .subject:
                flush()
                program.steps.append(Step(kind: .subject, index: 0))
            case .preheader:
                flush()
                program.steps.append(Step(kind: .preheader, index: 0))
            }
        }
        flush()
    }

    private static func append(_ fixed: Fixed, to program: inout Program) {
        let lead = Int32(program.leads.count)
        for (bytes, column) in zip(fixed.lead, fixed.leadColumn) {
            program.leads.append(Lead(bytes: program.slice(bytes), column: Int32(column)))
        }
        program.fixed.append(FixedSteps(
            bytes: program.slice(fixed.bytes), lookahead: program.slice(fixed.lookahead), held: program.slice(fixed.held),
            rest: program.slice(fixed.rest), emitted: Int32(fixed.emitted), restColumn: Int32(fixed.restColumn),
            breaks: fixed.breaks, lead: lead))
        program.steps.append(Step(kind: .fixed, index: Int32(program.fixed.count - 1)))
    }

    /// Appends the part for one recipient, quoted-printable encoded, to `out`; `subject` and
    /// `preheader` are already HTML-escaped, `unsubscribeURL` is UTF-8.
    func render(_ c: CustomerFeatures, unsubscribeURL: [UInt8], subject: [UInt8], preheader: [UInt8],
                into out: inout [UInt8], buffers: inout Buffers) {
        buffers.pending.removeAll(keepingCapacity: true)
        buffers.column = 0
        if buffers.keepRaw { buffers.raw.removeAll(keepingCapacity: true) }
        program.store.withUnsafeBufferPointer { store in
            program.steps.withUnsafeBufferPointer { steps in
                program.fixed.withUnsafeBufferPointer { fixed in
                    program.leads.withUnsafeBufferPointer { leads in
                        run(steps, store, fixed, leads, c, unsubscribeURL, subject, preheader, &out, &buffers)
                    }
                }
            }
        }
        buffers.flush(lookahead: UnsafeBufferPointer(start: nil, count: 0), into: &out)
    }

    private func run(_ steps: UnsafeBufferPointer<Step>, _ store: UnsafeBufferPointer<UInt8>,
                     _ fixed: UnsafeBufferPointer<FixedSteps>, _ leads: UnsafeBufferPointer<Lead>,
                     _ c: CustomerFeatures, _ unsubscribeURL: [UInt8], _ subject: [UInt8], _ preheader: [UInt8],
                     _ out: inout [UInt8], _ b: inout Buffers) {
        func bytes(_ slice: Slice) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: store[Int(slice.start)..<Int(slice.start + slice.count)])
        }
        var at = 0
        while at < steps.count {
            let step = steps[at]
            at += 1
            switch step.kind {
            case .fixed:
                let piece = fixed[Int(step.index)]
                if b.keepRaw { b.raw.append(contentsOf: bytes(piece.bytes)) }
                guard piece.emitted > 0 else {
                    b.pending.append(contentsOf: bytes(piece.bytes))
                    continue
                }
                b.flush(lookahead: bytes(piece.lookahead), into: &out)
                let lead = leads[Int(piece.lead) + b.column]
                out.append(contentsOf: bytes(lead.bytes))
                b.column = Int(lead.column)
                if piece.breaks {
                    out.append(contentsOf: bytes(piece.rest))
                    b.column = Int(piece.restColumn)
                }
                b.pending.append(contentsOf: bytes(piece.held))
            case .value:
                let variable = program.variables[Int(step.index)]
                let start = b.pending.count
                if variable == .unsubscribeURL, !unsubscribeURL.isEmpty {
                    if escapesHTML { Self.appendEscapingHTML(unsubscribeURL, to: &b.pending) } else { b.pending += unsubscribeURL }
                } else if let value = variable.value(for: c, unsubscribeURL: ""), !value.isEmpty {
                    if escapesHTML { Self.appendEscapingHTML(value, to: &b.pending) } else { b.pending.append(contentsOf: value.utf8) }
                } else if step.fallback >= 0 {
                    b.pending.append(contentsOf: bytes(program.fallbacks[Int(step.fallback)]))
                }
                if b.keepRaw { b.raw += b.pending[start...] }
            case .section, .invertedSection:
                let variable = program.variables[Int(step.index)]
                let isEmpty = variable == .unsubscribeURL ? unsubscribeURL.isEmpty
                    : variable.value(for: c, unsubscribeURL: "")?.isEmpty ?? true
                // Into the body when it shows; past it otherwise.
                if isEmpty != (step.kind == .invertedSection) { at = Int(step.end) }
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
