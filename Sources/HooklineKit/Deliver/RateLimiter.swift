import Foundation

/// Spaces messages out so that all connections together keep to a ``Rate``.
///
/// Each caller reserves the next free slot under the lock and sleeps outside it,
/// so connections never wait on each other longer than the rate requires.
public final class RateLimiter: @unchecked Sendable {
    private let interval: Double
    private let lock = NSLock()
    private var nextSlot: Double = 0

    public init(rate: Rate?) {
        interval = rate?.interval ?? 0
    }

    /// Whether ``acquire()`` may ever wait.
    public var limits: Bool { interval > 0 }

    /// Blocks until the caller may send one message.
    public func acquire() {
        guard interval > 0 else { return }
        let now = Self.monotonicSeconds()
        lock.lock()
        let slot = max(nextSlot, now)
        nextSlot = slot + interval
        lock.unlock()
        if slot > now { Thread.sleep(forTimeInterval: slot - now) }
    }

    /// Seconds on a clock that never jumps (for intervals, not dates).
    public static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
