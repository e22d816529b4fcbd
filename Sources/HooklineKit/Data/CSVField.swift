import Foundation

extension CSVRow {
    /// The error for a value that is not UTF-8 or holds a control character, or nil when it is fine.
    func check(_ bytes: UnsafeBufferPointer<UInt8>, field: String) -> InputError? {
        if HistoryCoding.hasControlCharacter(bytes) {
            return InputError(file: file, line: line, field: field, "the value contains a line break or control character",
                              hint: "remove it; such characters could forge email headers")
        }
        // Plain ASCII (the common case) is valid UTF-8; only other text goes to the full check.
        if !bytes.allSatisfy({ $0 < 0x80 }), String(validating: bytes, as: UTF8.self) == nil {
            return InputError(file: file, line: line, field: field, "the text is not valid UTF-8", hint: "save the file as UTF-8")
        }
        return nil
    }

    func text(of bytes: UnsafeBufferPointer<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    func requiredBytes(_ column: Int?, name: String) throws -> UnsafeBufferPointer<UInt8> {
        guard let value = field(column) else {
            throw InputError(file: file, line: line, field: name, "the value is empty", hint: "every row needs a \(name)")
        }
        return value
    }

    /// The field checked (UTF-8, no control characters); nil when empty.
    func checked(_ column: Int?, name: String) throws -> UnsafeBufferPointer<UInt8>? {
        guard let value = field(column) else { return nil }
        if let error = check(value, field: name) { throw error }
        return value
    }
}

/// Number parsing straight from bytes for the common forms, with Foundation's
/// parser as the fallback for anything unusual (exponents, many digits).
enum FastNumber {
    private static let powers: [Double] = (0...18).map { pow(10, Double($0)) }

    /// `[+-]digits[.digits]`, exact to the nearest double.
    static func decimal(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0, negative = false
        if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, seenDot = false
        while i < b.count {
            let byte = b[i]
            if byte == UInt8(ascii: ".") && !seenDot {
                seenDot = true
            } else if byte >= 48 && byte <= 57 {
                mantissa = mantissa * 10 + UInt64(byte - 48)
                digits += 1
                if seenDot { fraction += 1 }
                if digits > 15 { return slow(b) }
            } else {
                return slow(b)
            }
            i += 1
        }
        guard digits > 0 else { return slow(b) }
        let value = Double(mantissa) / powers[fraction]
        return negative ? -value : value
    }

    private static func slow(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let value = Double(String(decoding: b, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// A non-negative whole number.
    static func count(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !b.isEmpty, b.count <= 18 else { return b.isEmpty ? nil : Int(String(decoding: b, as: UTF8.self)) }
        var value = 0
        for byte in b {
            guard byte >= 48 && byte <= 57 else { return Int(String(decoding: b, as: UTF8.self)) }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}
