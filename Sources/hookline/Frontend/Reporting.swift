import ArgumentParser
import Foundation
import HooklineKit

/// Runs a command body and turns Hookline's errors into one clear line on
/// stderr and the documented exit code (2 for input, 1 for operations).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as InputError {
        printError(error.description)
        throw ExitCode(2)
    } catch let error as OperationError {
        printError(error.description)
        throw ExitCode(1)
    } catch let error as ValidationError {
        // A usage mistake found inside a command body is still a usage error (exit 2).
        printError(error.message)
        throw ExitCode(2)
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("\(error)")
        throw ExitCode(1)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("hookline: \(message)\n".utf8))
}

/// Prints an Encodable value as the command's single JSON document.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}

/// Left-aligned text columns for terminal tables.
func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    guard let width = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: width)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    return rows.map { row in
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            return rightAligned.contains(i) ? pad + cell : cell + pad
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n")
}
