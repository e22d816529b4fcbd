import Foundation
@testable import HooklineKit
import Testing

/// A send commits once per message; its checkpoints run on another thread. The log must
/// still start over regularly (it is not left to grow for the whole send), every commit
/// must be in the store, and after the send the commit checkpoints by itself again.
@Suite struct BackgroundCheckpointTests {
    let now: Int64 = 1_795_000_000

    @Test func theLogStaysShortWhileCheckpointsRunBesideTheCommits() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hl-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("hookline.sqlite").path
        let ledger = Ledger(store: try Store(path: path))
        let rows = 6000
        _ = try ledger.record((0..<rows).map {
            PlannedSend(campaign: "reorder", occurrence: "order:o\($0)", customerId: "c\($0)",
                        email: "c\($0)@example.org", dueAt: now, messageId: "m\($0)@shop.example.com")
        }, now: now)
        let pending = try ledger.pending(now: now)
        #expect(pending.count == rows)

        // Without a checkpoint, 3,000 claims with their replies write about 6,000 log pages
        // (24 MB); with checkpoints the log starts over near 1,000 pages (4 MB).
        let bound = 2_500 * 4_120
        func sendHalf(_ half: ArraySlice<LedgerEntry>) throws -> Int {
            var previous: Ledger.Finish?
            var longest = 0
            for row in half {
                #expect(try ledger.claim(row.id, now: now, recording: previous) == .claimed(attempt: 1))
                previous = Ledger.Finish(id: row.id, state: .sent, code: 250, reply: "2.0.0 Ok: queued")
                longest = max(longest, walSize(path))
            }
            if let previous { try ledger.finish(previous, now: now) }
            return longest
        }

        let checkpoint = try #require(BackgroundCheckpoint.start(for: ledger.store))
        let during = try sendHalf(pending[..<(rows / 2)])
        checkpoint.stop()
        #expect(during < bound, "log grew to \(during) bytes while the checkpoints ran in the background")
        // After stop the commit checkpoints by itself again: the log still starts over.
        let after = try sendHalf(pending[(rows / 2)...])
        #expect(after < bound, "log grew to \(after) bytes after the background checkpoints stopped")

        // Every reply is in the store, read through a new connection.
        let reopened = Ledger(store: try Store(path: path))
        #expect(try reopened.counts()[.sent] == rows)
    }

    @Test func anInMemoryStoreKeepsItsOwnCheckpoints() throws {
        #expect(BackgroundCheckpoint.start(for: try Store()) == nil)
    }

    private func walSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0
    }
}
