import Foundation
import GRDB

/// Brings the store in line with the CSV files: nothing when nothing changed,
/// only the new rows when a file grew, a full re-read when a file was edited.
/// All changes of one sync land in one transaction, so a bad row leaves the
/// store exactly as it was.
public struct Importer {
    public struct Options: Sendable {
        /// Import the good rows and report the bad ones instead of stopping at the first.
        public var skipBadRows = false
        public init(skipBadRows: Bool = false) { self.skipBadRows = skipBadRows }
    }

    public let store: Store
    public let root: URL
    public let paths: WorkspaceConfig.DataPaths
    public var options: Options

    public init(store: Store, root: URL, paths: WorkspaceConfig.DataPaths, options: Options = Options()) {
        self.store = store
        self.root = root
        self.paths = paths
        self.options = options
    }

    enum Kind: String, CaseIterable {
        case customers, orders, events
    }

    struct Pending {
        var kind: Kind
        var path: String
        var action: SyncAction
        var stat: FileStat?
        var bytes: [UInt8] = []
    }

    /// Syncs every data file; returns what happened to each.
    @discardableResult
    public func sync() throws -> ImportSummary {
        let states = try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM source_file").reduce(into: [String: SourceFileState]()) { map, row in
                map[row["name"]] = SourceFileState(
                    name: row["name"], path: row["path"], size: row["size"], mtime: row["mtime"],
                    hash: row["hash"], lines: row["lines"], rows: row["rows"])
            }
        }
        var pending: [Pending] = []
        for kind in Kind.allCases {
            pending.append(try plan(kind, previous: states[kind.rawValue]))
        }
        if pending.allSatisfy({ $0.action == .unchanged }) {
            return ImportSummary(files: pending.map { .init(name: $0.kind.rawValue, path: $0.path, action: .unchanged) })
        }

        var parsed = ParsedData()
        var results: [ImportSummary.FileResult] = []
        for item in pending {
            var result = ImportSummary.FileResult(name: item.kind.rawValue, path: item.path, action: .init(item.action))
            switch item.action {
            case .unchanged, .touched, .removed:
                break
            case .full, .append:
                let offset: Int?
                let line: Int
                if case .append(let byte, let firstLine) = item.action { offset = byte; line = firstLine } else { offset = nil; line = 2 }
                let table = try CSVTable(bytes: item.bytes, file: item.path, from: offset)
                var issues = RowIssues(skip: options.skipBadRows)
                switch item.kind {
                case .customers: parsed.customers = try CustomerParser.parse(table, startLine: line, issues: &issues)
                case .orders: parsed.orders = try OrderParser.parse(table, startLine: line, issues: &issues)
                case .events: parsed.events = try EventParser.parse(table, startLine: line, issues: &issues)
                }
                result.rows = issues.rowsRead
                result.skipped = issues.skipped
                result.skippedCount = issues.skippedCount
            }
            results.append(result)
        }

        try store.database.write { db in
            for item in pending {
                try apply(item, parsed: parsed, db: db)
            }
            try Store.bumpDataVersion(db)
        }
        return ImportSummary(files: results)
    }

    private func plan(_ kind: Kind, previous: SourceFileState?) throws -> Pending {
        let relative: String
        switch kind {
        case .customers: relative = paths.customers
        case .orders: relative = paths.orders
        case .events: relative = paths.events
        }
        let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
        guard let stat = FileStat.of(url.path) else {
            if kind == .events {
                return Pending(kind: kind, path: relative, action: previous == nil ? .unchanged : .removed)
            }
            throw InputError(file: relative, "file not found",
                             hint: "export your \(kind.rawValue) as CSV there, or set data.\(kind.rawValue) in hookline.yml")
        }
        if let previous, previous.size == stat.size, previous.mtime == stat.mtime, previous.path == relative {
            return Pending(kind: kind, path: relative, action: .unchanged, stat: stat)
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputError(file: relative, "cannot read the file", hint: "check its permissions")
        }
        let bytes = [UInt8](data)
        var pending = Pending(kind: kind, path: relative, action: .full, stat: stat, bytes: bytes)
        guard let previous, previous.path == relative else { return pending }
        if previous.size == bytes.count, ContentHash.of(bytes) == previous.hash {
            pending.action = .touched
        } else if previous.size < bytes.count, previous.size > 0, bytes[previous.size - 1] == UInt8(ascii: "\n"),
                  ContentHash.of(bytes, count: previous.size) == previous.hash {
            pending.action = .append(offset: previous.size, line: previous.lines + 1)
        }
        return pending
    }

    private func apply(_ item: Pending, parsed: ParsedData, db: Database) throws {
        switch item.action {
        case .unchanged:
            return
        case .removed:
            try db.execute(sql: "DELETE FROM engagement_history")
            try db.execute(sql: "DELETE FROM source_file WHERE name = ?", arguments: [item.kind.rawValue])
            return
        case .touched:
            try db.execute(sql: "UPDATE source_file SET mtime = ? WHERE name = ?",
                           arguments: [item.stat?.mtime ?? 0, item.kind.rawValue])
            return
        case .full, .append:
            let append = item.action != .full
            switch item.kind {
            case .customers: try CustomerParser.write(parsed.customers, append: append, file: item.path, db: db)
            case .orders: try OrderParser.write(parsed.orders, append: append, db: db)
            case .events: try EventParser.write(parsed.events, append: append, db: db)
            }
            let lines = item.bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                + (item.bytes.last == UInt8(ascii: "\n") || item.bytes.isEmpty ? 0 : 1)
            let rows = try Int.fetchOne(db, sql: "SELECT rows FROM source_file WHERE name = ?", arguments: [item.kind.rawValue]) ?? 0
            let added: Int
            switch item.kind {
            case .customers: added = parsed.customers.count
            case .orders: added = parsed.orders.lineCount
            case .events: added = parsed.events.values.reduce(0) { $0 + $1.count }
            }
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO source_file(name, path, size, mtime, hash, lines, rows, synced_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [item.kind.rawValue, item.path, item.bytes.count, item.stat?.mtime ?? 0,
                            ContentHash.of(item.bytes), lines, (append ? rows : 0) + added, Date().timeIntervalSince1970])
        }
    }
}

/// What one sync read, by file.
struct ParsedData {
    var customers: [ParsedCustomer] = []
    var orders = ParsedOrders()
    var events: [String: [EngagementEvent]] = [:]
}

/// Collects row errors when `--skip-bad-rows` is on; otherwise the first one is thrown.
struct RowIssues {
    let skip: Bool
    var rowsRead = 0
    var skippedCount = 0
    var skipped: [InputError] = []

    mutating func handle(_ error: InputError) throws {
        guard skip else { throw error }
        skippedCount += 1
        if skipped.count < 20 { skipped.append(error) }
    }
}

/// What a sync did, per file.
public struct ImportSummary: Sendable {
    public enum Action: String, Sendable {
        case unchanged, touched, appended, reimported, removed

        init(_ action: SyncAction) {
            switch action {
            case .unchanged: self = .unchanged
            case .touched: self = .touched
            case .append: self = .appended
            case .full: self = .reimported
            case .removed: self = .removed
            }
        }
    }

    public struct FileResult: Sendable {
        public var name: String
        public var path: String
        public var action: Action
        /// Data rows read in this sync (all rows for a re-import, the new ones for an append).
        public var rows = 0
        public var skippedCount = 0
        /// The first skipped rows' errors, at most 20.
        public var skipped: [InputError] = []
    }

    public var files: [FileResult]

    public var changed: Bool { files.contains { $0.action != .unchanged && $0.action != .touched } }
}
