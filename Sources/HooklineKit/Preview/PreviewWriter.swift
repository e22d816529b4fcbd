import Foundation

/// Writes a dry run to a folder: `<customer>.eml` per recipient (exactly the bytes that would
/// be sent), `html/<customer>.html` (the HTML part) and `index.html` to browse them.
public struct PreviewWriter: Sendable {
    public let folder: URL

    public init(folder: URL) throws {
        self.folder = folder
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("html"), withIntermediateDirectories: true)
        } catch {
            throw OperationError("cannot create \(folder.path): \(error.localizedDescription)", hint: "choose another --out folder")
        }
    }

    /// A file name for a customer id: the id itself when it is plain, else a hash of it.
    static func fileName(_ customerID: String) -> String {
        let plain = !customerID.isEmpty && customerID.count <= 100 && !customerID.hasPrefix(".")
            && customerID.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
        return plain ? customerID : "id-" + SHA256.hash(Array(customerID.utf8)).prefix(10).hex
    }

    /// Writes one recipient's files and returns the `.eml` size; safe to call from several
    /// threads for different recipients.
    @discardableResult
    public func write(_ message: RenderedMessage) throws -> Int {
        let name = Self.fileName(message.customerID)
        var size = 0
        if let mime = message.message {
            let bytes = mime.bytes()
            size = bytes.count
            try Self.write(bytes, to: folder.appendingPathComponent("\(name).eml").path)
        }
        try Self.write(Array(message.html.utf8), to: folder.appendingPathComponent("html/\(name).html").path)
        return size
    }

    /// One open-write-close: Foundation's Data.write costs several extra system calls per
    /// file, which dominates when a preview writes 100,000 of them.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw OperationError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw OperationError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    /// Writes `index.html` for the finished report.
    public func finish(_ report: PreviewReport) throws {
        do {
            try Data(PreviewIndex.html(report).utf8).write(to: folder.appendingPathComponent("index.html"))
        } catch {
            throw OperationError("cannot write index.html in \(folder.path): \(error.localizedDescription)")
        }
    }
}
