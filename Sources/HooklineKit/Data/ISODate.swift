import Foundation

/// Parses the ISO 8601 forms Hookline accepts in data files and flags:
/// `2026-03-14`, `2026-03-14T10:22`, `2026-03-14T10:22:05`, with optional
/// fractional seconds and `Z` or `±HH:MM` / `±HHMM`. A date alone means
/// midnight UTC; a date-time without an offset is read as UTC.
public enum ISODate {
    /// Seconds since 1970, or nil when the text is not one of the accepted forms.
    public static func seconds(_ text: String) -> Int64? {
        var utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { parse($0) } ?? {
            var copy = text
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
            return utf8.withContiguousStorageIfAvailable { parse($0) } ?? nil
        }()
    }

    public static func date(_ text: String) -> Date? {
        seconds(text).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The last date part read (`YYYY-MM-DD`, 10 bytes) and its midnight: rows of one file
    /// usually come day by day, so most dates skip the calendar arithmetic.
    struct DayCache {
        var first8: UInt64 = 0
        var last2: UInt16 = 0
        var midnight: Int64?
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var cache = DayCache()
        return parse(b, cache: &cache)
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, cache: inout DayCache) -> Int64? {
        var i = 0
        var seconds: Int64
        if b.count >= 10, let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            let first8 = raw.loadUnaligned(as: UInt64.self), last2 = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
            if let midnight = cache.midnight, first8 == cache.first8, last2 == cache.last2 {
                seconds = midnight
                i = 10
            } else {
                guard let midnight = datePart(b, &i) else { return nil }
                cache = DayCache(first8: first8, last2: last2, midnight: midnight)
                seconds = midnight
            }
        } else {
            guard let midnight = datePart(b, &i) else { return nil }
            seconds = midnight
        }
        if i == b.count { return seconds }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = digits(b, &i, 2), expect(b, &i, UInt8(ascii: ":")), let minute = digits(b, &i, 2), hour < 24, minute < 60 else { return nil }
        var second = 0
        if i < b.count && b[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = digits(b, &i, 2), s < 61 else { return nil }
            second = s
            if i < b.count && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                let before = i
                while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
                guard i > before else { return nil }
            }
        }
        seconds += Int64(hour * 3600 + minute * 60 + second)
        if i == b.count { return seconds }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            return i + 1 == b.count ? seconds : nil
        }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let offsetHours = digits(b, &i, 2), offsetHours <= 14 else { return nil }
        _ = expect(b, &i, UInt8(ascii: ":"))
        guard let offsetMinutes = digits(b, &i, 2), offsetMinutes < 60, i == b.count else { return nil }
        return seconds - sign * Int64(offsetHours * 3600 + offsetMinutes * 60)
    }

    /// `YYYY-MM-DD` at the start: its midnight in seconds, or nil when it is not a real date.
    private static func datePart(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int64? {
        guard let year = digits(b, &i, 4), expect(b, &i, UInt8(ascii: "-")), let month = digits(b, &i, 2),
              expect(b, &i, UInt8(ascii: "-")), let day = digits(b, &i, 2) else { return nil }
        guard month >= 1 && month <= 12, day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
    }

    /// `n` decimal digits at `i` (moving past them), or nil.
    @inline(__always)
    private static func digits(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ n: Int) -> Int? {
        guard i + n <= b.count else { return nil }
        var value = 0
        for k in 0..<n {
            let d = Int(b[i + k]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            value = value * 10 + d
        }
        i += n
        return value
    }

    @inline(__always)
    private static func expect(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ c: UInt8) -> Bool {
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` of a UTC instant.
    public static func dayString(_ seconds: Int64) -> String {
        // Built by hand: String(format:) is slow on a per-message hot path.
        let (y, m, d) = civil(fromDays: Int(floorDiv(seconds, 86_400)))
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year
            + (m < 10 ? "-0" : "-") + String(m) + (d < 10 ? "-0" : "-") + String(d)
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
