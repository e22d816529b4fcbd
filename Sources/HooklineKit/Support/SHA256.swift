import CSupport

/// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), small enough to read.
///
/// Hookline needs one keyed hash for unsubscribe tokens and message ids; a
/// hand-written one keeps the build free of a crypto package. Blocks go through the
/// CPU's SHA instructions when it has them (`CSupport`): a preview computes two MACs a message.
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// The bytes of an unfinished block (64 at most, kept inline: hashing allocates nothing).
    private var pending = SIMD64<UInt8>()
    private var pendingCount = 0
    private var length: UInt64 = 0

    public init() {}

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Hashes `bytes`: whole blocks straight from the input, the rest kept for later.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        length &+= UInt64(bytes.count)
        if pendingCount > 0 {
            index = min(64 - pendingCount, bytes.count)
            append(bytes, count: index)
            guard pendingCount == 64 else { return }
            var block = pending
            withUnsafeBytes(of: &block) { Self.compress(&state, $0) }
            pendingCount = 0
        }
        while index + 64 <= bytes.count {
            Self.compress(&state, UnsafeRawBufferPointer(rebasing: bytes[index..<index + 64]))
            index += 64
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[index...]), count: bytes.count - index)
    }

    /// Copies the first `count` bytes to the unfinished block, which they fit.
    private mutating func append(_ bytes: UnsafeRawBufferPointer, count: Int) {
        guard count > 0, let source = bytes.baseAddress else { return }
        let offset = pendingCount
        withUnsafeMutableBytes(of: &pending) { block in
            (block.baseAddress.map { $0 + offset })?.copyMemory(from: source, byteCount: count)
        }
        pendingCount += count
    }

    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBytes { finish(into: $0) }
        return digest
    }

    /// Pads, hashes the last block and writes the 32-byte digest to `digest`, allocating nothing.
    mutating func finish(into digest: UnsafeMutableRawBufferPointer) {
        let bitLength = length &* 8
        let count = (pendingCount < 56 ? 56 : 120) - pendingCount + 8
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 72) { tail in
            tail.initialize(repeating: 0)
            tail[0] = 0x80
            for k in 0..<8 { tail[count - 1 - k] = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * k)) }
            update(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: tail[..<count])))
        }
        withUnsafeBytes(of: state) { words in
            for i in 0..<8 {
                let word = words.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
                digest[i * 4] = UInt8(truncatingIfNeeded: word >> 24)
                digest[i * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
                digest[i * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
                digest[i * 4 + 3] = UInt8(truncatingIfNeeded: word)
            }
        }
    }

    public static func hash<S: Sequence>(_ bytes: S) -> [UInt8] where S.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// The CPU's SHA instructions (x86 SHA extensions), when it has them: a block in about
    /// a tenth of the time of the Swift rounds below, which serve every other CPU.
    static let hardware = hl_sha256_hardware() != 0

    static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawBufferPointer
    ) {
        if hardware, let bytes = block.baseAddress {
            withUnsafeMutableBytes(of: &state) { words in
                k.withUnsafeBufferPointer { k in
                    guard let base = words.baseAddress, let constants = k.baseAddress else { return }
                    hl_sha256_compress(base.assumingMemoryBound(to: UInt32.self), bytes.assumingMemoryBound(to: UInt8.self),
                                       constants)
                }
            }
            return
        }
        compressInSwift(&state, block)
    }

    static func compressInSwift(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawBufferPointer
    ) {
        @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            k.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            state.0 &+= a; state.1 &+= b; state.2 &+= c; state.3 &+= d
            state.4 &+= e; state.5 &+= f; state.6 &+= g; state.7 &+= h
        }
    }
}

/// HMAC-SHA256 with the key's pads hashed once, so each message costs two blocks.
public struct HMACSHA256: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    public init(key: [UInt8]) {
        var key = key.count > 64 ? SHA256.hash(key) : key
        key += [UInt8](repeating: 0, count: 64 - key.count)
        var inner = SHA256(), outer = SHA256()
        inner.update(key.map { $0 ^ 0x36 })
        outer.update(key.map { $0 ^ 0x5c })
        self.inner = inner
        self.outer = outer
    }

    public func authenticate<S: Sequence>(_ message: S) -> [UInt8] where S.Element == UInt8 {
        var inner = self.inner
        inner.update(message)
        var outer = self.outer
        outer.update(inner.finalize())
        return outer.finalize()
    }

    /// The MAC of `message` written to the 32 bytes of `mac`: no allocation, for a MAC per message.
    func authenticate(_ message: UnsafeRawBufferPointer, into mac: UnsafeMutableRawBufferPointer) {
        var inner = self.inner
        inner.update(message)
        inner.finish(into: mac)
        var outer = self.outer
        outer.update(UnsafeRawBufferPointer(mac))
        outer.finish(into: mac)
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    var hex: String {
        var out: [UInt8] = []
        Array(self).withUnsafeBytes { ByteText.appendHex($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Base64url without padding (RFC 4648 §5): safe in URLs and header values.
    var base64URL: String {
        var out: [UInt8] = []
        Array(self).withUnsafeBytes { ByteText.appendBase64URL($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// `hex` and `base64URL` appended to a byte buffer, for loops that make no strings.
enum ByteText {
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func appendHex(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 15)])
        }
    }

    static func appendBase64URL(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 3) << 4 | b1 >> 4)])
            if i + 1 < bytes.count { out.append(alphabet[Int((b1 & 15) << 2 | b2 >> 6)]) }
            if i + 2 < bytes.count { out.append(alphabet[Int(b2 & 63)]) }
            i += 3
        }
    }
}
