import ArgumentParser
import HooklineKit

struct SegmentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "segments", abstract: "Show segment sizes.")
    func run() throws {}
}
