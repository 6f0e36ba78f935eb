/// A point of the log's history: a seq, or a UTC time.
public enum Point: Sendable, Hashable, CustomStringConvertible {
    /// The state right after event `seq` (0: before the first event).
    case seq(UInt64)
    /// The state after the last event at or before this time.
    case time(Timestamp)

    /// Reads `1200` or `2026-02-13T14:35:00Z`; the error says what a point looks like.
    public init(parsing text: String) throws(TasklogError) {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let seq = UInt64(text) else { throw Self.bad(text) }
            self = .seq(seq)
        } else if let time = Timestamp(iso8601: text) {
            self = .time(time)
        } else {
            throw Self.bad(text)
        }
    }

    private static func bad(_ text: String) -> TasklogError {
        TasklogError(
            .invalidInput,
            "\(text) is not a point in time; give an event seq like 1200 or a UTC time like 2026-02-13T14:35:00Z"
        )
    }

    public var description: String {
        switch self {
        case .seq(let seq): "seq \(seq)"
        case .time(let time): time.iso8601
        }
    }
}
