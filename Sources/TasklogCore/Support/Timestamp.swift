#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time, in whole microseconds since 1970-01-01T00:00:00Z (the Unix epoch), ignoring leap seconds.
///
/// Negative values are times before the epoch. Calendar conversions use the proleptic Gregorian calendar.
public struct Timestamp: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var rawValue: Int64

    /// Creates a timestamp from microseconds since the epoch.
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// Creates a timestamp from microseconds since the epoch.
    public init(microseconds: Int64) {
        self.rawValue = microseconds
    }

    /// The current wall-clock time (`CLOCK_REALTIME`), truncated to the microsecond.
    public static func now() -> Timestamp {
        var time = timespec()
        _ = clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(rawValue: Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1_000)
    }

    /// Returns whether `lhs` is earlier than `rhs`.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The time as ``iso8601``.
    public var description: String {
        iso8601
    }
}

// MARK: - Parsing

extension Timestamp {
    /// Parses an RFC 3339 / ISO 8601 date and time with an explicit offset.
    ///
    /// Accepts `YYYY-MM-DDTHH:MM:SS`, then an optional fraction of 1 to 9 digits (truncated to microseconds), then `Z`
    /// or an offset `+HH:MM` / `-HH:MM`, which is converted to UTC. `T` and `Z` may be lowercase. Years must be 0001
    /// to 9999, and every field must be in range for its calendar date (no February 30, hour 24 or leap second 60).
    /// Returns nil for anything else.
    public init?(iso8601 text: String) {
        var text = text
        guard let rawValue = text.withUTF8({ Self.parseISO8601(UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self.rawValue = rawValue
    }

    private static func parseISO8601(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard bytes.count >= 20 else {
            return nil
        }
        /// The decimal value of `count` digits at `offset`, or nil if any is not a digit.
        func number(_ offset: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for position in offset..<offset + count {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else {
                    return nil
                }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"),
            let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
            let day = number(8, 2), bytes[10] | 0x20 == UInt8(ascii: "t"),
            let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = number(14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = number(17, 2)
        else {
            return nil
        }
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 59
        else {
            return nil
        }
        var position = 19
        var fractionMicroseconds: Int64 = 0
        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 {
                if position - fractionStart < 6 {
                    fractionMicroseconds = fractionMicroseconds * 10 + Int64(bytes[position] - UInt8(ascii: "0"))
                }
                position += 1
            }
            let digitCount = position - fractionStart
            guard (1...9).contains(digitCount) else {
                return nil
            }
            for _ in min(digitCount, 6)..<6 {
                fractionMicroseconds *= 10
            }
        }
        guard position < bytes.count else {
            return nil
        }
        var offsetSeconds: Int64 = 0
        switch bytes[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            position += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 <= bytes.count,
                let offsetHours = number(position + 1, 2), bytes[position + 3] == UInt8(ascii: ":"),
                let offsetMinutes = number(position + 4, 2),
                offsetHours <= 23, offsetMinutes <= 59
            else {
                return nil
            }
            offsetSeconds = offsetHours * 3600 + offsetMinutes * 60
            if bytes[position] == UInt8(ascii: "-") {
                offsetSeconds = -offsetSeconds
            }
            position += 6
        default:
            return nil
        }
        guard position == bytes.count else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds
        return seconds * 1_000_000 + fractionMicroseconds
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }
}

// MARK: - Formatting

extension Timestamp {
    /// The time in UTC with milliseconds (truncated), such as `2026-02-13T14:30:00.123Z`.
    ///
    /// Years outside 0000–9999, reachable only from extreme raw values, are written with a sign and as many digits
    /// as needed.
    public var iso8601: String {
        format(milliseconds: true)
    }

    /// The time in UTC truncated to the second, such as `2026-02-13T14:30:00Z`.
    public var iso8601Seconds: String {
        format(milliseconds: false)
    }

    private func format(milliseconds: Bool) -> String {
        let (seconds, subsecond) = Self.floorDivide(rawValue, 1_000_000)
        let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
        let (year, month, day) = Self.civilFromDays(days)
        guard year >= 0 && year <= 9999 else {
            // Only extreme raw values get here: write an expanded year, then the usual fields.
            let fields = Timestamp(rawValue: Self.floorDivide(rawValue, 146_097 * 86_400 * 1_000_000).remainder)
            let text = fields.format(milliseconds: milliseconds)
            let sign = year < 0 ? "-" : "+"
            return sign + String(year.magnitude) + text.dropFirst(4)
        }
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var position = 0
            func put(_ value: Int64, digits: Int) {
                var remainder = value
                for offset in stride(from: digits - 1, through: 0, by: -1) {
                    buffer[position + offset] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remainder % 10)
                    remainder /= 10
                }
                position += digits
            }
            func put(_ character: Unicode.Scalar) {
                buffer[position] = UInt8(ascii: character)
                position += 1
            }
            put(year, digits: 4)
            put("-")
            put(month, digits: 2)
            put("-")
            put(day, digits: 2)
            put("T")
            put(secondOfDay / 3_600, digits: 2)
            put(":")
            put(secondOfDay / 60 % 60, digits: 2)
            put(":")
            put(secondOfDay % 60, digits: 2)
            if milliseconds {
                put(".")
                put(subsecond / 1_000, digits: 3)
            }
            put("Z")
            return position
        }
    }

    /// Division rounding toward negative infinity, with a remainder in `0..<divisor`.
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

// MARK: - Calendar

extension Timestamp {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let adjustedYear = month <= 2 ? year - 1 : year
        let era = (adjustedYear >= 0 ? adjustedYear : adjustedYear - 399) / 400
        let yearOfEra = adjustedYear - era * 400  // [0, 399]
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // [0, 365]
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // [0, 146096]
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097  // [0, 146096]
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // [0, 399]
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // [0, 365]
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // [0, 11]
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1  // [1, 31]
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9  // [1, 12]
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
