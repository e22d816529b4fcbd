import Foundation

/// Writes a dry run to a folder: `<customer>.eml` per recipient (exactly the bytes that would
/// be sent), `html/<page>.html` (the HTML parts, see ``PreviewPage``) and `index.html` to
/// browse them.
///
/// Files are written as recipients are rendered; the index rows wait in one file per rank
/// (errors, warnings, ok) until ``finish(_:)`` puts the page together.
public struct PreviewWriter: Sendable {
    public let folder: URL
    private let index: IndexParts
    /// The output folder and its `html` folder, open, so that each file is created by name
    /// in them (openat) instead of by walking its whole path.
    private let folders: Folders

    public init(folder: URL) throws {
        self.folder = folder
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("html"), withIntermediateDirectories: true)
        } catch {
            throw OperationError("cannot create \(folder.path): \(error.localizedDescription)", hint: "choose another --out folder")
        }
        index = try IndexParts(folder: folder)
        folders = try Folders(folder)
    }

    /// A file name for a customer id: the id itself when it is plain, else a hash of it.
    static func fileName(_ customerID: String) -> String {
        let plain = !customerID.isEmpty && customerID.utf8.count <= 100 && !customerID.hasPrefix(".")
            && customerID.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
            }
        return plain ? customerID : "id-" + SHA256.hash(Array(customerID.utf8)).prefix(10).hex
    }

    /// Writes one recipient's `.eml` under its ``fileName(_:)`` (none when the message could
    /// not be built). Safe to call from several threads for different recipients.
    func write(fileName: String, eml: [UInt8]) throws {
        if !eml.isEmpty { try Self.write(eml, in: folders.top, name: fileName + ".eml", shown: folder.path) }
    }

    /// Writes a page of HTML parts as `html/<name>.html`. Safe to call from several threads
    /// for different pages.
    func write(page name: String, _ bytes: [UInt8]) throws {
        try Self.write(bytes, in: folders.html, name: name + ".html", shown: folder.path + "/html")
    }

    /// One open-write-close: Foundation's Data.write costs several extra system calls per
    /// file, which dominates when a preview writes 100,000 of them.
    static func write(_ bytes: [UInt8], in directory: Int32, name: String, shown: String) throws {
        let fd = openat(directory, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OperationError("cannot create \(shown)/\(name): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try IndexParts.writeAll(fd, bytes, path: shown + "/" + name)
    }

    /// Adds index rows by rank, in audience order; `first` links each rank's first message.
    /// Called by one thread at a time.
    func appendIndex(_ rows: [[UInt8]], first: [String?]) throws {
        try index.append(rows, first: first)
    }

    /// Writes `index.html` for the finished report.
    public func finish(_ report: PreviewReport) throws {
        try index.finish(report, to: folder.appendingPathComponent("index.html").path)
    }
}

/// Directory descriptors of the output folder and its `html` folder, closed with the writer.
private final class Folders: Sendable {
    let top: Int32
    let html: Int32

    init(_ folder: URL) throws {
        let top = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let html = open(folder.path + "/html", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard top >= 0, html >= 0 else {
            let reason = String(cString: strerror(errno))
            if top >= 0 { close(top) }
            if html >= 0 { close(html) }
            throw OperationError("cannot open \(folder.path): \(reason)", hint: "choose another --out folder")
        }
        self.top = top
        self.html = html
    }

    deinit {
        close(top)
        close(html)
    }
}

/// The index rows of each rank in a temporary file of the output folder.
private final class IndexParts: @unchecked Sendable {
    private let paths: [String]
    private var fds: [Int32] = []
    private var first: [String?] = [nil, nil, nil]

    init(folder: URL) throws {
        paths = (0..<3).map { folder.appendingPathComponent(".index-rank\($0).part").path }
        for path in paths {
            let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else {
                fds.forEach { close($0) }
                throw OperationError("cannot create \(path): \(String(cString: strerror(errno)))", hint: "choose another --out folder")
            }
            fds.append(fd)
        }
    }

    deinit {
        fds.forEach { close($0) }
        paths.forEach { unlink($0) }
    }

    func append(_ rows: [[UInt8]], first: [String?]) throws {
        for rank in 0..<3 where !rows[rank].isEmpty {
            try Self.writeAll(fds[rank], rows[rank], path: paths[rank])
            if self.first[rank] == nil { self.first[rank] = first[rank] }
        }
    }

    /// The page head, the rows (errors, warnings, then ok) and the page tail.
    func finish(_ report: PreviewReport, to path: String) throws {
        let (head, tail) = PreviewIndex.page(report, first: first[2] ?? first[1] ?? first[0])
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw OperationError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try Self.writeAll(fd, Array(head.utf8), path: path)
        var block = [UInt8](repeating: 0, count: 1 << 20)
        for rank in [2, 1, 0] {
            guard lseek(fds[rank], 0, SEEK_SET) == 0 else {
                throw OperationError("cannot read \(paths[rank]): \(String(cString: strerror(errno)))")
            }
            while true {
                let count = block.withUnsafeMutableBytes { read(fds[rank], $0.baseAddress, $0.count) }
                guard count >= 0 else { throw OperationError("cannot read \(paths[rank]): \(String(cString: strerror(errno)))") }
                if count == 0 { break }
                try Self.writeAll(fd, Array(block[..<count]), path: path)
            }
        }
        try Self.writeAll(fd, Array(tail.utf8), path: path)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw OperationError("cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }
}
