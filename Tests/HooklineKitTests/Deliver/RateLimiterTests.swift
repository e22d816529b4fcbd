import Foundation
import HooklineKit
import Testing

@Suite struct RateLimiterTests {
    @Test func sharedLimiterSpacesMessagesAcrossThreads() {
        let limiter = RateLimiter(rate: Rate(messages: 50, perSeconds: 1))
        let start = Date()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<5 { limiter.acquire() }
        }
        // 20 slots 20 ms apart: the last may go at 380 ms, not before.
        #expect(Date().timeIntervalSince(start) >= 0.37)
    }

    @Test(arguments: [("10/s", 0.1), ("600/minute", 0.1), ("3600/hour", 1.0), ("5/sec", 0.2)])
    func ratesParse(text: String, interval: Double) throws {
        let rate = try Rate(yaml: YAMLNode.parse(text, file: "hookline.yml"))
        #expect(abs(rate.interval - interval) < 1e-9)
    }

    @Test func badRateNamesTheFix() {
        #expect {
            try Rate(yaml: YAMLNode.parse("fast", file: "hookline.yml"))
        } throws: { "\($0)".contains("10/s, 600/minute or 5000/hour") }
    }

    @Test func retryBackoffDoubles() {
        let policy = RetryPolicy(attempts: 4, backoffSeconds: 30)
        #expect([2, 3, 4].map(policy.delay(beforeAttempt:)) == [30, 60, 120])
    }
}
