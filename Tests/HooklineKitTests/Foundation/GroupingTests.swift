import Foundation
import Testing
@testable import HooklineKit

@Suite("Grouping rows by customer (counting sort with loads ahead)")
struct GroupingTests {
    /// Keys from a fixed generator, so a failure repeats.
    static func keys(_ count: Int, buckets: Int, seed: UInt64) -> [Int32] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32(truncatingIfNeeded: (state >> 33) % UInt64(buckets))
        }
    }

    @Test("every bucket holds exactly its rows, in file order", arguments: [(1, 1), (17, 3), (5000, 700), (200_000, 9000)])
    func scattered(count: Int, buckets: Int) {
        let keys = Self.keys(count, buckets: buckets, seed: UInt64(count))
        let grouping = group(keys, buckets: buckets)
        var expected = [[Int32]](repeating: [], count: buckets)
        for (position, key) in keys.enumerated() { expected[Int(key)].append(Int32(position)) }
        let actual = (0..<buckets).map { bucket in grouping.range(bucket).map(grouping.member) }
        #expect(actual == expected)
    }

    @Test("rows already in bucket order need no member list; empty buckets are empty ranges")
    func runs() {
        let grouping = group([0, 0, 1, 2, 2, 2, 3], buckets: 6)
        #expect(grouping.members == nil)
        #expect((0..<6).map { grouping.range($0).count } == [2, 1, 3, 1, 0, 0])
        let gap = group([0, 2, 2], buckets: 3)
        #expect(gap.members != nil && gap.range(1).isEmpty && gap.range(2).map(gap.member) == [1, 2])
    }

    @Test("customers come in key order and rows are grouped by that order")
    func keyOrder() {
        var customers = ByteInterner()
        for id in ["C3", "C10", "C1", "B7"] { _ = Array(id.utf8).withUnsafeBufferPointer { customers.intern($0) } }
        let (sorted, groups) = groupByKeyOrder(customers, [0, 1, 2, 0, 3, 1])
        #expect(sorted.map { customers.string(Int($0)) } == ["B7", "C1", "C10", "C3"])
        #expect((0..<4).map { groups.range($0).map(groups.member) } == [[4], [2], [1, 5], [0, 3]])
    }

    @Test("large arrays hold what they were given (memory advised for huge pages)")
    func largeArrays() {
        let filled = [Int64](large: 600_000, repeating: -7)
        #expect(filled.count == 600_000 && filled.allSatisfy { $0 == -7 })
        var reserved: [Int32] = []
        reserved.reserveLarge(1_500_000)
        #expect(reserved.capacity >= 1_500_000 && reserved.isEmpty)
        for n in 0..<1_500_000 { reserved.append(Int32(n)) }
        #expect(reserved.count == 1_500_000 && reserved[1_234_567] == 1_234_567)
    }
}
