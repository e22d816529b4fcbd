import ArgumentParser
import HooklineKit

struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments", abstract: "Show how many customers each segment holds.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    struct Output: Encodable {
        var segments: [SegmentCount]
    }

    func run() throws {
        try reportingErrors {
            let counts = try global.openWorkspace().segmentCounts(now: try global.resolvedNow())
            if output.json { return try printJSON(Output(segments: counts)) }
            var rows: [[String]] = [["GROUP", "SEGMENT", "CUSTOMERS"]]
            var lastGroup = ""
            for count in counts {
                rows.append([count.group == lastGroup ? "" : count.group, count.name, String(count.count)])
                lastGroup = count.group
            }
            print(table(rows, rightAligned: [2]))
        }
    }
}
