import CCurl
import Foundation

/// Delivers through an SMTP relay with libcurl: one easy handle per connection,
/// reused for many messages, on its own worker thread.
public struct SMTPMailer: Mailer {
    public let settings: SMTPSettings
    private let password: String?

    public var connections: Int { settings.connections }

    /// `password` comes from ``SMTPSettings/password(environment:)``; it is never printed.
    public init(settings: SMTPSettings, password: String?) {
        self.settings = settings
        self.password = password
    }

    public func openConnection() throws -> any MailConnection {
        guard CurlRuntime.initialized else {
            throw MailerUnavailable("libcurl could not be initialised", hint: "check the libcurl installation")
        }
        return try CurlConnection(settings: settings, password: password)
    }
}

enum CurlRuntime {
    /// `curl_global_init` must run once before any handle; a static initialiser runs once, thread-safely.
    static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
}

/// The bytes of one message as libcurl reads them, through an `Unmanaged` pointer.
private final class UploadBuffer {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

private let readCallback: hl_read_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let upload = Unmanaged<UploadBuffer>.fromOpaque(userdata).takeUnretainedValue()
    let length = min(size * count, upload.bytes.count - upload.offset)
    guard length > 0 else { return 0 }
    upload.bytes.withUnsafeBufferPointer { source in
        guard let base = source.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + upload.offset, byteCount: length)
    }
    upload.offset += length
    return length
}

/// One SMTP session. libcurl keeps the connection open between transfers on the
/// same handle, so the server sees one session carrying many messages.
final class CurlConnection: MailConnection {
    private let handle: UnsafeMutableRawPointer
    /// libcurl writes error details here during a transfer; it must stay at one address.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let settings: SMTPSettings

    init(settings: SMTPSettings, password: String?) throws {
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        guard let handle = curl_easy_init() else {
            errorBuffer.deallocate()
            throw MailerUnavailable("libcurl could not create a handle", hint: "the system may be out of memory")
        }
        self.handle = handle
        self.settings = settings
        var codes: [CURLcode] = [
            hl_setopt_string(handle, CURLOPT_URL, settings.url),
            hl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            hl_setopt_long(handle, CURLOPT_UPLOAD, 1),
            hl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds),
            hl_setopt_long(handle, CURLOPT_TIMEOUT, settings.messageTimeoutSeconds),
            hl_setopt_long(handle, CURLOPT_SERVER_RESPONSE_TIMEOUT, settings.messageTimeoutSeconds),
            hl_setopt_rcpt_allowfails(handle, 0),
        ]
        switch settings.security {
        case .starttls: codes.append(hl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
        case .implicitTLS, .none: break
        }
        if let caFile = settings.caFile { codes.append(hl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if settings.insecureSkipVerify {
            codes.append(hl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            codes.append(hl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        }
        if let username = settings.username {
            codes.append(hl_setopt_string(handle, CURLOPT_USERNAME, username))
            codes.append(hl_setopt_string(handle, CURLOPT_PASSWORD, password ?? ""))
        }
        if let mechanism = settings.authMechanism {
            codes.append(hl_setopt_string(handle, CURLOPT_LOGIN_OPTIONS, "AUTH=\(mechanism)"))
        }
        codes.append(hl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        if let bad = codes.first(where: { $0 != CURLE_OK }) {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw MailerUnavailable("libcurl refused an option: \(String(cString: curl_easy_strerror(bad)))",
                                    hint: "libcurl may be built without SMTP or TLS support")
        }
    }

    deinit {
        // Sends QUIT and closes the session.
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func deliver(_ message: OutgoingMessage) throws -> DeliveryOutcome {
        // libcurl copies addresses into commands verbatim: a CR or LF would inject one.
        if let problem = EnvelopeCheck.problem(message) { return .failed(problem) }
        guard let recipients = curl_slist_append(nil, "<\(message.recipient)>") else {
            return .failed("libcurl could not allocate the recipient list")
        }
        let upload = Unmanaged.passRetained(UploadBuffer(message.data))
        defer {
            _ = hl_setopt_slist(handle, CURLOPT_MAIL_RCPT, nil)
            _ = hl_setopt_read(handle, nil, nil)
            curl_slist_free_all(recipients)
            upload.release()
        }
        errorBuffer[0] = 0
        let setup = [
            hl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.envelopeFrom)>"),
            hl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients),
            hl_setopt_read(handle, readCallback, upload.toOpaque()),
            hl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.data.count)),
        ]
        if let bad = setup.first(where: { $0 != CURLE_OK }) {
            return .failed("libcurl refused the message: \(String(cString: curl_easy_strerror(bad)))")
        }
        let result = curl_easy_perform(handle)
        var code = 0
        _ = hl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return try classify(result, code: code)
    }

    private func classify(_ result: CURLcode, code: Int) throws -> DeliveryOutcome {
        let detail = String(cString: errorBuffer)
        let text = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
        if result == CURLE_OK { return .sent(SMTPReply(code: code == 0 ? 250 : code, text: "OK")) }
        switch result {
        case CURLE_LOGIN_DENIED:
            throw MailerUnavailable("the SMTP server refused the login for '\(settings.username ?? "")' (\(text))",
                                    hint: "check smtp.username and the password in smtp.password_env / password_file")
        case CURLE_USE_SSL_FAILED:
            throw MailerUnavailable("\(settings.host) does not offer STARTTLS (\(text))",
                                    hint: "use smtps:// on port 465, or a relay that supports STARTTLS")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            throw MailerUnavailable("TLS with \(settings.host) failed: \(text)",
                                    hint: "if the relay uses a private CA, set smtp.ca_file to its certificate")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            throw MailerUnavailable("cannot connect to \(settings.url): \(text)",
                                    hint: "check smtp.url and that the relay is running")
        default:
            break
        }
        switch code / 100 {
        case 4: return .deferred(SMTPReply(code: code, text: text))
        case 5: return .bounced(SMTPReply(code: code, text: text))
        // No final reply (the connection dropped or timed out): the server may not have the message.
        default: return .deferred(SMTPReply(code: 0, text: "connection lost before the final reply: \(text)"))
        }
    }
}
