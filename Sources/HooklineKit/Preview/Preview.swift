import Foundation

/// The dry run: renders every recipient of a campaign in parallel, never sends.
public enum Preview {
    /// Receives recipients in audience order, a run at a time, from one thread at a time.
    public typealias Rows = ([PreviewReport.Recipient]) throws -> Void
    /// Receives the JSON document (``PreviewJSON``) in order, a piece at a time.
    public typealias JSONSink = ([UInt8]) throws -> Void

    /// Evaluates the campaign's audience at `now`, renders and checks every member, and with
    /// `out` writes one `.eml` per recipient plus `index.html` (see ``PreviewWriter``).
    public static func run(workspace: Workspace, campaign: Campaign, now: Date, out: URL? = nil, limit: Int? = nil,
                           json: JSONSink? = nil) throws -> PreviewReport {
        let (_, snapshot) = try workspace.snapshot(now: now)
        let audience = campaign.audience.evaluate(snapshot, rules: SegmentRules(thresholds: workspace.config.segments))
        var attributes: Set<String> = []
        for member in snapshot.customers { attributes.formUnion(member.customer.attributes.keys) }
        let composer = try Composer(workspace: workspace, campaign: campaign, secret: try WorkspaceSecret.load(in: workspace),
                                    attributes: attributes)
        let members = AudienceMembers(members: audience.members.prefix(limit ?? audience.members.count))
        let writer = try out.map { try PreviewWriter(folder: $0) }
        let report = PreviewReport(campaign: campaign.id, audience: audience.members.count,
                                   skipped: audience.skipped.map { .init(customerID: $0.customerId, reason: $0.reason) })
        return try renderMembers(members, composer: composer, report: report, writer: writer, rows: nil, json: json)
    }

    /// Renders `members` with `composer` on all cores, keeping only counts, groups and the
    /// first recipients; `rows`, `json` and `writer` get each recipient as it is rendered.
    /// `report` brings the campaign, audience size and skipped members (default: just these members).
    public static func render(_ members: [CustomerFeatures], composer: Composer, report: PreviewReport? = nil,
                              writer: PreviewWriter? = nil, rows: Rows? = nil, json: JSONSink? = nil) throws -> PreviewReport {
        try renderMembers(members, composer: composer, report: report, writer: writer, rows: rows, json: json)
    }

    static func renderMembers<Members: RandomAccessCollection & Sendable>(
        _ members: Members, composer: Composer, report: PreviewReport?, writer: PreviewWriter?,
        rows: Rows?, json: JSONSink?
    ) throws -> PreviewReport where Members.Element == CustomerFeatures, Members.Index == Int {
        let started = DispatchTime.now().uptimeNanoseconds
        var report = report ?? PreviewReport(campaign: composer.campaign.id, audience: members.count, skipped: [])
        report.samples = members.prefix(3).map { composer.render($0) }
        try json?(PreviewJSON.head(campaign: report.campaign, audience: report.audience))
        let merge = OrderedMerge(report: report, count: members.count, rows: rows, json: json, writer: writer)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let (keepRows, wantsJSON) = (rows != nil, json != nil)
        DispatchQueue.concurrentPerform(iterations: min(workers, merge.chunks)) { _ in
            let cache = RenderCache(keepsHTML: writer != nil)
            var message: [UInt8] = []
            message.reserveCapacity(16_384)
            while let (chunk, range) = merge.claim() {
                var part = ChunkPart(keepRows: keepRows, json: wantsJSON, index: writer != nil)
                for index in range {
                    let member = members[members.startIndex + index]
                    message.removeAll(keepingCapacity: true)
                    let line = composer.render(member, cache: cache, into: &message)
                    let recipient = PreviewReport.Recipient(customerID: member.customer.id, email: member.customer.email ?? "",
                                                            subject: line.subject, words: line.words, findings: line.findings)
                    part.add(recipient, first: index == 0, bytes: message.count)
                    if let writer, part.error == nil {
                        do { try writer.write(customerID: recipient.customerID, eml: message, html: cache.html) } catch {
                            part.error = error
                        }
                    }
                }
                merge.deliver(chunk, part)
            }
        }
        report = try merge.finish()
        try json?(PreviewJSON.tail(recipients: report.rendered, skipped: report.skipped))
        try writer?.finish(report)
        report.renderSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return report
    }
}

/// An audience's members as features, without copying a million of them into a new array.
struct AudienceMembers: RandomAccessCollection, Sendable {
    let members: ArraySlice<AudienceResult.Member>
    var startIndex: Int { 0 }
    var endIndex: Int { members.count }
    subscript(index: Int) -> CustomerFeatures { members[members.startIndex + index].features }
}

/// What one worker learnt from a run of consecutive recipients.
private struct ChunkPart {
    var count = 0, withErrors = 0, bytes = 0
    var groups = FindingGroups()
    var first: [PreviewReport.Recipient] = []
    var rows: [PreviewReport.Recipient]?
    var json: [UInt8]?
    /// `index.html` rows by rank (ok, warnings, errors), and the first customer of each.
    var index: [[UInt8]]?
    var indexFirst: [String?] = [nil, nil, nil]
    var error: Error?

    init(keepRows: Bool, json: Bool, index: Bool) {
        rows = keepRows ? [] : nil
        self.json = json ? [] : nil
        self.index = index ? [[], [], []] : nil
    }

    mutating func add(_ r: PreviewReport.Recipient, first isFirst: Bool, bytes: Int) {
        count += 1
        self.bytes += bytes
        if r.findings.hasErrors { withErrors += 1 }
        groups.add(r.findings, customerID: r.customerID)
        if first.count < PreviewReport.listed { first.append(r) }
        rows?.append(r)
        if var text = json.take() {
            PreviewJSON.recipient(r, first: isFirst, into: &text)
            json = text
        }
        if var rows = index.take() {
            let rank = PreviewIndex.rank(r)
            rows[rank] += PreviewIndex.row(r)
            if indexFirst[rank] == nil { indexFirst[rank] = r.customerID }
            index = rows
        }
    }
}

/// Hands out runs of recipients to the workers and folds their parts into the report in
/// audience order, passing rows on as soon as every earlier run is in.
private final class OrderedMerge: @unchecked Sendable {
    /// Small enough that little waits in memory for an earlier run, large enough to amortise the lock.
    static let chunkSize = 2048
    let count: Int
    let chunks: Int
    private let lock = NSLock()
    private var report: PreviewReport
    private var groups = FindingGroups()
    private var claimed = 0
    private var next = 0
    private var waiting: [Int: ChunkPart] = [:]
    private var error: Error?
    private let rows: Preview.Rows?
    private let json: Preview.JSONSink?
    private let writer: PreviewWriter?

    init(report: PreviewReport, count: Int, rows: Preview.Rows?, json: Preview.JSONSink?, writer: PreviewWriter?) {
        self.report = report
        self.count = count
        chunks = (count + Self.chunkSize - 1) / Self.chunkSize
        self.rows = rows
        self.json = json
        self.writer = writer
    }

    /// The next run to render; nil when all are taken or one has failed.
    func claim() -> (Int, Range<Int>)? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, claimed < chunks else { return nil }
        let chunk = claimed
        claimed += 1
        return (chunk, chunk * Self.chunkSize..<min(count, (chunk + 1) * Self.chunkSize))
    }

    func deliver(_ chunk: Int, _ part: ChunkPart) {
        lock.lock()
        defer { lock.unlock() }
        waiting[chunk] = part
        while error == nil, let part = waiting.removeValue(forKey: next) {
            next += 1
            do {
                if let failure = part.error { throw failure }
                try fold(part)
            } catch {
                self.error = error
            }
        }
    }

    private func fold(_ part: ChunkPart) throws {
        report.rendered += part.count
        report.withErrors += part.withErrors
        report.messageBytes += part.bytes
        groups.append(part.groups)
        report.firstRecipients += part.first.prefix(PreviewReport.listed - report.firstRecipients.count)
        if let rows, let partRows = part.rows { try rows(partRows) }
        if let json, let bytes = part.json { try json(bytes) }
        if let writer, let index = part.index { try writer.appendIndex(index, first: part.indexFirst) }
    }

    func finish() throws -> PreviewReport {
        lock.lock()
        defer { lock.unlock() }
        if let error { throw error }
        report.groups = groups.sorted
        return report
    }
}
