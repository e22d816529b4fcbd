import ArgumentParser
import HooklineKit

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring the store up to date with the CSV files in data/.",
        discussion: """
            Unchanged files are skipped, appended rows are added, an edited file is read again.
            Every command that reads data does this first; run it to see what changed or to skip bad rows.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Import the good rows and report the bad ones instead of stopping at the first.")
    var skipBadRows = false

    struct FileOutput: Encodable {
        var file: String
        var path: String
        var action: String
        var rows: Int
        var skipped: Int
        var skippedRows: [String]
    }

    func run() throws {
        try reportingErrors {
            let workspace = try global.openWorkspace()
            let (_, summary) = try workspace.openStore(options: .init(skipBadRows: skipBadRows))
            let files = (summary?.files ?? []).map {
                FileOutput(file: $0.name, path: $0.path, action: $0.action.rawValue, rows: $0.rows,
                           skipped: $0.skippedCount, skippedRows: $0.skipped.map(\.description))
            }
            if output.json { return try printJSON(["files": files]) }
            for file in files {
                var line = "\(file.path): \(file.action)"
                if file.action == "reimported" || file.action == "appended" { line += ", \(file.rows) rows read" }
                if file.skipped > 0 { line += ", \(file.skipped) bad rows skipped" }
                print(line)
                for problem in file.skippedRows { print("  skipped \(problem)") }
                if file.skipped > file.skippedRows.count {
                    print("  … and \(file.skipped - file.skippedRows.count) more")
                }
            }
        }
    }
}
