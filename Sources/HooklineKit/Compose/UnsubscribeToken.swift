import Foundation

/// The workspace's secret key, `.hookline/secret`: 32 random bytes (hex), created on first
/// use and readable only by the owner. It signs unsubscribe tokens and message ids, so
/// nobody can unsubscribe someone else by guessing a URL.
public struct WorkspaceSecret: Sendable {
    public let key: [UInt8]

    public init(key: [UInt8]) { self.key = key }

    /// Reads the secret, creating it when missing.
    public static func load(in workspace: Workspace) throws -> WorkspaceSecret {
        let url = workspace.stateDirectory.appendingPathComponent("secret")
        if let data = FileManager.default.contents(atPath: url.path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let key = Self.bytes(hex: text), key.count >= 16 else {
                throw InputError(file: ".hookline/secret", "the secret is not a hex key of at least 16 bytes",
                                 hint: "delete the file to create a new one (old unsubscribe links then stop working)")
            }
            return WorkspaceSecret(key: key)
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        do {
            try FileManager.default.createDirectory(at: workspace.stateDirectory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: Data((key.hex + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw OperationError("cannot write \(url.path)")
            }
        } catch let error as OperationError {
            throw error
        } catch {
            throw OperationError("cannot create \(workspace.stateDirectory.path): \(error.localizedDescription)")
        }
        return WorkspaceSecret(key: key)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            guard let hi = Self.nibble(chars[i]), let lo = Self.nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

/// An unsubscribe token: `<base64url(customer id)>.<base64url(campaign id)>.<signature>`,
/// the signature being the first 16 bytes of HMAC-SHA256 over both ids. The endpoint
/// (``verify(_:)``) recovers who unsubscribes from which campaign and rejects forgeries.
public struct UnsubscribeSigner: Sendable {
    private let mac: HMACSHA256

    public init(secret: WorkspaceSecret) { mac = HMACSHA256(key: secret.key) }

    public func token(customerID: String, campaignID: String) -> String {
        let customer = Array(customerID.utf8).base64URL, campaign = Array(campaignID.utf8).base64URL
        return customer + "." + campaign + "." + signature(customer, campaign)
    }

    /// The customer and campaign ids of a genuine token; nil for anything else.
    public func verify(_ token: String) -> (customerID: String, campaignID: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, constantTimeEqual(signature(parts[0], parts[1]), parts[2]),
              let customer = Self.decode(parts[0]), let campaign = Self.decode(parts[1]) else { return nil }
        return (customer, campaign)
    }

    /// The same tokens and message ids for one campaign, written as bytes (see ``CampaignSigner``).
    func campaign(_ campaignID: String) -> CampaignSigner { CampaignSigner(mac: mac, campaignID: campaignID) }

    /// A message id's unique part: stable for one customer, campaign and moment.
    public func messageKey(customerID: String, campaignID: String, at seconds: Int64) -> String {
        mac.authenticate(Array("msgid\u{0}\(customerID)\u{0}\(campaignID)\u{0}\(seconds)".utf8)).prefix(12).hex
    }

    private func signature(_ customer: String, _ campaign: String) -> String {
        Array(mac.authenticate(Array("unsub\u{0}\(customer)\u{0}\(campaign)".utf8)).prefix(16)).base64URL
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func decode(_ text: String) -> String? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap { String(data: $0, encoding: .utf8) }
    }
}

/// ``UnsubscribeSigner``'s tokens and message ids for one campaign, appended to a worker's
/// buffers: the same text, but a preview of a million messages makes no String, array or
/// digest allocation per message for them.
struct CampaignSigner: Sendable {
    private let mac: HMACSHA256
    private let campaignID: [UInt8]
    private let campaignBase64: [UInt8]
    private static let unsubscribe = Array("unsub\u{0}".utf8), messageID = Array("msgid\u{0}".utf8)

    init(mac: HMACSHA256, campaignID: String) {
        self.mac = mac
        self.campaignID = Array(campaignID.utf8)
        campaignBase64 = Array(Array(campaignID.utf8).base64URL.utf8)
    }

    /// Appends ``UnsubscribeSigner/token(customerID:campaignID:)``; `scratch` is reused between calls.
    func appendToken(customerID: String, into out: inout [UInt8], scratch: inout [UInt8]) {
        let start = out.count
        var id = customerID
        id.withUTF8 { ByteText.appendBase64URL(UnsafeRawBufferPointer($0), into: &out) }
        let customerEnd = out.count
        scratch.removeAll(keepingCapacity: true)
        scratch += Self.unsubscribe
        scratch += out[start..<customerEnd]
        scratch.append(0)
        scratch += campaignBase64
        out.append(0x2E)
        out += campaignBase64
        out.append(0x2E)
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { digest in
            scratch.withUnsafeBytes { mac.authenticate($0, into: digest) }
            ByteText.appendBase64URL(UnsafeRawBufferPointer(rebasing: digest[..<16]), into: &out)
        }
    }

    /// Appends ``UnsubscribeSigner/messageKey(customerID:campaignID:at:)``.
    func appendMessageKey(customerID: String, at seconds: Int64, into out: inout [UInt8], scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        scratch += Self.messageID
        scratch += customerID.utf8
        scratch.append(0)
        scratch += campaignID
        scratch.append(0)
        scratch += String(seconds).utf8
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { digest in
            scratch.withUnsafeBytes { mac.authenticate($0, into: digest) }
            ByteText.appendHex(UnsafeRawBufferPointer(rebasing: digest[..<12]), into: &out)
        }
    }
}
