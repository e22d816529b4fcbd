import Foundation

/// A message template: one file `templates/<name>.md` with named parts.
///
/// ```
/// --- subject ---
/// {{first_name|Friend}}, your {{last_product}} is running low
/// --- preheader ---
/// A fresh bag is one click away.
/// --- story ---
/// Light Markdown: paragraphs, *emphasis*, **strong**, [links](https://…).
/// --- hook ---
/// [Reorder with {{offer.discount}} off](https://shop.example.com/reorder)
/// --- footer ---
/// (optional: replaces the workspace's default footer)
/// ```
/// Each part starts with a line `--- name ---`; `subject`, `story` and `hook` are required,
/// `preheader` and `footer` optional. Variables are Mustache: `{{first_name}}`; a fallback
/// for an empty value follows a bar, `{{first_name|there}}`; `{{#x}}…{{/x}}` shows text only
/// when `x` has a value and `{{^x}}…{{/x}}` only when it has none.
public struct TemplateFile: Sendable {
    public struct Part: Sendable {
        public var text: String
        /// The line of the part's first text line, for errors.
        public var line: Int
    }

    public var name: String
    public var file: String
    public var subject: Part
    public var preheader: Part?
    public var story: Part
    public var hook: Part
    public var footer: Part?

    public static let partNames = ["subject", "preheader", "story", "hook", "footer"]

    /// Reads `templates/<name>.md` of the workspace.
    public static func load(named name: String, in workspace: Workspace, referencedBy node: YAMLNode? = nil) throws -> TemplateFile {
        let relative = name.contains("/") ? name : "templates/\(name)\(name.hasSuffix(".md") ? "" : ".md")"
        let url = workspace.url(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let folder = workspace.root.appendingPathComponent("templates")
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }
            let hint = didYouMean(name, among: known) ?? "templates are the .md files in templates/"
            throw node?.error("template '\(name)' not found (\(relative))", hint: hint)
                ?? InputError(file: relative, "template not found", hint: hint)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: relative, "the file is not UTF-8 text", hint: "save it as UTF-8")
        }
        return try parse(text, name: URL(fileURLWithPath: relative).deletingPathExtension().lastPathComponent, file: relative)
    }

    /// Splits a template's text into its parts.
    public static func parse(_ text: String, name: String, file: String) throws -> TemplateFile {
        var parts: [String: Part] = [:]
        var current: String?
        var lines: [Substring] = []
        var startLine = 0
        func close() {
            guard let current else { return }
            while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
            parts[current] = Part(text: lines.joined(separator: "\n"), line: startLine)
        }
        let all = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in all.enumerated() {
            let number = index + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("---") && trimmed.hasSuffix("---") && trimmed.count > 6 {
                let partName = trimmed.dropFirst(3).dropLast(3).trimmingCharacters(in: .whitespaces).lowercased()
                guard partNames.contains(partName) else {
                    throw InputError(file: file, line: number, column: 1, field: "part", "unknown part '\(partName)'",
                                     hint: didYouMean(partName, among: partNames) ?? "parts are \(partNames.joined(separator: ", "))")
                }
                guard parts[partName] == nil && current != partName else {
                    throw InputError(file: file, line: number, column: 1, field: partName, "the part appears twice",
                                     hint: "keep one '--- \(partName) ---'")
                }
                close()
                current = partName
                lines = []
                startLine = number + 1
                continue
            }
            if current == nil {
                guard trimmed.isEmpty else {
                    throw InputError(file: file, line: number, column: 1, "text before the first part",
                                     hint: "start the file with a line '--- subject ---'")
                }
                continue
            }
            if lines.isEmpty && trimmed.isEmpty { startLine = number + 1; continue }
            lines.append(line)
        }
        close()
        func required(_ key: String) throws -> Part {
            guard let part = parts[key], !part.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw InputError(file: file, line: parts[key]?.line, field: key, "the template has no \(key)",
                                 hint: "add a line '--- \(key) ---' followed by the \(key) text")
            }
            return part
        }
        let subject = try required("subject")
        if subject.text.contains("\n") {
            throw InputError(file: file, line: subject.line, field: "subject", "the subject spans several lines",
                             hint: "write the subject on one line")
        }
        return TemplateFile(name: name, file: file, subject: subject, preheader: parts["preheader"],
                            story: try required("story"), hook: try required("hook"), footer: parts["footer"])
    }
}
