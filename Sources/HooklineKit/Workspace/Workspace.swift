import Foundation

/// A Hookline workspace: a folder with `hookline.yml` (optional), `campaigns/`,
/// `templates/`, `data/` and the `.hookline/` state folder.
public struct Workspace: Sendable {
    public let root: URL
    public let config: WorkspaceConfig
    public static let configFile = "hookline.yml"

    /// Reads and validates `hookline.yml` when present; otherwise the defaults apply.
    public init(root: URL) throws {
        self.root = root.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError("workspace folder '\(root.path)' does not exist", hint: "pass an existing folder with --workspace")
        }
        let configURL = root.appendingPathComponent(Self.configFile)
        if FileManager.default.fileExists(atPath: configURL.path) {
            config = try WorkspaceConfig(yaml: YAMLNode.load(contentsOf: configURL, displayName: Self.configFile))
        } else {
            config = WorkspaceConfig()
        }
    }

    public var stateDirectory: URL { root.appendingPathComponent(".hookline") }

    public func url(_ relative: String) -> URL {
        relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
    }

    /// Opens the store and syncs any changed data file, so results are never stale.
    public func openStore(sync: Bool = true, options: Importer.Options = Importer.Options()) throws -> (Store, ImportSummary?) {
        let store = try Store(path: stateDirectory.appendingPathComponent("hookline.sqlite").path)
        guard sync else { return (store, nil) }
        let summary = try Importer(store: store, root: root, paths: config.data, options: options).sync()
        return (store, summary)
    }

    /// The store, synced, with every customer's features at `now`.
    public func snapshot(now: Date) throws -> (Store, Snapshot) {
        let (store, _) = try openStore()
        return (store, try Snapshot.load(from: store, now: now, thresholds: config.segments))
    }
}
