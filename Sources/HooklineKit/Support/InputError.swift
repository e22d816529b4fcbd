/// A problem with something the user wrote or supplied: a file, a row, a flag.
///
/// The description is one line that names where the problem is and what to do:
/// `campaigns/x.yml:12:5: audience: unknown key 'audiance' — did you mean 'audience'?`
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var field: String?
    public var message: String
    public var hint: String?

    public init(
        file: String? = nil, line: Int? = nil, column: Int? = nil,
        field: String? = nil, _ message: String, hint: String? = nil
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var location = ""
        if let file {
            location = file
            if let line {
                location += ":\(line)"
                if let column { location += ":\(column)" }
            }
            location += ": "
        }
        let subject = field.map { "\($0): " } ?? ""
        let fix = hint.map { " — \($0)" } ?? ""
        return location + subject + message + fix
    }
}

/// Something went wrong that is not the user's input: the store, the disk, the network.
public struct OperationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { " — \($0)" } ?? "") }
}

/// Suggests the closest known word for a misspelt one, as `did you mean 'x'?`.
public func didYouMean(_ word: String, among candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let limit = max(2, word.count / 3)
    return best.1 <= limit ? "did you mean '\(best.0)'?" : nil
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
