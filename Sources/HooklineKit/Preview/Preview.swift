import Foundation

/// The dry run: renders every recipient of a campaign in parallel, never sends.
public enum Preview {
    /// Receives recipients in audience order, a run at a time, from one thread at a time.
    public typealias Rows = ([PreviewReport.Recipient]) throws -> Void
    /// Receives the JSON document (``PreviewJSON``) in order, a piece at a time.
    public typealias JSONSink = ([UInt8]) throws -> Void

    /// Evaluates the campaign's audience at `now`, renders and checks every member, and with
    /// `out` writes one `.eml` per recipient plus `index.html` (see ``PreviewWriter``).
    ///
    /// Customers are read from the store twice, one at a time: once to decide the audience,
    /// once to render its members while they are read (``StreamedAudience``), so memory stays
    /// flat in the number of customers and recipients.
    public static func run(workspace: Workspace, campaign: Campaign, now: Date, out: URL? = nil, limit: Int? = nil,
                           json: JSONSink? = nil) throws -> PreviewReport {
        let (store, _) = try workspace.openStore()
        let rules = SegmentRules(thresholds: workspace.config.segments)
        let secret = try WorkspaceSecret.load(in: workspace)
        return try store.database.read { db in
            let audience = try StreamedAudience(campaign.audience, in: db, now: now, rules: rules)
            let composer = try Composer(workspace: workspace, campaign: campaign, secret: secret, attributes: audience.attributes)
            let writer = try out.map { try PreviewWriter(folder: $0) }
            let report = PreviewReport(campaign: campaign.id, audience: audience.count,
                                       skipped: audience.skipped.map { .init(customerID: $0.customerId, reason: $0.reason) })
            // The audience is decided; rendering reads the histories only when the template
            // prints something computed from them (the order count, the last product, …),
            // and decodes the extra columns only when it prints one of them.
            let history = composer.template.readsHistory
            let attributes = composer.template.readsAttributes
            return try render(composer: composer, report: report, writer: writer, rows: nil, json: json,
                              features: { $0.features(attributes: attributes) }) { give in
                try audience.forEachMember(limit: limit, in: db, history: history, give)
            }
        }
    }

    /// Renders `members` with `composer` on all cores, keeping only counts, groups and the
    /// first recipients; `rows`, `json` and `writer` get each recipient as it is rendered.
    /// `report` brings the campaign, audience size and skipped members (default: just these members).
    public static func render<Members: Sequence>(
        _ members: Members, composer: Composer, report: PreviewReport? = nil, writer: PreviewWriter? = nil,
        rows: Rows? = nil, json: JSONSink? = nil
    ) throws -> PreviewReport where Members.Element == CustomerFeatures {
        let report = report ?? PreviewReport(campaign: composer.campaign.id, audience: members.underestimatedCount, skipped: [])
        return try render(composer: composer, report: report, writer: writer, rows: rows, json: json, features: { $0 }) { give in
            for member in members { try give(member) }
        }
    }

    /// Renders the members `produce` gives, in that order, while it reads them: this thread
    /// reads and gathers runs of 2,048, the workers (one per core) compute each
    /// member's `features` and render them.
    static func render<Member: Sendable>(
        composer: Composer, report: PreviewReport, writer: PreviewWriter?, rows: Rows?, json: JSONSink?,
        features: @escaping @Sendable (Member) -> CustomerFeatures, produce: ((Member) throws -> Void) throws -> Void
    ) throws -> PreviewReport {
        let started = DispatchTime.now().uptimeNanoseconds
        try json?(PreviewJSON.head(campaign: report.campaign, audience: report.audience))
        let merge = OrderedMerge(report: report, rows: rows, json: json, writer: writer)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let feed = RunFeed<Member>(depth: 2 * workers)
        let group = DispatchGroup()
        let options = RenderRuns(composer: composer, writer: writer, keepRows: rows != nil, json: json != nil)
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) { options.work(feed, merge, features) }
        }
        var samples: [RenderedMessage] = []
        var run: [Member] = []
        var failure: Error?
        do {
            try produce { member in
                if samples.count < 3 { samples.append(composer.render(features(member))) }
                if run.isEmpty { run.reserveCapacity(runSize) }
                run.append(member)
                if run.count == runSize {
                    guard feed.put(run) else { throw Stopped() }
                    run = []
                }
            }
            if !run.isEmpty { _ = feed.put(run) }
        } catch is Stopped {
        } catch {
            failure = error
        }
        feed.close()
        group.wait()
        if let failure { throw failure }
        var finished = try merge.finish()
        finished.samples = samples
        finished.workers = workers
        try json?(PreviewJSON.tail(recipients: finished.rendered, skipped: finished.skipped))
        try writer?.finish(finished)
        finished.renderSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return finished
    }
}

/// Recipients per run: small enough that little waits in memory for an earlier run, large
/// enough to amortise the locks.
private let runSize = 2048

/// The workers have stopped on an error: the reader stops too.
private struct Stopped: Error {}

/// What a worker needs to render runs: the composer and where the results go.
private struct RenderRuns: Sendable {
    let composer: Composer
    let writer: PreviewWriter?
    let keepRows: Bool
    let json: Bool

    /// Renders runs from `feed` until it is closed and empty, or the merge has failed.
    func work<Member>(_ feed: RunFeed<Member>, _ merge: OrderedMerge, _ features: (Member) -> CustomerFeatures) {
        let started = Self.threadCPUSeconds()
        defer { merge.addCPU(Self.threadCPUSeconds() - started) }
        let cache = RenderCache(keepsHTML: writer != nil)
        var message: [UInt8] = []
        message.reserveCapacity(16_384)
        var page = PreviewPage()
        while let (number, members) = feed.take() {
            var part = ChunkPart(keepRows: keepRows, json: json, index: writer != nil)
            for (position, stored) in members.enumerated() {
                let member = features(stored)
                message.removeAll(keepingCapacity: true)
                let line = composer.render(member, cache: cache, into: &message)
                let recipient = PreviewReport.Recipient(customerID: member.customer.id, email: member.customer.email ?? "",
                                                        subject: line.subject, words: line.words, findings: line.findings)
                guard let writer else {
                    part.add(recipient, first: number == 0 && position == 0, bytes: message.count)
                    continue
                }
                let fileName = PreviewWriter.fileName(recipient.customerID)
                let pageName = PreviewPage.name(run: number, position: position)
                part.add(recipient, first: number == 0 && position == 0, bytes: message.count,
                         link: PreviewPage.link(page: pageName, fileName: fileName))
                guard part.error == nil else { continue }
                page.add(fileName: fileName, html: cache.html)
                let pageEnds = position == members.count - 1 || (position + 1) % PreviewPage.perPage == 0
                do {
                    try writer.write(fileName: fileName, eml: message)
                    if pageEnds { try writer.write(page: pageName, page.finish()) }
                } catch {
                    part.error = error
                }
            }
            if !merge.deliver(number, part) { feed.stop() }
        }
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// What one worker learnt from a run of consecutive recipients.
private struct ChunkPart {
    var count = 0, withErrors = 0, bytes = 0
    var groups = FindingGroups()
    var first: [PreviewReport.Recipient] = []
    var rows: [PreviewReport.Recipient]?
    var json: [UInt8]?
    /// `index.html` rows by rank (ok, warnings, errors), and the link to the first of each.
    var index: [[UInt8]]?
    var indexFirst: [String?] = [nil, nil, nil]
    var error: Error?

    init(keepRows: Bool, json: Bool, index: Bool) {
        rows = keepRows ? [] : nil
        self.json = json ? [] : nil
        self.index = index ? [[], [], []] : nil
    }

    /// Adds a recipient; `link` is where `index.html` shows its HTML (with `--out`).
    mutating func add(_ r: PreviewReport.Recipient, first isFirst: Bool, bytes: Int, link: String? = nil) {
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
        if var rows = index.take(), let link {
            let rank = PreviewIndex.rank(r)
            rows[rank] += PreviewIndex.row(r, link: link)
            if indexFirst[rank] == nil { indexFirst[rank] = link }
            index = rows
        }
    }
}

/// Folds the workers' runs into the report in audience order, passing rows on as soon as
/// every earlier run is in.
private final class OrderedMerge: @unchecked Sendable {
    private let lock = NSLock()
    private var report: PreviewReport
    private var groups = FindingGroups()
    private var next = 0
    private var waiting: [Int: ChunkPart] = [:]
    private var error: Error?
    private let rows: Preview.Rows?
    private let json: Preview.JSONSink?
    private let writer: PreviewWriter?

    init(report: PreviewReport, rows: Preview.Rows?, json: Preview.JSONSink?, writer: PreviewWriter?) {
        self.report = report
        self.rows = rows
        self.json = json
        self.writer = writer
    }

    /// Takes run number `chunk`; false once a run has failed, so no more need rendering.
    func deliver(_ chunk: Int, _ part: ChunkPart) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil else { return false }
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
        return error == nil
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

    func addCPU(_ seconds: Double) {
        lock.lock()
        report.renderCPUSeconds += seconds
        lock.unlock()
    }

    func finish() throws -> PreviewReport {
        lock.lock()
        defer { lock.unlock() }
        if let error { throw error }
        report.groups = groups.sorted
        return report
    }
}
