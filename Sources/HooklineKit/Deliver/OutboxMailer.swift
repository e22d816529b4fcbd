import Foundation

/// Writes each message as an `.eml` file into a folder (`outbox/` by default):
/// what Hookline does when `hookline.yml` has no `smtp:` section.
public struct OutboxMailer: Mailer {
    public let directory: URL
    public var connections: Int { 1 }

    public init(directory: URL) {
        self.directory = directory
    }

    public func openConnection() throws -> any MailConnection {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MailerUnavailable("cannot create the outbox folder \(directory.path)",
                                    hint: "check the folder's permissions or configure smtp: in hookline.yml")
        }
        return OutboxConnection(directory: directory)
    }
}

final class OutboxConnection: MailConnection {
    let directory: URL

    init(directory: URL) {
        self.directory = directory
    }

    /// Writes to a temporary name and renames, so a crash never leaves half a message
    /// under a final name.
    func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome {
        if let problem = EnvelopeCheck.problem(message) { return .failed(problem) }
        let final = directory.appendingPathComponent("\(message.messageId).eml")
        let temporary = directory.appendingPathComponent(".\(message.messageId).eml.tmp")
        do {
            try Data(message.data).write(to: temporary)
            guard rename(temporary.path, final.path) == 0 else {
                throw OperationError(String(cString: strerror(errno)))
            }
        } catch {
            throw MailerUnavailable("cannot write \(final.path): \(error.localizedDescription)",
                                    hint: "check free disk space and the folder's permissions")
        }
        return .sent(SMTPReply(code: 250, text: "written to \(final.lastPathComponent)"))
    }
}
