import Foundation
import HooklineKit

/// The fixture `smtp/smtp_server.py` (aiosmtpd) running on 127.0.0.1 at a free port.
final class SMTPTestServer {
    struct Received: Decodable {
        var file: String
        var from: String
        var rcpt: [String]
        var tls: Bool
        /// The next message's MAIL FROM had arrived behind this one's content.
        var next_pipelined: Bool?
    }

    let process = Process()
    let port: Int
    let directory: URL

    init(_ arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hookline-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", try Self.script().path, "--dir", directory.appendingPathComponent("out").path]
            + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            kill(process.processIdentifier, SIGKILL)
            throw OperationError("the test SMTP server did not start (is aiosmtpd installed? pip install aiosmtpd)")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the child inherits the test runner's blocked signals, so SIGTERM would wait forever.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    static func script() throws -> URL {
        let candidates = [
            Bundle.module.resourceURL?.appendingPathComponent("Fixtures/smtp/smtp_server.py"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/smtp/smtp_server.py"),
        ].compactMap { $0 }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw OperationError("smtp_server.py fixture not found")
        }
        return found
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    func received() -> [Received] {
        lines("received.jsonl").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    func message(_ item: Received) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("out/\(item.file)"), encoding: .utf8)) ?? ""
    }

    /// Lines of events.jsonl: session starts and AUTH attempts.
    func events() -> [[String: Any]] {
        lines("events.jsonl").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    private func lines(_ name: String) -> [String] {
        let url = directory.appendingPathComponent("out/\(name)")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// A self-signed certificate for 127.0.0.1 and localhost: (certificate, key).
    func makeCertificate() throws -> (String, String) {
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                             "-days", "1", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
        openssl.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        openssl.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw OperationError("openssl failed") }
        return (cert, key)
    }
}

/// Builds test messages by hand (the real ones come from the composer).
enum TestMessages {
    static let sender = "shop@example.com"

    static func message(to recipient: String, id: String, body: String = "Hello.\r\n.A line starting with a dot.\r\n")
        -> OutgoingMessage {
        let text = "From: Shop <\(sender)>\r\nTo: <\(recipient)>\r\nSubject: Test\r\nMessage-ID: <\(id)>\r\n"
            + "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
        return OutgoingMessage(envelopeFrom: sender, recipient: recipient, data: Array(text.utf8), messageId: id)
    }

    static let source = MessageRenderer { entry in message(to: entry.email, id: entry.messageId) }

    /// A ledger with one planned row per address, all due at `now`, in memory or in the
    /// store at `path`.
    static func ledger(_ emails: [String], now: Int64, path: String? = nil) throws -> Ledger {
        let ledger = Ledger(store: try path.map { try Store(path: $0) } ?? Store())
        try ledger.record(emails.enumerated().map { index, email in
            PlannedSend(campaign: "winter", occurrence: "2026-11-23", customerId: "c\(index)", email: email,
                        dueAt: now, messageId: "m\(index).winter@shop.example.com")
        }, now: now)
        return ledger
    }
}
