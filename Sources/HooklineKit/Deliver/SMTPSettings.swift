import Foundation

/// The `smtp:` section of `hookline.yml`.
///
/// ```yaml
/// smtp:
///   url: smtp://mail.example.com:587   # STARTTLS required; smtps://host:465 for TLS from the start
///   username: shop@example.com
///   password_env: HOOKLINE_SMTP_PASSWORD  # or password_file: ~/.config/hookline/smtp-password
///   ca_file: certs/private-ca.pem         # optional, for a private CA
///   connections: 2                         # parallel sessions, each reused for many messages
///   rate: 10/s                             # across all connections: 10/s, 600/minute, 5000/hour
///   daily_quota: 2000                      # the relay's limit; the rest waits for tomorrow's run
///   retry: {attempts: 3, backoff_seconds: 30}
///   timeouts: {connect_seconds: 15, message_seconds: 120}
/// ```
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// `smtp://` upgraded with STARTTLS; the session fails if the server does not offer it.
        case starttls
        /// `smtps://`: TLS from the first byte.
        case implicitTLS
        /// `smtp://` in clear text: allowed only to 127.0.0.1/localhost (a local relay or a test server).
        case none
    }

    public var url: String
    public var host: String
    public var security: Security
    public var username: String?
    /// Where the password comes from, for messages; the password itself is never stored here.
    public var passwordSource: PasswordSource?
    public var authMechanism: String?
    public var caFile: String?
    public var insecureSkipVerify = false
    public var connections = 2
    public var rate: Rate?
    public var dailyQuota: Int?
    public var retry = RetryPolicy()
    public var connectTimeoutSeconds = 15
    public var messageTimeoutSeconds = 120

    public enum PasswordSource: Sendable, Equatable {
        case environment(String)
        case file(String)
    }

    public static let keys = [
        "url", "username", "password_env", "password_file", "password", "auth", "ca_file",
        "insecure_skip_verify", "starttls", "connections", "rate", "daily_quota", "retry", "timeouts",
    ]

    /// A localhost URL for tests and local relays; no TLS unless `security` says so.
    public init(url: String, security: Security = .none) {
        self.url = url
        self.host = URL(string: url)?.host ?? "127.0.0.1"
        self.security = security
    }

    /// Validates the section; `root` resolves relative `ca_file` and `password_file` paths.
    public init(yaml node: YAMLNode, root: URL) throws {
        let map = try node.mapping(allowed: Self.keys)
        let urlNode = try map.required("url")
        url = try urlNode.string()
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host,
              scheme == "smtp" || scheme == "smtps" else {
            throw urlNode.error("'\(url)' is not an SMTP URL", hint: "write smtp://host:587 (STARTTLS) or smtps://host:465")
        }
        self.host = host
        let isLocal = ["127.0.0.1", "localhost", "::1"].contains(host.lowercased())
        security = scheme == "smtps" ? .implicitTLS : .starttls
        if let starttls = map["starttls"], try !starttls.bool() {
            guard scheme == "smtp", isLocal else {
                throw starttls.error("STARTTLS can be turned off only for a relay on 127.0.0.1 or localhost",
                                     hint: "remove 'starttls: false'; mail must not cross the network in clear text")
            }
            security = .none
        }
        if let inline = map["password"] {
            throw inline.error("the SMTP password must not be written in hookline.yml",
                               hint: "remove it and use 'password_env: VARIABLE' or 'password_file: PATH'")
        }
        username = try map.string("username")
        switch (map["password_env"], map["password_file"]) {
        case (.some(let env), .some):
            throw env.error("give either password_env or password_file, not both")
        case (.some(let env), nil):
            passwordSource = .environment(try env.string())
        case (nil, .some(let file)):
            passwordSource = .file(Self.resolve(try file.string(), root: root))
        case (nil, nil):
            passwordSource = nil
        }
        if passwordSource != nil, username == nil {
            throw map.node.error("a password is set but no username", hint: "add 'username:'")
        }
        if let auth = map["auth"] {
            let mechanism = try auth.string().uppercased()
            guard ["PLAIN", "LOGIN"].contains(mechanism) else {
                throw auth.error("unknown AUTH mechanism '\(mechanism)'", hint: "use PLAIN or LOGIN, or leave it out")
            }
            authMechanism = mechanism
        }
        caFile = try map.string("ca_file").map { Self.resolve($0, root: root) }
        if let skip = map["insecure_skip_verify"], try skip.bool() {
            guard isLocal else {
                throw skip.error("insecure_skip_verify is allowed only for 127.0.0.1 or localhost",
                                 hint: "use ca_file for a private certificate authority instead")
            }
            insecureSkipVerify = true
        }
        connections = try map.int("connections", in: 1...32) ?? connections
        if let rateNode = map["rate"] { rate = try Rate(yaml: rateNode) }
        dailyQuota = try map.int("daily_quota", in: 1...10_000_000)
        if let retryNode = map["retry"] { retry = try RetryPolicy(yaml: retryNode) }
        if let timeouts = try map.mapping("timeouts", allowed: ["connect_seconds", "message_seconds"]) {
            connectTimeoutSeconds = try timeouts.int("connect_seconds", in: 1...600) ?? connectTimeoutSeconds
            messageTimeoutSeconds = try timeouts.int("message_seconds", in: 1...3600) ?? messageTimeoutSeconds
        }
    }

    /// Reads the password from its source; the error never contains the password.
    public func password(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        switch passwordSource {
        case nil:
            return nil
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw InputError(file: Workspace.configFile, field: "smtp.password_env",
                                 "the environment variable \(name) is not set",
                                 hint: "export \(name)=… before running hookline")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8) else {
                throw InputError(file: Workspace.configFile, field: "smtp.password_file",
                                 "cannot read the password file \(path)", hint: "check that it exists and is readable")
            }
            return text.trimmingCharacters(in: .newlines)
        }
    }

    static func resolve(_ path: String, root: URL) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
        return root.appendingPathComponent(path).path
    }
}

/// A sending rate across all connections: `10/s`, `600/minute`, `5000/hour`.
public struct Rate: Sendable, Equatable, CustomStringConvertible {
    public var messages: Int
    public var perSeconds: Double

    public init(messages: Int, perSeconds: Double) {
        self.messages = messages
        self.perSeconds = perSeconds
    }

    public init(yaml node: YAMLNode) throws {
        let text = try node.string().replacingOccurrences(of: " ", with: "")
        let parts = text.split(separator: "/", maxSplits: 1)
        let units: [String: Double] = ["s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
                                       "h": 3600, "hour": 3600]
        guard parts.count == 2, let count = Int(parts[0]), count > 0, let unit = units[String(parts[1]).lowercased()] else {
            throw node.error("'\(text)' is not a rate", hint: "write messages per unit: 10/s, 600/minute or 5000/hour")
        }
        messages = count
        perSeconds = unit
    }

    /// Seconds between two messages at this rate.
    public var interval: Double { perSeconds / Double(messages) }
    public var description: String { "\(messages)/\(perSeconds == 1 ? "s" : perSeconds == 60 ? "minute" : "hour")" }
}

/// How often a transient failure (4xx, lost connection) is retried within one run.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included.
    public var attempts = 3
    /// The wait before the second attempt; it doubles for each further one.
    public var backoffSeconds: Double = 30

    public init(attempts: Int = 3, backoffSeconds: Double = 30) {
        self.attempts = attempts
        self.backoffSeconds = backoffSeconds
    }

    public init(yaml node: YAMLNode) throws {
        let map = try node.mapping(allowed: ["attempts", "backoff_seconds"])
        attempts = try map.int("attempts", in: 1...10) ?? attempts
        if let backoff = map["backoff_seconds"] {
            backoffSeconds = try backoff.double()
            guard (0...3600).contains(backoffSeconds) else {
                throw backoff.error("\(backoffSeconds) is out of range", hint: "use 0 to 3600 seconds")
            }
        }
    }

    /// The wait before attempt number `attempt` (2 or more).
    public func delay(beforeAttempt attempt: Int) -> Double {
        backoffSeconds * pow(2, Double(max(0, attempt - 2)))
    }
}
