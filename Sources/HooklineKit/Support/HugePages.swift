#if canImport(Glibc)
import Glibc
#endif

/// Large columns (tens to hundreds of megabytes, read in scattered order while a sync
/// groups and encodes them) cost a TLB miss per read with 4 KiB pages — more under a
/// virtual machine's nested page tables. Linux backs memory with 2 MiB pages where a
/// program asks for it (`transparent_hugepage` in its default `madvise` mode); these
/// helpers ask for the columns that are big enough, before their pages are first touched.
/// The advice is a hint: where the kernel declines, nothing changes but the speed.
enum HugePages {
    static let size = 2 << 20

    /// Advises the whole 2 MiB pages inside `[base, base + bytes)`.
    static func advise(_ base: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        guard bytes >= 2 * size else { return }
        let mask = UInt(size - 1)
        let start = (UInt(bitPattern: base) + mask) & ~mask
        let end = (UInt(bitPattern: base) + UInt(bytes)) & ~mask
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, Int(end - start), MADV_HUGEPAGE)
        #endif
    }
}

extension Array where Element: BitwiseCopyable {
    /// `reserveCapacity(minimumCapacity)`, with the reserved memory advised for huge pages
    /// before any of it is written.
    mutating func reserveLarge(_ minimumCapacity: Int) {
        reserveCapacity(minimumCapacity)
        guard isEmpty, capacity * MemoryLayout<Element>.stride >= 2 * HugePages.size else { return }
        let bytes = capacity * MemoryLayout<Element>.stride
        // An empty array with reserved room still hands out its storage's address.
        withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { HugePages.advise(UnsafeMutableRawPointer(base), bytes: bytes) }
        }
    }

    /// `count` copies of `value` in memory advised for huge pages before it is filled.
    init(large count: Int, repeating value: Element) {
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                HugePages.advise(UnsafeMutableRawPointer(base), bytes: count * MemoryLayout<Element>.stride)
                base.initialize(repeating: value, count: count)
            }
            initialized = count
        }
    }
}
