import CCurl
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The session cannot carry the message in hand: the connection dropped or timed out, or
/// the server refused the session itself. `code` is the server's reply, 0 when none came.
struct SessionLost: Error, CustomStringConvertible {
    var code = 0
    var description: String

    init(_ description: String, code: Int = 0) {
        self.description = description
        self.code = code
    }
}

/// The EHLO keywords Hookline acts on.
struct SMTPCapabilities: Equatable {
    /// RFC 2920: MAIL, RCPT and DATA may be sent as one group.
    var pipelining = false
    /// RFC 1870: MAIL FROM may announce the message size (libcurl did so as well).
    var size = false

    init(ehloReply lines: [String]) {
        for line in lines where line.hasPrefix("250") && line.count > 4 {
            let keyword = line.dropFirst(4).prefix { $0 != " " }.uppercased()
            if keyword == "PIPELINING" { pipelining = true }
            if keyword == "SIZE" { size = true }
        }
    }
}

/// Collects the server's lines answering the last EHLO while libcurl connects. The client's
/// own lines (AUTH carries the credentials) are only looked at for their verb, never kept.
private final class EHLOCapture {
    var lines: [String] = []
    var collecting = false
}

private let ehloCallback: hl_debug_callback = { _, type, data, size, userdata in
    guard let data, let userdata else { return 0 }
    let capture = Unmanaged<EHLOCapture>.fromOpaque(userdata).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if type == CURLINFO_HEADER_OUT {
        let verb = String(decoding: bytes.prefix(5), as: UTF8.self).uppercased()
        capture.collecting = verb == "EHLO " || verb == "HELO "
        if capture.collecting { capture.lines = [] }
    } else if type == CURLINFO_HEADER_IN, capture.collecting {
        let text = String(decoding: bytes, as: UTF8.self)
        capture.lines += text.split(whereSeparator: \.isNewline).map(String.init)
    }
    return 0
}

/// One SMTP session: libcurl connects (greeting, EHLO, STARTTLS, AUTH — everything
/// `CURLOPT_CONNECT_ONLY` covers), then Hookline speaks the mail transactions itself through
/// `curl_easy_send` / `curl_easy_recv`, which go through TLS when the session has it.
///
/// Going through libcurl's per-transfer state machine would cost a round trip per command and
/// libcurl's own per-transfer work; speaking the transactions directly allows pipelining.
final class CurlSession {
    private let handle: UnsafeMutableRawPointer
    private let socket: curl_socket_t
    let capabilities: SMTPCapabilities
    /// False once the conversation is in an unknown state (a timeout mid-message, a reply
    /// out of turn): the socket is then shut down before libcurl's QUIT, so that QUIT can
    /// never be read as part of a message.
    private(set) var clean = true
    /// The Message-ID whose MAIL, RCPT and DATA went out behind the last content; their
    /// replies are still to be read.
    var announced: String?
    private var input = [UInt8](repeating: 0, count: 4096)
    private var inputStart = 0
    private var inputEnd = 0

    /// Connects and logs in. Throws ``MailerUnavailable`` when no message can go through this
    /// relay (refused login, TLS failure, unreachable), ``SessionLost`` when only this attempt failed.
    init(settings: SMTPSettings, password: String?) throws {
        guard let handle = curl_easy_init() else {
            throw MailerUnavailable("libcurl could not create a handle", hint: "the system may be out of memory")
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let capture = Unmanaged.passRetained(EHLOCapture())
        defer {
            _ = hl_setopt_debug(handle, nil, nil)
            _ = hl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
            errorBuffer.deallocate()
            capture.release()
        }
        do {
            try Self.configure(handle, settings: settings, password: password, errorBuffer: errorBuffer)
            guard hl_setopt_debug(handle, ehloCallback, capture.toOpaque()) == CURLE_OK else {
                throw MailerUnavailable("libcurl refused the debug callback", hint: "check the libcurl installation")
            }
            let result = curl_easy_perform(handle)
            var code = 0
            _ = hl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
            let detail = String(cString: errorBuffer)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
            if result != CURLE_OK { throw Self.connectFailure(result, code: code, text: text, settings: settings) }
            var socket = curl_socket_t(-1)
            guard hl_getinfo_socket(handle, &socket) == CURLE_OK, socket >= 0 else {
                throw SessionLost("libcurl connected but reported no socket")
            }
            self.socket = socket
        } catch {
            curl_easy_cleanup(handle)
            throw error
        }
        self.handle = handle
        capabilities = SMTPCapabilities(ehloReply: capture.takeUnretainedValue().lines)
    }

    deinit {
        // A DATA still waiting for its content would read libcurl's QUIT as the message.
        if !clean || announced != nil { shutdown(socket, Int32(SHUT_RDWR)) }
        // Sends QUIT (when the connection still stands) and closes it.
        curl_easy_cleanup(handle)
    }

    private static func configure(_ handle: UnsafeMutableRawPointer, settings: SMTPSettings, password: String?,
                                  errorBuffer: UnsafeMutablePointer<CChar>) throws {
        var codes: [CURLcode] = [
            hl_setopt_string(handle, CURLOPT_URL, settings.url),
            hl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1),
            hl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            hl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds),
            hl_setopt_long(handle, CURLOPT_TIMEOUT, settings.messageTimeoutSeconds),
            hl_setopt_long(handle, CURLOPT_SERVER_RESPONSE_TIMEOUT, settings.messageTimeoutSeconds),
            hl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer),
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
        if let bad = codes.first(where: { $0 != CURLE_OK }) {
            throw MailerUnavailable("libcurl refused an option: \(String(cString: curl_easy_strerror(bad)))",
                                    hint: "libcurl may be built without SMTP or TLS support")
        }
    }

    private static func connectFailure(_ result: CURLcode, code: Int, text: String, settings: SMTPSettings) -> any Error {
        switch result {
        case CURLE_LOGIN_DENIED:
            return MailerUnavailable("the SMTP server refused the login for '\(settings.username ?? "")' (\(text))",
                                     hint: "check smtp.username and the password in smtp.password_env / password_file")
        case CURLE_USE_SSL_FAILED:
            return MailerUnavailable("\(settings.host) does not offer STARTTLS (\(text))",
                                     hint: "use smtps:// on port 465, or a relay that supports STARTTLS")
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            return MailerUnavailable("TLS with \(settings.host) failed: \(text)",
                                     hint: "if the relay uses a private CA, set smtp.ca_file to its certificate")
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            return MailerUnavailable("cannot connect to \(settings.url): \(text)",
                                     hint: "check smtp.url and that the relay is running")
        default:
            // A permanent refusal before any transaction concerns the session, not a recipient.
            if code / 100 == 5 {
                return MailerUnavailable("\(settings.host) refused the SMTP session: \(code) \(text)",
                                         hint: "check smtp.url and the relay's access rules for this host")
            }
            return SessionLost("could not open an SMTP session: \(text)", code: code / 100 == 4 ? code : 0)
        }
    }

    /// Marks the conversation as out of step; the session must not carry another message.
    func abandon() {
        clean = false
    }

    /// Whether a session that has been waiting can carry another message: the server has said
    /// nothing since its last reply. Anything now is a 421 (an idle timeout, a shutdown) or
    /// the end of the connection. One poll with no wait, so cheap enough for every message.
    func isOpen() -> Bool {
        guard clean, announced == nil, inputStart == inputEnd else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return true }
        // Readable may also mean TLS records that carry no data (session tickets).
        do {
            if try receiveNow(into: 0) == nil { return true }
        } catch {
            return false
        }
        clean = false
        return false
    }

    /// Writes all of `bytes`, waiting for the socket while it is full.
    func send(_ bytes: [UInt8], deadline: Double) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                var sent = 0
                let result = curl_easy_send(handle, base + offset, buffer.count - offset, &sent)
                if result == CURLE_OK {
                    offset += sent
                } else if result == CURLE_AGAIN {
                    try wait(for: Int16(POLLOUT), deadline: deadline)
                } else {
                    clean = false
                    throw SessionLost("sending failed: \(String(cString: curl_easy_strerror(result)))")
                }
            }
        }
    }

    /// Reads the next complete reply, multi-line replies joined (RFC 5321 §4.2.1).
    func reply(deadline: Double) throws -> SMTPReply {
        var code = 0
        var text = ""
        while true {
            let line = try nextLine(deadline: deadline)
            guard line.count >= 3, line.prefix(3).allSatisfy({ (0x30...0x39).contains($0) }),
                  let lineCode = Int(String(decoding: line.prefix(3), as: UTF8.self)),
                  code == 0 || lineCode == code else {
                clean = false
                throw SessionLost("the server sent a line that is not an SMTP reply")
            }
            code = lineCode
            let lineText = String(decoding: line.dropFirst(4), as: UTF8.self)
            text = text.isEmpty ? lineText : text + " " + lineText
            if line.count < 4 || line[line.startIndex + 3] != UInt8(ascii: "-") {
                return SMTPReply(code: code, text: text)
            }
        }
    }

    /// One line without its CRLF, read through an internal buffer.
    private func nextLine(deadline: Double) throws -> ArraySlice<UInt8> {
        while true {
            if let newline = input[inputStart..<inputEnd].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > inputStart, input[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = input[inputStart..<end]
                inputStart = newline + 1
                return line
            }
            try makeRoom()
            inputEnd += try receive(into: inputEnd, deadline: deadline)
        }
    }

    /// Moves unread input to the front of the buffer and grows it when it is full.
    private func makeRoom() throws {
        if inputStart > 0 {
            input.replaceSubrange(0..<(inputEnd - inputStart), with: input[inputStart..<inputEnd])
            inputEnd -= inputStart
            inputStart = 0
        }
        if inputEnd == input.count {
            guard input.count < 1 << 20 else {
                clean = false
                throw SessionLost("the server sent a reply line longer than 1 MiB")
            }
            input += [UInt8](repeating: 0, count: input.count)
        }
    }

    /// Whether the server has said something, or does within `seconds`. True also when the
    /// connection failed: the next ``reply(deadline:)`` reports that.
    func inputArrives(within seconds: Double) -> Bool {
        if inputStart < inputEnd { return true }
        guard (try? makeRoom()) != nil else { return true }
        for attempt in 0..<2 {
            // Read before polling: TLS may hold decrypted bytes that the socket no longer shows.
            do {
                if let received = try receiveNow(into: inputEnd) {
                    inputEnd += received
                    return true
                }
            } catch {
                return true
            }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            if attempt == 1 || poll(&descriptor, 1, Int32(seconds * 1000)) <= 0 { return false }
        }
        return false
    }

    private func receive(into offset: Int, deadline: Double) throws -> Int {
        while true {
            if let received = try receiveNow(into: offset) { return received }
            try wait(for: Int16(POLLIN), deadline: deadline)
        }
    }

    /// One read of what has arrived, into `input` at `offset`: its length, or nil when
    /// nothing has yet. Throws ``SessionLost`` when the connection ended or failed.
    private func receiveNow(into offset: Int) throws -> Int? {
        var received = 0
        let result = input.withUnsafeMutableBytes { buffer in
            curl_easy_recv(handle, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, &received)
        }
        if result == CURLE_AGAIN { return nil }
        guard result == CURLE_OK else {
            clean = false
            throw SessionLost("receiving failed: \(String(cString: curl_easy_strerror(result)))")
        }
        guard received > 0 else {
            clean = false
            throw SessionLost("the server closed the connection")
        }
        return received
    }

    private func wait(for events: Int16, deadline: Double) throws {
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        while true {
            let milliseconds = Int32(max(0, min((deadline - RateLimiter.monotonicSeconds()) * 1000, 3_600_000)))
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0, errno == EINTR { continue }
            clean = false
            throw SessionLost(ready == 0 ? "no reply within smtp.timeouts.message_seconds"
                                         : "waiting for the connection failed (errno \(errno))")
        }
    }
}
