import Foundation
import GRDB
import HooklineKit

/// A workspace in a fresh temporary folder, with real files on disk.
struct WorkspaceFixture {
    let root: URL

    init(customers: String? = nil, orders: String? = nil, events: String? = nil, config: String? = nil) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("hookline-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        if let customers { try write("data/customers.csv", customers) }
        if let orders { try write("data/orders.csv", orders) }
        if let events { try write("data/events.csv", events) }
        if let config { try write("hookline.yml", config) }
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: root.appendingPathComponent(path))
    }

    /// Appends and moves the modification time forward, as an export tool would.
    func append(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        try touch(path)
    }

    func touch(_ path: String, secondsAhead: TimeInterval = 5) throws {
        let url = root.appendingPathComponent(path)
        let modified = (try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? Date()
        try FileManager.default.setAttributes([.modificationDate: modified.addingTimeInterval(secondsAhead)], ofItemAtPath: url.path)
    }

    func workspace() throws -> Workspace { try Workspace(root: root) }

    /// A snapshot of the store's imported rows, to prove a failed sync changed nothing.
    func storeDump() throws -> String {
        let (store, _) = try workspace().openStore(sync: false)
        return try store.database.read { db in
            var out = ""
            for table in ["customer", "order_history", "engagement_history", "source_file", "meta"] {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1")
                out += "\(table):\(rows.map(\.description).joined(separator: "|"))\n"
            }
            return out
        }
    }

    static let customersCSV = """
        id,email,first_name,last_name,locale,timezone,subscribed,created_at,city
        C1,anna@example.com,Анна,Смирнова,ru,Europe/Moscow,true,2025-01-05T10:00:00+03:00,Москва
        C2,bob@example.com,Bob,Smith,en,Europe/London,true,2025-02-01,"London, UK"
        C3,eleni@example.com,Ελένη,Παππά,el,Europe/Athens,false,2025-03-01,Αθήνα
        C4,dan@example.com,,Doe,en,America/New_York,yes,2025-04-01,

        """

    static let ordersCSV = """
        order_id,customer_id,ordered_at,sku,product,category,quantity,amount,currency
        O1,C1,2026-09-01T10:00:00+03:00,CB1,Ethiopia Yirgacheffe 250g,Coffee,1,12.50,EUR
        O1,C1,2026-09-01T10:00:00+03:00,T1,Sencha 100g,Tea,2,15.00,EUR
        O2,C1,2026-10-01T10:00:00+03:00,CB1,Ethiopia Yirgacheffe 250g,Coffee,1,12.50,EUR
        O3,C1,2026-11-01T10:00:00+03:00,CB2,Colombia Huila 250g,Coffee,1,13.00,EUR
        O4,C2,2025-06-01T12:00:00Z,EQ1,Pour-over Dripper,Equipment,1,25.00,EUR
        O5,C9,2026-11-10,CB1,Ethiopia Yirgacheffe 250g,Coffee,1,12.50,EUR

        """

    static let eventsCSV = """
        customer_id,type,at,campaign,url
        C1,delivered,2026-11-02T09:00:00Z,news-11,
        C1,open,2026-11-02T10:00:00Z,news-11,
        C2,delivered,2026-07-01T09:00:00Z,news-07,
        C2,open,2026-07-01T10:00:00Z,news-07,
        C4,delivered,2026-11-02T09:00:00Z,news-11,
        C4,bounce,2026-11-02T09:01:00Z,news-11,

        """

    static func standard() throws -> WorkspaceFixture {
        try WorkspaceFixture(customers: customersCSV, orders: ordersCSV, events: eventsCSV)
    }
}

/// Runs the built `hookline` executable and captures what it printed.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `hookline` binary next to the test bundle in the build folder.
    static var executable: URL {
        var url = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("hookline")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug/hookline")
    }

    static func run(_ arguments: [String], in directory: URL? = nil) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The repository root, which is also the example workspace.
    static var exampleWorkspace: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}

let november20 = ISODate.date("2026-11-20")!
