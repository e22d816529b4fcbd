import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the few loops that
/// touch every customer (the scan behind segment sizes, the import's inserts):
/// values go in and come out as bytes, with no per-row objects.
final class RawStatement {
    private var handle: OpaquePointer?
    private let sql: String

    /// `head` (an INSERT up to `VALUES`) for `rows` rows of `columns` parameters each, so that
    /// one statement's start, cursors and reset serve many rows of a bulk insert.
    convenience init(_ db: Database, insert head: String, columns: Int, rows: Int) throws {
        let row = "(" + repeatElement("?", count: columns).joined(separator: ", ") + ")"
        try self.init(db, head + " VALUES " + repeatElement(row, count: rows).joined(separator: ", "))
    }

    init(_ db: Database, _ sql: String) throws {
        self.sql = sql
        guard sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &handle, nil) == SQLITE_OK, handle != nil else {
            throw OperationError("the store refused a query: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))",
                                 hint: "delete .hookline/ to rebuild the store from the CSV files")
        }
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps to the next row; false when there is none.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure()
        }
    }

    /// Runs an insert or update with the values bound so far, then clears them.
    func run() throws {
        guard sqlite3_step(handle) == SQLITE_DONE else { throw failure() }
        reset()
    }

    /// Makes the statement ready to run again, with no values bound.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The column as an integer (0 for NULL).
    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column as a floating-point number (0 for NULL).
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column as text; nil for NULL.
    func text(_ column: Int32) -> String? {
        guard !isNull(column) else { return nil }
        return String(decoding: bytes(column), as: UTF8.self)
    }

    /// The column's bytes (text or blob), valid until the next step.
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base = sqlite3_column_blob(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base, count: count)
    }

    /// Binds text. With `copy: false` SQLite reads the bytes where they are, so they must
    /// stay put until the statement has run (the import's rows run inside the callback
    /// that lends them: a copy per value cost a malloc and a free each).
    func bind(_ index: Int32, text bytes: UnsafeBufferPointer<UInt8>?, copy: Bool = true) {
        guard let bytes else { sqlite3_bind_null(handle, index); return }
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT_DESTRUCTOR)
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            _ = sqlite3_bind_text(handle, index, chars, Int32(bytes.count), copy ? SQLITE_TRANSIENT_DESTRUCTOR : nil)
        }
    }

    func bind(_ index: Int32, text: String?) {
        guard var text else { sqlite3_bind_null(handle, index); return }
        text.withUTF8 { bind(index, text: $0) }
    }

    func bind(_ index: Int32, blob bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bind(index, blob: $0) }
    }

    func bind(_ index: Int32, blob bytes: UnsafeBufferPointer<UInt8>, copy: Bool = true) {
        _ = sqlite3_bind_blob(handle, index, UnsafeRawPointer(bytes.baseAddress) ?? UnsafeRawPointer(bitPattern: 1),
                              Int32(bytes.count), copy ? SQLITE_TRANSIENT_DESTRUCTOR : nil)
    }

    func bind(_ index: Int32, int value: Int64?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, double value: Double?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_double(handle, index, value)
    }

    private func failure() -> Error {
        let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
        sqlite3_reset(handle)
        return OperationError("the store failed: \(message)", hint: "check the disk, or delete .hookline/ to rebuild it")
    }
}

/// SQLite's "copy the value now" destructor.
private let SQLITE_TRANSIENT_DESTRUCTOR = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
