import Foundation
import Testing
@testable import HooklineKit

@Suite("MIME messages")
struct MIMEMessageTests {
    func message(toName: String? = "Ann Lee", to: String = "ann@example.com", subject: String = "Hello there, friend") throws -> MIMEMessage {
        try MIMEMessage(from: .init(name: "Shop Team", address: "team@shop.example"), to: .init(name: toName, address: to),
                        subject: subject, date: 1_795_132_800, messageID: "abc123@shop.example",
                        unsubscribeURL: "https://shop.example/unsubscribe/t", unsubscribeMailto: "mailto:team@shop.example",
                        text: "Hello\nworld", html: "<p>Hello</p>")
    }

    func lines(_ m: MIMEMessage) -> [String] {
        String(decoding: m.bytes(), as: UTF8.self).components(separatedBy: "\r\n")
    }

    static let injections: [(String?, String, String, String)] = [
        ("Ann\r\nBcc: victim@example.com", "ann@example.com", "Hello there, friend", "to.name"),
        ("Ann\u{0}", "ann@example.com", "Hello there, friend", "to.name"),
        ("Ann", "ann@example.com\r\nBcc: x@example.com", "Hello there, friend", "to.address"),
        ("Ann", "ann@example.com", "Hello\nBcc: x@example.com", "subject"),
        ("Ann", "ann@example.com", "Hello\u{2028}there", "subject"),
        ("Ann", "ann@example.com", "Hello\u{7F}there", "subject"),
        ("Ann", "not an address", "Hello there, friend", "to.address"),
    ]

    @Test("control characters in header values are refused, naming the field", arguments: injections)
    func injection(name: String?, address: String, subject: String, field: String) {
        #expect(throws: MIMEError.self) { try message(toName: name, to: address, subject: subject) }
        do { _ = try message(toName: name, to: address, subject: subject) } catch let error as MIMEError {
            #expect(error.field == field)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("an injected line in customer data never reaches a header: the recipient fails")
    func injectionFromData() throws {
        let composer = try ExampleShop.composer(template: ExampleShop.goodTemplate.replacingOccurrences(
            of: "we roasted", with: "we roasted in {{city|town}} and"))
        for customer in [
            ExampleShop.customer(id: "C7", first: "Ann\r\nBcc: all@example.com"),
            ExampleShop.customer(id: "C7", last: "Lee\u{0}"),
            ExampleShop.customer(id: "C7", email: "ann@example.com\nBcc: all@example.com"),
            ExampleShop.customer(id: "C7", attributes: ["city": "Bristol\r\nX-Evil: 1"]),
        ] {
            let rendered = composer.render(customer)
            #expect(rendered.message == nil)
            #expect(rendered.failure?.customerID == "C7")
            #expect(!rendered.isSendable)
        }
        let city = composer.render(ExampleShop.customer(id: "C7", attributes: ["city": "Bristol\r\nX-Evil: 1"]))
        #expect(city.failure?.field == "city")
    }

    @Test("non-ASCII subjects and names become encoded-words within 76 characters")
    func encodedWords() throws {
        let subject = "Αικατερίνη, γιατί ο καφές του Δεκεμβρίου μυρίζει δαμάσκηνο και σοκολάτα;"
        let m = try message(toName: "Αικατερίνη Παπαδοπούλου-Κωνσταντινίδου", subject: subject)
        let header = lines(m).prefix { !$0.isEmpty }
        #expect(header.allSatisfy { $0.utf8.count <= 76 || $0.hasPrefix("List-Unsubscribe:") })
        #expect(header.filter { $0.contains("=?UTF-8?B?") }.count >= 3)
        for word in header.joined(separator: " ").split(separator: " ") where word.hasPrefix("=?") {
            #expect(word.count <= 75)
        }
    }

    @Test("a subject that looks like an encoded-word is itself encoded")
    func smuggledEncodedWord() throws {
        let m = try message(subject: "=?UTF-8?B?SGkNCkJjYzogeEB5LnN6?= hello")
        let subjectLine = try #require(lines(m).first { $0.hasPrefix("Subject:") })
        #expect(!subjectLine.contains("SGkNCkJjYzogeEB5LnN6?= hello"))
    }

    @Test("CRLF everywhere, no bare LF, no line over 998 octets, one-click unsubscribe headers")
    func structure() throws {
        let long = String(repeating: "word ", count: 400)
        let m = try MIMEMessage(from: .init(name: "Shop", address: "team@shop.example"), to: .init(address: "a@example.com"),
                                subject: "A subject of fair length", date: 0, messageID: "x1@shop.example",
                                unsubscribeURL: "https://shop.example/u/1", text: long, html: "<p>" + long + "</p>")
        let bytes = m.bytes()
        for (i, byte) in bytes.enumerated() where byte == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D) }
        let all = lines(m)
        #expect(all.allSatisfy { $0.utf8.count <= 998 })
        #expect(all.filter { $0.hasPrefix("List-Unsubscribe:") }.count == 1)
        #expect(all.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(all.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(all.contains("MIME-Version: 1.0"))
    }
}
