import Foundation

/// What delivery needs from the campaign side: policies, audiences and rendering.
/// The CLI implements it with the campaign loader and the composer.
public protocol CampaignCatalog {
    /// Every campaign's delivery policy (`priority`, `caps`, `schedule`, …).
    func policies() throws -> [CampaignDeliveryPolicy]
    /// The campaign's audience members at the snapshot, in the order to plan them.
    func candidates(campaign: String, snapshot: Snapshot) throws -> [CustomerFeatures]
    /// Renders ledger rows of any campaign into messages.
    func messageSource(snapshot: Snapshot) throws -> any MessageSource
}

/// The totals `hookline send` and `hookline run` print (and emit as `--json`).
public struct DeliveryReport: Sendable, Codable, Equatable {
    public var sent = 0
    public var deferred = 0
    public var bounced = 0
    public var failed = 0
    public var inDoubt = 0
    public var skipped = 0
    public var cancelled = 0
    public var leftForLater = 0
    public var stoppedBecause: String?
    /// Wall-clock seconds of the delivery phase alone: claiming, rendering, transferring
    /// and recording the due rows (not loading data, planning or recording the plan).
    public var sendSeconds: Double = 0

    enum CodingKeys: String, CodingKey {
        case sent, deferred, bounced, failed, skipped, cancelled
        case inDoubt = "in_doubt", leftForLater = "left_for_later", stoppedBecause = "stopped_because"
        case sendSeconds = "send_seconds"
    }

    public init() {}
}

/// One delivery run over a workspace: recover, plan, record, send.
public struct DeliveryRun {
    public let workspace: Workspace
    public let store: Store
    public let snapshot: Snapshot
    public let catalog: any CampaignCatalog
    public let now: Int64
    private let lock: RunLock

    /// Takes the workspace's send lock for as long as the run exists.
    public init(workspace: Workspace, catalog: any CampaignCatalog, now: Date) throws {
        lock = try RunLock(directory: workspace.stateDirectory)
        self.workspace = workspace
        self.catalog = catalog
        (store, snapshot) = try workspace.snapshot(now: now)
        self.now = Int64(now.timeIntervalSince1970)
    }

    public var ledger: Ledger { Ledger(store: store) }

    /// Checks `hookline.yml`'s `smtp:` and `caps:` sections, so a mistake there is
    /// reported before anything is planned. The password is not read.
    public static func validateSettings(_ workspace: Workspace) throws {
        if let node = workspace.config.sections["smtp"] { _ = try SMTPSettings(yaml: node, root: workspace.root) }
        if let node = workspace.config.sections["caps"] { _ = try CapPolicy(yaml: node) }
    }

    /// The workspace's caps: `hookline.yml` `caps:` over the built-in defaults.
    public func capPolicy() throws -> CapPolicy {
        try workspace.config.sections["caps"].map(CapPolicy.init(yaml:)) ?? .defaults
    }

    /// The SMTP relay from `hookline.yml`, or the `outbox/` folder when there is none.
    public func mailer() throws -> (any Mailer, SMTPSettings?) {
        guard let node = workspace.config.sections["smtp"] else {
            return (OutboxMailer(directory: workspace.url("outbox")), nil)
        }
        let settings = try SMTPSettings(yaml: node, root: workspace.root)
        return (SMTPMailer(settings: settings, password: try settings.password()), settings)
    }

    /// Plans `campaigns` (all when nil). Rows a crashed run left `sending` become `in_doubt` first.
    public func plan(campaigns: [String]?, mode: Planner.Mode) throws -> (DeliveryPlan, [CampaignDeliveryPolicy]) {
        try ledger.recoverInterrupted(now: now)
        let all = try catalog.policies()
        let chosen = campaigns.map { names in all.filter { names.contains($0.id) } } ?? all
        let planner = Planner(caps: try capPolicy(),
                              context: ScheduleContext(shopMedianReorderDays: ScheduleContext.shopMedian(snapshot.customers)),
                              messageIdDomain: Self.domain(of: workspace.config.sender.email))
        let input = try chosen.map { ($0, try catalog.candidates(campaign: $0.id, snapshot: snapshot)) }
        let plan = planner.plan(input, history: try ledger.history(campaigns: chosen.map(\.id), now: now),
                                suppressions: try Suppressions(store: store).all(), now: now, mode: mode)
        return (plan, chosen)
    }

    /// Records the plan and sends every due row of these campaigns (earlier runs' leftovers first).
    public func execute(_ plan: DeliveryPlan, campaigns: [String],
                        progress: @escaping @Sendable (SendProgress) -> Void) throws -> DeliveryReport {
        try ledger.record(plan.planned, now: now)
        let (mailer, settings) = try mailer()
        let sender = Sender(ledger: ledger, mailer: mailer, source: try catalog.messageSource(snapshot: snapshot),
                            retry: settings?.retry ?? RetryPolicy(), rate: settings?.rate,
                            dailyQuota: settings?.dailyQuota)
        let started = RateLimiter.monotonicSeconds()
        let summary = try sender.send(try ledger.pending(now: now, campaigns: Set(campaigns)), progress: progress)
        let sendSeconds = RateLimiter.monotonicSeconds() - started
        var report = DeliveryReport()
        report.sent = summary.sent
        report.deferred = summary.deferred
        report.bounced = summary.bounced
        report.failed = summary.failed
        report.cancelled = summary.cancelled
        report.leftForLater = summary.leftForLater
        report.stoppedBecause = summary.stoppedBecause
        report.sendSeconds = sendSeconds
        report.skipped = plan.skipped.count
        report.inDoubt = try ledger.entries(in: [.inDoubt]).filter { campaigns.contains($0.campaign) }.count
        return report
    }

    /// Delivers one test message for `customerId` (default: the campaign's first candidate) to
    /// `address`; it bypasses the ledger and the caps.
    public func sendTest(campaign: String, to address: String, as customerId: String?) throws -> DeliveryOutcome {
        let candidates = try catalog.candidates(campaign: campaign, snapshot: snapshot)
        guard let customer = customerId.map({ id in candidates.first { $0.customer.id == id } }) ?? candidates.first else {
            throw InputError(field: "--as", customerId.map { "customer '\($0)' is not in the audience of '\(campaign)'" }
                                 ?? "the audience of '\(campaign)' is empty",
                             hint: "run 'hookline audience \(campaign)' to see who is in it")
        }
        let entry = LedgerEntry.test(campaign: campaign, customerId: customer.customer.id, email: address,
                                     messageId: "hl.test.\(now)@\(Self.domain(of: workspace.config.sender.email))",
                                     now: now)
        let message = try catalog.messageSource(snapshot: snapshot).message(for: entry)
        return try mailer().0.openConnection().deliver(message)
    }

    static func domain(of address: String) -> String {
        address.split(separator: "@").last.map(String.init) ?? "hookline.local"
    }
}

/// An exclusive lock on `.hookline/send.lock`: two sends at once would mark each
/// other's transfers `in_doubt`.
final class RunLock: Sendable {
    private let descriptor: Int32

    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        descriptor = open(directory.appendingPathComponent("send.lock").path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw OperationError("another 'hookline send' or 'hookline run' is working in this workspace",
                                 hint: "wait for it to finish; cron runs should not overlap")
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
