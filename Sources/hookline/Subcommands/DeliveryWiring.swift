import ArgumentParser
import Foundation
import HooklineKit

/// The campaign side of delivery: campaign files, audiences and the composer.
func campaignCatalog(for workspace: Workspace) throws -> any CampaignCatalog {
    try WorkspaceCatalog(workspace: workspace)
}

/// Options shared by the delivery commands.
struct DeliveryOptions: ParsableArguments {
    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    func open() throws -> Workspace {
        let workspace = try global.openWorkspace()
        try DeliveryRun.validateSettings(workspace)
        return workspace
    }
}

/// Prints progress: a bar with rate and ETA on a terminal, a plain line per 10% otherwise.
final class ProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDecile = -1
    private var lastDraw = -Double.infinity

    private static func eta(_ progress: SendProgress) -> String {
        progress.etaSeconds.map { String(format: "ETA %.0fs", $0) } ?? "ETA –"
    }

    func update(_ progress: SendProgress) {
        lock.lock()
        defer { lock.unlock() }
        guard progress.total > 0 else { return }
        let fraction = Double(progress.done) / Double(progress.total)
        // Called once per message: decide whether to print before formatting anything.
        if isTerminal {
            let now = RateLimiter.monotonicSeconds()
            guard progress.done == progress.total || now - lastDraw >= 0.1 else { return }
            lastDraw = now
            let eta = Self.eta(progress)
            let filled = Int(fraction * 30)
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
            let line = String(format: "\r[%@] %d/%d  %.1f/s  %@", bar, progress.done, progress.total, progress.rate, eta)
            FileHandle.standardError.write(Data(line.utf8))
            if progress.done == progress.total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            let eta = Self.eta(progress)
            let line = String(format: "sent %d/%d (%.1f/s, %@)\n", progress.done, progress.total, progress.rate, eta)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
}

enum DeliveryOutput {
    static func print(_ report: DeliveryReport, json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Swift.print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            Swift.print("sent \(report.sent), deferred \(report.deferred), bounced \(report.bounced), "
                + "failed \(report.failed), in doubt \(report.inDoubt), skipped \(report.skipped)"
                + (report.leftForLater > 0 ? ", \(report.leftForLater) left for the next run (daily quota)" : ""))
            if let reason = report.stoppedBecause { Swift.print("stopped: \(reason)") }
            if report.inDoubt > 0 { Swift.print("run 'hookline status' to see messages in doubt, 'hookline resolve' to settle them") }
        }
        if report.stoppedBecause != nil || report.failed > 0 || report.inDoubt > 0 { throw ExitCode(1) }
    }

    /// Skip reasons with their counts, most common first.
    static func skipSummary(_ plan: DeliveryPlan) -> String {
        let counts = Dictionary(grouping: plan.skipped, by: \.reason).mapValues(\.count)
        return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }
            .joined(separator: ", ")
    }
}
