import CSupport

/// Members of each bucket, in the order they were added (a counting sort), or —
/// when every bucket's members were added one after another — just the runs.
struct Grouping {
    var starts: [Int32]
    var members: [Int32]?

    /// Positions of the bucket's members in `member(_:)`.
    func range(_ bucket: Int) -> Range<Int> { Int(starts[bucket])..<Int(starts[bucket + 1]) }

    func member(_ position: Int) -> Int32 { members?[position] ?? Int32(position) }

}

func group(_ keys: [Int32], buckets: Int) -> Grouping {
    keys.withUnsafeBufferPointer { group($0, buckets: buckets) }
}

/// Members of each bucket `keys[position]`, by counting sort. With keys in random order,
/// each count and each placement is a cache miss; the loops load a few positions ahead.
func group(_ keys: UnsafeBufferPointer<Int32>, buckets: Int) -> Grouping {
    let count = keys.count, ahead = 16
    var starts = [Int32](large: buckets + 1, repeating: 0)
    // Runs in bucket order need no member list (lines of one order usually come together).
    var previous: Int32 = -1
    var contiguous = true
    starts.withUnsafeMutableBufferPointer { starts in
        for position in 0..<count {
            if position + ahead < count { hl_prefetch(starts.baseAddress! + Int(keys[position + ahead]) + 1) }
            let bucket = keys[position]
            starts[Int(bucket) + 1] += 1
            if contiguous && bucket != previous {
                contiguous = bucket == previous + 1
                previous = bucket
            }
        }
        for index in 0..<buckets { starts[index + 1] += starts[index] }
    }
    if contiguous { return Grouping(starts: starts, members: nil) }
    var members = [Int32](large: count, repeating: 0)
    starts.withUnsafeMutableBufferPointer { starts in
        members.withUnsafeMutableBufferPointer { members in
            for position in 0..<count {
                if position + ahead < count { hl_prefetch(starts.baseAddress! + Int(keys[position + ahead])) }
                if position + ahead / 2 < count {
                    hl_prefetch(members.baseAddress! + Int(starts[Int(keys[position + ahead / 2])]))
                }
                let bucket = Int(keys[position])
                members[Int(starts[bucket])] = Int32(position)
                starts[bucket] += 1
            }
        }
        // Each start now points at the next bucket's start: shift back by one bucket.
        for index in stride(from: buckets, to: 0, by: -1) { starts[index] = starts[index - 1] }
        starts[0] = 0
    }
    return Grouping(starts: starts, members: members)
}

/// Customers in key order (a table keyed by customer is then appended to, not split at
/// random), and `keys` (each row's customer) grouped by the customer's place in that order,
/// so the groups are read in sequence.
func groupByKeyOrder(_ customers: ByteInterner, _ keys: [Int32]) -> (sorted: [Int32], groups: Grouping) {
    let sorted = customers.sortedIndices()
    var place = [Int32](large: sorted.count, repeating: 0)
    for (position, customer) in sorted.enumerated() { place[Int(customer)] = Int32(position) }
    var places = [Int32](large: keys.count, repeating: 0)
    place.withUnsafeBufferPointer { place in
        keys.withUnsafeBufferPointer { keys in
            places.withUnsafeMutableBufferPointer { places in
                for position in 0..<keys.count {
                    if position + 16 < keys.count { hl_prefetch(place.baseAddress! + Int(keys[position + 16])) }
                    places[position] = place[Int(keys[position])]
                }
            }
        }
    }
    return (sorted, places.withUnsafeBufferPointer { group($0, buckets: sorted.count) })
}
