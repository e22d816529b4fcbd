import Foundation
@testable import HooklineKit
import Testing

/// The audience pass reads customers on one thread and computes their features on all
/// cores; whatever reads the results must see them in the order they were read.
@Suite struct OrderedMapTests {
    struct Failure: Error {}

    @Test(arguments: [1, 2, 7, 2048])
    func resultsComeInInputOrder(runSize: Int) throws {
        var seen: [Int] = []
        try OrderedMap.run(workers: 3, runSize: runSize, transform: { (value: Int) -> Int in
            // Uneven work, so that runs finish out of order.
            if value % 97 == 0 { usleep(200) }
            return value * 2
        }, produce: { give in
            for value in 0..<10_000 { try give(value) }
        }, consume: { seen.append($0) })
        #expect(seen == (0..<10_000).map { $0 * 2 })
    }

    @Test func anEmptyStreamGivesNothing() throws {
        var seen: [Int] = []
        try OrderedMap.run(transform: { (value: Int) in value }, produce: { _ in }, consume: { seen.append($0) })
        #expect(seen.isEmpty)
    }

    @Test func errorsWhileReadingOrConsumingEndTheRun() {
        #expect(throws: Failure.self) {
            try OrderedMap.run(runSize: 5, transform: { (value: Int) in value }, produce: { give in
                for value in 0..<1_000 {
                    if value == 500 { throw Failure() }
                    try give(value)
                }
            }, consume: { _ in })
        }
        var consumed = 0
        #expect(throws: Failure.self) {
            try OrderedMap.run(runSize: 5, transform: { (value: Int) in value }, produce: { give in
                for value in 0..<1_000 { try give(value) }
            }, consume: { value in
                consumed += 1
                if value == 42 { throw Failure() }
            })
        }
        #expect(consumed == 43)
    }
}
