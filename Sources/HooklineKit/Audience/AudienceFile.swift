import Foundation

extension Workspace {
    /// Finds a campaign file given as a path (relative to the current folder or
    /// the workspace) or as a campaign id (`campaigns/ID.yml`).
    public func campaignURL(_ reference: String) throws -> (url: URL, displayName: String) {
        let fm = FileManager.default
        if fm.fileExists(atPath: reference) {
            return (URL(fileURLWithPath: reference), reference)
        }
        for candidate in [reference, "campaigns/\(reference)", "campaigns/\(reference).yml", "campaigns/\(reference).yaml"] {
            let url = self.url(candidate)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return (url, candidate)
            }
        }
        let known = (try? fm.contentsOfDirectory(atPath: url("campaigns").path))?
            .filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }
            .map { ($0 as NSString).deletingPathExtension }.sorted() ?? []
        throw InputError(file: reference, "no such campaign file",
                         hint: didYouMean(reference, among: known) ?? (known.isEmpty
                            ? "create campaigns/\(reference).yml"
                            : "known campaigns: \(known.joined(separator: ", "))"))
    }

    /// Reads just the `audience:` block of a campaign file.
    public func loadAudience(_ reference: String) throws -> AudienceSpec {
        let (url, name) = try campaignURL(reference)
        let root = try YAMLNode.load(contentsOf: url, displayName: name)
        guard case .mapping(let entries) = root.kind else {
            throw root.error("a campaign file must be a mapping of keys to values")
        }
        guard let audience = entries.first(where: { (try? $0.key.string()) == "audience" })?.value else {
            return AudienceSpec()
        }
        return try AudienceSpec(yaml: audience)
    }
}
