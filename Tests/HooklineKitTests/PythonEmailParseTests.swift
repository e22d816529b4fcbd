import Foundation
import Testing
@testable import HooklineKit

/// Every message of every example campaign, parsed back by Python's `email` package
/// (`policy.default`): no defects, headers decode to what was rendered, parts present.
@Suite("Independent parse of generated messages")
struct PythonEmailParseTests {
    static let checker = """
        import email, json, sys
        from email import policy
        results = []
        for path in sys.argv[1:]:
            raw = open(path, 'rb').read()
            m = email.message_from_bytes(raw, policy=policy.default)
            defects = [type(d).__name__ for d in m.defects]
            for part in m.walk():
                defects += [type(d).__name__ for d in part.defects]
            plain = m.get_body(('plain',))
            html = m.get_body(('html',))
            results.append({'file': path, 'defects': defects, 'subject': str(m['Subject']), 'to': m['To'].addresses[0].addr_spec,
                            'text': plain.get_content() if plain else None, 'has_html': html is not None,
                            'long_lines': sum(1 for l in raw.split(b'\\r\\n') if len(l) > 998),
                            'bare_lf': raw.replace(b'\\r\\n', b'').count(b'\\n'),
                            'unsub': str(m['List-Unsubscribe-Post'])})
        print(json.dumps(results))
        """

    struct Result: Decodable {
        var file: String
        var defects: [String]
        var subject: String
        var to: String
        var text: String?
        var has_html: Bool
        var long_lines: Int
        var bare_lf: Int
        var unsub: String
    }

    @Test("python's email parser finds no defects", arguments: ExampleShop.campaignIDs)
    func parse(id: String) throws {
        let p = try ExampleShop.get()
        let campaign = try Campaign.named(id, in: p.workspace)
        let composer = try Composer(workspace: p.workspace, campaign: campaign, secret: ExampleShop.secret)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hookline-eml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var expected: [String: RenderedMessage] = [:]
        for member in try ExampleShop.members(of: campaign) {
            let rendered = composer.render(member)
            let mime = try #require(rendered.message)
            let path = folder.appendingPathComponent("\(PreviewWriter.fileName(member.customer.id)).eml").path
            try Data(mime.bytes()).write(to: URL(fileURLWithPath: path))
            expected[path] = rendered
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.checker] + expected.keys.sorted()
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let results = try JSONDecoder().decode([Result].self, from: data)
        #expect(results.count == expected.count)
        for result in results {
            let rendered = try #require(expected[result.file])
            #expect(result.defects.isEmpty, "\(result.file): \(result.defects)")
            #expect(result.subject == rendered.subject)
            #expect(result.to == rendered.email)
            #expect(result.text?.replacingOccurrences(of: "\r\n", with: "\n") == rendered.text)
            #expect(result.has_html && result.long_lines == 0 && result.bare_lf == 0)
            #expect(result.unsub == "List-Unsubscribe=One-Click")
        }
    }
}
