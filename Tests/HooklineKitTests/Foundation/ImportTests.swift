import Foundation
import Testing
@testable import HooklineKit

@Suite("Import: CSV files into the store")
struct ImportTests {
    @Test("a first import reads every file and keeps extra columns as attributes")
    func firstImport() throws {
        let fixture = try WorkspaceFixture.standard()
        let (store, summary) = try fixture.workspace().openStore()
        #expect(summary?.files.map(\.action) == [.reimported, .reimported, .reimported])
        #expect(summary?.files.map(\.rows) == [4, 6, 6])
        let snapshot = try Snapshot.load(from: store, now: november20, thresholds: .init())
        let ids = snapshot.customers.map(\.customer.id)
        #expect(ids == ["C1", "C2", "C3", "C4", "C9"])
        let anna = try #require(snapshot.customers.first)
        #expect(anna.customer.firstName == "Анна")
        #expect(anna.customer.attributes["city"] == "Москва")
        #expect(snapshot.customers[1].customer.attributes["city"] == "London, UK")
        #expect(anna.orderCount == 3)
        // The customer known only from orders has no email and can never be mailed.
        let orphan = try #require(snapshot.customers.last)
        #expect(orphan.customer.email == nil && !orphan.isMailable && orphan.orderCount == 1)
    }

    @Test("re-importing unchanged files changes nothing")
    func idempotent() throws {
        let fixture = try WorkspaceFixture.standard()
        _ = try fixture.workspace().openStore()
        let before = try fixture.storeDump()
        let (_, summary) = try fixture.workspace().openStore()
        #expect(summary?.files.allSatisfy { $0.action == .unchanged } == true)
        #expect(try fixture.storeDump() == before)
        // A touched file with the same content is recognised by its hash.
        try fixture.touch("data/orders.csv")
        let (_, touched) = try fixture.workspace().openStore()
        #expect(touched?.files[1].action == .touched)
        #expect(touched?.changed == false)
    }

    @Test("appended rows are added without reading the file again")
    func append() throws {
        let fixture = try WorkspaceFixture.standard()
        _ = try fixture.workspace().openStore()
        try fixture.append("data/orders.csv", "O6,C2,2026-11-15T08:00:00Z,CB1,Ethiopia Yirgacheffe 250g,Coffee,2,25.00,EUR\n")
        let (store, summary) = try fixture.workspace().openStore()
        #expect(summary?.files[1].action == .appended)
        #expect(summary?.files[1].rows == 1)
        let snapshot = try Snapshot.load(from: store, now: november20, thresholds: .init())
        let bob = try #require(snapshot.customers.first { $0.customer.id == "C2" })
        #expect(bob.orderCount == 2)
        #expect(bob.daysSinceLastOrder == 4)
        #expect(bob.bought(category: "coffee", withinDays: 10))
    }

    @Test("an edited file is read again in full")
    func edited() throws {
        let fixture = try WorkspaceFixture.standard()
        _ = try fixture.workspace().openStore()
        try fixture.write("data/orders.csv", WorkspaceFixture.ordersCSV.replacingOccurrences(of: "O4,C2", with: "O4,C3"))
        try fixture.touch("data/orders.csv")
        let (store, summary) = try fixture.workspace().openStore()
        #expect(summary?.files[1].action == .reimported)
        let snapshot = try Snapshot.load(from: store, now: november20, thresholds: .init())
        #expect(snapshot.customers.first { $0.customer.id == "C2" }?.orderCount == 0)
        #expect(snapshot.customers.first { $0.customer.id == "C3" }?.orderCount == 1)
    }

    /// Each bad input must produce one error naming file, line and field, and leave the store as it was.
    @Test("bad input is refused with file, line and field, and the store stays unchanged", arguments: [
        ("data/orders.csv", "order_id,customer_id,ordered_at,sku\nO1,C1,2026-01-01,X\n", "data/orders.csv:1: amount: missing required column 'amount'"),
        ("data/orders.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2026-13-01,1.00\n", "data/orders.csv:2: ordered_at: '2026-13-01' is not an ISO 8601 date"),
        ("data/orders.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,1.00\nO2,C1,2026-01-02,twelve\n", "data/orders.csv:3: amount: 'twelve' is not a number"),
        ("data/orders.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,1.00\nO1,C2,2026-01-01,1.00\n", "data/orders.csv:3: customer_id: order 'O1' belongs to customer 'C1' on line 2"),
        ("data/customers.csv", "id,email\nC1,a@example.com\nC1,b@example.com\n", "data/customers.csv:3: id: duplicate customer id 'C1' (also on line 2)"),
        // Not next to each other, after ids that went up (the reader had no lookup table yet).
        ("data/customers.csv", "id,email\nC1,a@example.com\nC2,b@example.com\nC1,c@example.com\n", "data/customers.csv:4: id: duplicate customer id 'C1' (also on line 2)"),
        ("data/orders.csv", "order_id,customer_id,ordered_at,amount\nO1,C1,2026-01-01,1.00\nO2,C2,2026-01-02,1.00\nO1,C2,2026-01-03,1.00\n", "data/orders.csv:4: customer_id: order 'O1' belongs to customer 'C1' on line 2"),
        ("data/customers.csv", "id,email\nC1,not-an-address\n", "data/customers.csv:2: email: 'not-an-address' is not a valid email address"),
        ("data/customers.csv", "", "data/customers.csv:1: the file is empty"),
        ("data/customers.csv", "id,email,first_name\nC1,a@example.com,\"Bob\nBcc: x@evil.example\"\n", "data/customers.csv:2: first_name: the value contains a line break"),
        ("data/events.csv", "customer_id,type,at\nC1,opne,2026-01-01\n", "data/events.csv:2: type: unknown event type 'opne' — did you mean 'open'?"),
        ("data/customers.csv", "id,email,\"first_name\nC1,a@example.com,x\n", "data/customers.csv:1: a quoted field is never closed"),
    ])
    func badInput(path: String, content: String, expected: String) throws {
        let fixture = try WorkspaceFixture.standard()
        _ = try fixture.workspace().openStore()
        let before = try fixture.storeDump()
        try fixture.write(path, content)
        try fixture.touch(path)
        let error = #expect(throws: InputError.self) { try fixture.workspace().openStore() }
        #expect(error?.description.hasPrefix(expected) == true, "got: \(error?.description ?? "")")
        #expect(error?.hint != nil)
        #expect(try fixture.storeDump() == before)
    }

    @Test("a bulk sync goes through a rollback journal: a bad row still leaves the store as it was, and the log comes back")
    func bulkSyncJournal() throws {
        let fixture = try WorkspaceFixture.standard()
        let bulk = Importer.Options(rollbackJournalBytes: 0)
        let (store, _) = try fixture.workspace().openStore(options: bulk)
        func journalMode() throws -> String? { try store.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } }
        #expect(try journalMode() == "wal")
        let before = try fixture.storeDump()
        try fixture.append("data/orders.csv", "O7,C2,2026-11-15T08:00:00Z,CB1,Beans,Coffee,1,12.00,EUR\nO8,C2,2026-11-16,CB1,Beans,Coffee,1,oops,EUR\n")
        #expect(throws: InputError.self) { try fixture.workspace().openStore(options: bulk) }
        #expect(try fixture.storeDump() == before)
        #expect(try journalMode() == "wal")
        try fixture.write("data/orders.csv", WorkspaceFixture.ordersCSV + "O7,C2,2026-11-15T08:00:00Z,CB1,Beans,Coffee,1,12.00,EUR\n")
        let (after, summary) = try fixture.workspace().openStore(options: bulk)
        #expect(summary?.files[1].action == .appended)
        let bob = try Snapshot.load(from: after, now: november20, thresholds: .init()).customers.first { $0.customer.id == "C2" }
        #expect(bob?.orderCount == 2)
        #expect(try journalMode() == "wal")
    }

    @Test("a file that is not UTF-8 is refused with its line")
    func notUTF8() throws {
        let fixture = try WorkspaceFixture.standard()
        var bytes = Array("id,email,first_name\nC1,a@example.com,Ren".utf8)
        bytes += [0xE9, 0x0A]  // Latin-1 "é"
        try fixture.writeBytes("data/customers.csv", bytes)
        let error = #expect(throws: InputError.self) { try fixture.workspace().openStore() }
        #expect(error?.description.hasPrefix("data/customers.csv:2: first_name: the text is not valid UTF-8") == true)
    }

    @Test("--skip-bad-rows imports the good rows and says where the bad ones are")
    func skipBadRows() throws {
        let fixture = try WorkspaceFixture.standard()
        try fixture.write("data/orders.csv", """
            order_id,customer_id,ordered_at,amount
            O1,C1,2026-01-01,10.00
            O2,C1,yesterday,10.00
            O3,C1,2026-02-01,abc
            O4,C1,2026-03-01,10.00

            """)
        let (store, summary) = try fixture.workspace().openStore(options: .init(skipBadRows: true))
        let orders = try #require(summary?.files[1])
        #expect(orders.skippedCount == 2)
        #expect(orders.skipped.map(\.line) == [3, 4])
        let snapshot = try Snapshot.load(from: store, now: november20, thresholds: .init())
        #expect(snapshot.customers.first?.orderCount == 2)
    }

    @Test("a missing customers file names the path and the setting")
    func missingFile() throws {
        let fixture = try WorkspaceFixture(orders: WorkspaceFixture.ordersCSV)
        let error = #expect(throws: InputError.self) { try fixture.workspace().openStore() }
        #expect(error?.description == "data/customers.csv: file not found — export your customers as CSV there, or set data.customers in hookline.yml")
    }

    @Test("columns are found by name in any order, header case and a BOM do not matter")
    func columnOrder() throws {
        let fixture = try WorkspaceFixture(
            customers: "\u{FEFF}Email,ID\r\nzoe@example.com,Z1\r\n",
            orders: "Amount,Ordered_At,Customer_ID,Order_ID\r\n9.50,2026-11-01T10:00:00+01:00,Z1,O9\r\n")
        let (store, _) = try fixture.workspace().openStore()
        let snapshot = try Snapshot.load(from: store, now: november20, thresholds: .init())
        let zoe = try #require(snapshot.customers.first)
        #expect(zoe.customer.email == "zoe@example.com")
        #expect(zoe.totalSpend == 9.5)
        #expect(zoe.lastOrderAt == ISODate.seconds("2026-11-01T09:00:00Z"))
    }
}
