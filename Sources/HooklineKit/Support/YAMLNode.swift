import Foundation
import Yams

/// A parsed YAML value that remembers where it came from, so that every
/// validation error can name `file:line:column`.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        case null
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([YAMLEntry])
    }

    public var kind: Kind
    public var file: String
    public var line: Int
    public var column: Int
    /// The dotted path of keys leading here, e.g. `audience.include`.
    public var path: String

    /// Parses `text`; a syntax error becomes an ``InputError`` at its position.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.inputError(from: error, file: file)
        }
        guard let node else {
            return YAMLNode(kind: .mapping([]), file: file, line: 1, column: 1, path: "")
        }
        return try YAMLNode(node, file: file, path: "")
    }

    /// Reads and parses a YAML file; `displayName` is the path shown in errors.
    public static func load(contentsOf url: URL, displayName: String) throws -> YAMLNode {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputError(file: displayName, "cannot read the file", hint: "check that it exists and is readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: displayName, "the file is not UTF-8 text", hint: "save it as UTF-8")
        }
        return try parse(text, file: displayName)
    }

    init(kind: Kind, file: String, line: Int, column: Int, path: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    private init(_ node: Node, file: String, path: String) throws {
        self.file = file
        self.path = path
        self.line = node.mark?.line ?? 1
        self.column = node.mark?.column ?? 1
        switch node {
        case .scalar(let scalar):
            let isNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
            kind = isNull ? .null : .scalar(scalar.string)
        case .sequence(let sequence):
            kind = .sequence(try sequence.enumerated().map { index, item in
                try YAMLNode(item, file: file, path: "\(path)[\(index)]")
            })
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw InputError(file: file, line: key.mark?.line, column: key.mark?.column,
                                     field: path.isEmpty ? nil : path, "a key must be plain text")
                }
                let name = keyScalar.string
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if !seen.insert(name).inserted {
                    throw InputError(file: file, line: key.mark?.line, column: key.mark?.column,
                                     field: childPath, "the key appears twice", hint: "keep one of them")
                }
                let keyNode = YAMLNode(kind: .scalar(name), file: file, line: key.mark?.line ?? line,
                                       column: key.mark?.column ?? column, path: childPath)
                entries.append(YAMLEntry(key: keyNode, value: try YAMLNode(value, file: file, path: childPath)))
            }
            kind = .mapping(entries)
        case .alias:
            throw InputError(file: file, line: line, column: column, "YAML aliases are not supported here",
                             hint: "write the value out in full")
        }
    }

    private static func inputError(from error: YamlError, file: String) -> InputError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let text = context.map { "\($0.text) — \(problem)" } ?? problem
            return InputError(file: file, line: mark.line, column: mark.column, "YAML syntax error: \(text)",
                              hint: "check the indentation and quoting near this position")
        default:
            return InputError(file: file, "YAML error: \(error)", hint: "check the file's syntax")
        }
    }

    // MARK: - Errors at this node

    /// An error positioned at this node and naming its key path.
    public func error(_ message: String, hint: String? = nil) -> InputError {
        InputError(file: file, line: line, column: column, field: path.isEmpty ? nil : path, message, hint: hint)
    }

    // MARK: - Typed access

    public var isNull: Bool { if case .null = kind { return true } else { return false } }

    /// The scalar's text; a mapping or list is an error.
    public func string() throws -> String {
        switch kind {
        case .scalar(let text): return text
        case .null: throw error("a value is required here")
        case .sequence, .mapping: throw error("expected a single value, found a \(kindName)")
        }
    }

    public func int(in range: ClosedRange<Int>? = nil) throws -> Int {
        let text = try string()
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("'\(text)' is not a whole number")
        }
        if let range, !range.contains(value) {
            throw error("\(value) is out of range", hint: "use a value from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    public func double() throws -> Double {
        let text = try string()
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("'\(text)' is not a number")
        }
        return value
    }

    public func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false")
        }
    }

    /// A list of scalars; a single scalar is accepted as a list of one.
    public func stringList() throws -> [String] {
        switch kind {
        case .scalar(let text): return [text]
        case .sequence(let items): return try items.map { try $0.string() }
        case .null: return []
        case .mapping: throw error("expected a list, found a mapping")
        }
    }

    public func list() throws -> [YAMLNode] {
        switch kind {
        case .sequence(let items): return items
        case .null: return []
        default: throw error("expected a list, found a \(kindName)")
        }
    }

    /// This node as a mapping whose keys must all be in `allowed`;
    /// an unknown key is an error with a did-you-mean.
    public func mapping(allowed: [String]) throws -> YAMLMapping {
        guard case .mapping(let entries) = kind else {
            if isNull { return YAMLMapping(node: self, entries: []) }
            throw error("expected a mapping of keys to values, found a \(kindName)")
        }
        for entry in entries {
            let name = (try? entry.key.string()) ?? ""
            if !allowed.contains(name) {
                let suggestion = didYouMean(name, among: allowed)
                    ?? "known keys: \(allowed.joined(separator: ", "))"
                throw entry.key.error("unknown key '\(name)'", hint: suggestion)
            }
        }
        return YAMLMapping(node: self, entries: entries)
    }

    var kindName: String {
        switch kind {
        case .null: return "empty value"
        case .scalar: return "single value"
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }
}

public struct YAMLEntry: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

/// A validated mapping: look values up by key, with typed accessors that
/// produce positioned errors.
public struct YAMLMapping: Sendable {
    public var node: YAMLNode
    public var entries: [YAMLEntry]

    public subscript(key: String) -> YAMLNode? {
        entries.first { (try? $0.key.string()) == key }.map(\.value).flatMap { $0.isNull ? nil : $0 }
    }

    public var keys: [String] { entries.compactMap { try? $0.key.string() } }

    public func string(_ key: String) throws -> String? { try self[key]?.string() }
    public func int(_ key: String, in range: ClosedRange<Int>? = nil) throws -> Int? { try self[key]?.int(in: range) }
    public func double(_ key: String) throws -> Double? { try self[key]?.double() }
    public func bool(_ key: String) throws -> Bool? { try self[key]?.bool() }
    public func stringList(_ key: String) throws -> [String]? { try self[key]?.stringList() }

    public func required(_ key: String) throws -> YAMLNode {
        guard let value = self[key] else {
            throw node.error("the key '\(key)' is required", hint: "add '\(key):' here")
        }
        return value
    }

    public func mapping(_ key: String, allowed: [String]) throws -> YAMLMapping? {
        try self[key]?.mapping(allowed: allowed)
    }
}
