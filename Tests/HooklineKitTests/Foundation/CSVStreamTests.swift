import Foundation
import Testing
@testable import HooklineKit

@Suite("CSV: reading in chunks gives the same rows as reading at once")
struct CSVStreamTests {
    /// Quoted commas, doubled quotes, a line break inside quotes, CRLF, a BOM, Cyrillic and Greek.
    static let text = "\u{FEFF}id,name,note\r\n"
        + "1,\"Smith, Anna\",\"she said \"\"hi\"\"\"\r\n"
        + "2,Αλέξανδρος,\"two\nlines\"\n"
        + "3,Пётр,\n"
        + "\n"
        + "4,\"\"\"quoted\"\"\",last"

    struct Read: Equatable {
        var line: Int
        var fields: [String?]
    }

    func read(_ path: String, chunk: Int, from offset: Int? = nil, startLine: Int = 2) throws -> ([Read], String, Int) {
        let table = try CSVTable(path: path, file: "t.csv", from: offset, startLine: startLine, chunkSize: chunk)
        var rows: [Read] = []
        try table.forEachRow { row in
            rows.append(Read(line: row.line, fields: try (0..<3).map { try row.text($0, name: "f") }))
        }
        let finished = try table.finish()
        #expect(table.header == ["id", "name", "note"])
        return (rows, finished.hash, finished.lines)
    }

    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("every chunk size from 1 byte up parses the same rows, lines and hash")
    func chunkSizes() throws {
        let path = try file(Self.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (expected, hash, lines) = try read(path, chunk: 1 << 20)
        #expect(expected == [
            Read(line: 2, fields: ["1", "Smith, Anna", "she said \"hi\""]),
            Read(line: 3, fields: ["2", "Αλέξανδρος", "two\nlines"]),
            Read(line: 5, fields: ["3", "Пётр", nil]),
            Read(line: 7, fields: ["4", "\"quoted\"", "last"]),
        ])
        #expect(lines == 7)
        let whole = try #require(ContentHasher.of(path: path))
        #expect(whole.hash == hash && whole.lines == lines)
        for chunk in 1...40 {
            let (rows, chunkHash, chunkLines) = try read(path, chunk: chunk)
            #expect(rows == expected, "chunk size \(chunk)")
            #expect(chunkHash == hash && chunkLines == lines, "chunk size \(chunk)")
        }
    }

    @Test("reading from an offset skips the rows before it but hashes the whole file")
    func offset() throws {
        let path = try file(Self.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = Self.text.utf8.count - "4,\"\"\"quoted\"\"\",last".utf8.count
        for chunk in [1, 3, 7, 64] {
            let (rows, hash, _) = try read(path, chunk: chunk, from: start, startLine: 7)
            #expect(rows == [Read(line: 7, fields: ["4", "\"quoted\"", "last"])], "chunk size \(chunk)")
            #expect(hash == ContentHasher.of(path: path)?.hash)
        }
    }

    @Test("an unclosed quote at the end of the file names the line it starts on")
    func unclosedQuote() throws {
        let path = try file("id,name,note\n1,\"open,x\n2,y,z\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for chunk in [2, 5, 1 << 20] {
            let error = #expect(throws: InputError.self) { _ = try read(path, chunk: chunk) }
            #expect(error?.line == 2)
            #expect(error?.message.contains("never closed") == true)
        }
    }

    @Test("numbers parse from bytes exactly as Foundation parses them")
    func numbers() {
        for text in ["0", "12.50", "-3.5", "+7", "0.1", "123456789.123456", "1e3", "99.99", "1234567890123456789"] {
            let fast = Array(text.utf8).withUnsafeBufferPointer(FastNumber.decimal)
            #expect(fast == Double(text), "\(text)")
        }
        for bad in ["", "1.2.3", "abc", "nan", "-"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer(FastNumber.decimal) == nil, "\(bad)")
        }
        #expect(Array("42".utf8).withUnsafeBufferPointer(FastNumber.count) == 42)
        #expect(Array("4x".utf8).withUnsafeBufferPointer(FastNumber.count) == nil)
    }

    @Test("the interner gives each distinct byte string one number, across growth")
    func interner() {
        var interner = ByteInterner(capacity: 1)
        for round in 0..<2 {
            for n in 0..<5000 {
                let result = Array("id-\(n)".utf8).withUnsafeBufferPointer { interner.intern($0) }
                #expect(result.index == Int32(n) && result.isNew == (round == 0))
            }
        }
        #expect(interner.count == 5000 && interner.string(4321) == "id-4321")
    }

    @Test("short values are told apart by length, long ones by every byte; lookups survive being dropped")
    func internerKeys() {
        var interner = ByteInterner(capacity: 1)
        // Same first 8 bytes, or the same bytes but one more NUL: all distinct.
        let values: [[UInt8]] = [[], [0], [0, 0], Array("ab".utf8), Array("ab".utf8) + [0], Array("C0000146".utf8),
                                 Array("C0000146".utf8) + [0], Array("C0000146-a".utf8), Array("C0000146-b".utf8),
                                 Array("Σ-café".utf8), Array(repeating: 0x41, count: 300), Array(repeating: 0x41, count: 301)]
        for (n, value) in values.enumerated() {
            let result = value.withUnsafeBufferPointer { interner.intern($0) }
            #expect(result.index == Int32(n) && result.isNew, "\(value)")
        }
        func find(_ value: [UInt8]) -> Int32? { value.withUnsafeBufferPointer { interner.find($0) } }
        for (n, value) in values.enumerated() { #expect(find(value) == Int32(n), "\(value)") }
        #expect(find(Array("C0000147".utf8)) == nil && find(Array("ab".utf8) + [0, 0]) == nil)
        interner.dropLookups()
        #expect(find(Array("C0000146-b".utf8)) == 8 && find(Array("nope".utf8)) == nil)
        let again = Array("ab".utf8).withUnsafeBufferPointer { interner.intern($0) }
        let new = Array("new".utf8).withUnsafeBufferPointer { interner.intern($0) }
        #expect(again.index == 3 && !again.isNew && new.index == Int32(values.count) && new.isNew)
        #expect(interner.string(values.count) == "new" && find(Array("Σ-café".utf8)) == 9)
    }

    @Test("dates read with the day cache equal dates read alone, valid or not")
    func dayCache() {
        let texts = ["2026-03-14T10:22:00+01:00", "2026-03-14T23:59:59Z", "2026-03-14", "2026-03-14T25:00:00Z",
                     "2026-03-14x", "2026-02-29T10:00:00Z", "2024-02-29T10:00:00Z", "2024-02-29 07:00", "2024-02-29",
                     "2024-02-29T07:00:00.123-05:00", "2024-02-2", "2024-13-01T00:00:00Z", "2024-12-31T23:00:00-14:00"]
        var cache = ISODate.DayCache()
        for text in texts + texts.reversed() {
            let cached = Array(text.utf8).withUnsafeBufferPointer { ISODate.parse($0, cache: &cache) }
            #expect(cached == ISODate.seconds(text), "\(text)")
        }
    }

    @Test("values sort in SQLite's BINARY order: bytes first, then length")
    func internerOrder() {
        var interner = ByteInterner()
        var generator = SystemRandomNumberGenerator()
        var values: [[UInt8]] = [[], [0], Array("C0000146".utf8), Array("C0000146".utf8) + [0], Array("C00001460".utf8),
                                 Array("Σ".utf8), Array("z".utf8), Array("abcdefgh-2".utf8), Array("abcdefgh-10".utf8)]
        for _ in 0..<2000 {
            let length = Int.random(in: 0...12, using: &generator)
            values.append((0..<length).map { _ in [0x41, 0x42, 0x7A, 0xCE, 0xA3, 0x00].randomElement(using: &generator)! })
        }
        for value in values { _ = value.withUnsafeBufferPointer { interner.intern($0) } }
        let sorted = interner.sortedIndices().map { index in interner.withBytes(Int(index)) { Array($0) } }
        let distinct = Array(Set(values.map { Data($0) })).map { [UInt8]($0) }
        #expect(sorted == distinct.sorted(by: KeyOrder.less))
    }
}
