import Foundation

/// The dry run: renders every recipient of a campaign in parallel, never sends.
public enum Preview {
    /// Evaluates the campaign's audience at `now`, renders and checks every member, and with
    /// `out` writes one `.eml` per recipient plus `index.html` (see ``PreviewWriter``).
    public static func run(workspace: Workspace, campaign: Campaign, now: Date, out: URL? = nil,
                           limit: Int? = nil) throws -> PreviewReport {
        let (_, snapshot) = try workspace.snapshot(now: now)
        let audience = campaign.audience.evaluate(snapshot, rules: SegmentRules(thresholds: workspace.config.segments))
        let attributes = Set(snapshot.customers.flatMap { $0.customer.attributes.keys })
        let composer = try Composer(workspace: workspace, campaign: campaign, secret: try WorkspaceSecret.load(in: workspace),
                                    attributes: attributes)
        var members = audience.members.map(\.features)
        if let limit { members = Array(members.prefix(limit)) }
        let writer = try out.map { try PreviewWriter(folder: $0) }
        var report = try render(members, composer: composer, writer: writer)
        report.audience = audience.members.count
        report.skipped = audience.skipped.map { .init(customerID: $0.customerId, reason: $0.reason) }
        try writer?.finish(report)
        return report
    }

    /// Renders `members` with `composer` on all cores; with a writer, each worker writes its messages.
    public static func render(_ members: [CustomerFeatures], composer: Composer, writer: PreviewWriter? = nil) throws -> PreviewReport {
        let started = DispatchTime.now().uptimeNanoseconds
        // Few large chunks: each has its own cache, and subjects repeat across a whole chunk.
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunkSize = max(1024, (members.count + workers * 4 - 1) / (workers * 4))
        let chunks = (members.count + chunkSize - 1) / chunkSize
        let results = ChunkResults(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let cache = RenderCache()
            let range = chunk * chunkSize..<min(members.count, (chunk + 1) * chunkSize)
            var recipients: [PreviewReport.Recipient] = []
            recipients.reserveCapacity(range.count)
            var samples: [RenderedMessage] = []
            var writeError: Error?
            var bytes = 0
            for index in range {
                let message = composer.render(members[index], cache: cache)
                // Serialised even without --out: the dry run measures what sending would build.
                if writer == nil, let mime = message.message { bytes += mime.bytes().count }
                recipients.append(.init(customerID: message.customerID, email: message.email, subject: message.subject,
                                        words: message.words, findings: message.findings))
                if chunk == 0 && samples.count < 3 { samples.append(message) }
                if let writer, writeError == nil {
                    do { bytes += try writer.write(message) } catch { writeError = error }
                }
            }
            results.set(chunk, recipients, samples, writeError, bytes)
        }
        var report = PreviewReport(campaign: composer.campaign.id, audience: members.count, recipients: [], skipped: [])
        report.recipients.reserveCapacity(members.count)
        for chunk in 0..<chunks {
            let (recipients, samples, error, bytes) = results.get(chunk)
            if let error { throw error }
            report.messageBytes += bytes
            report.recipients += recipients
            report.samples += samples
        }
        report.groups = PreviewReport.group(report.recipients)
        report.renderSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return report
    }
}

/// Each worker's results, stored under a lock (one store per chunk).
private final class ChunkResults: @unchecked Sendable {
    private var recipients: [[PreviewReport.Recipient]]
    private var samples: [[RenderedMessage]]
    private var errors: [Error?]
    private var bytes: [Int]
    private let lock = NSLock()

    init(count: Int) {
        recipients = Array(repeating: [], count: count)
        samples = Array(repeating: [], count: count)
        errors = Array(repeating: nil, count: count)
        bytes = Array(repeating: 0, count: count)
    }

    func set(_ chunk: Int, _ r: [PreviewReport.Recipient], _ s: [RenderedMessage], _ e: Error?, _ b: Int) {
        lock.lock()
        defer { lock.unlock() }
        recipients[chunk] = r
        samples[chunk] = s
        errors[chunk] = e
        bytes[chunk] = b
    }

    func get(_ chunk: Int) -> ([PreviewReport.Recipient], [RenderedMessage], Error?, Int) {
        lock.lock()
        defer { lock.unlock() }
        return (recipients[chunk], samples[chunk], errors[chunk], bytes[chunk])
    }
}
