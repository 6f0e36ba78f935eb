/// What `verify` found: every check passed, or the problems, the first bad seq first.
public struct VerifyReport: Sendable, Hashable {
    /// One problem found, at an event's seq where it has one.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var seq: UInt64?
        public var message: String

        public var description: String { seq.map { "seq \($0): \(message)" } ?? message }
    }

    /// Events checked.
    public var events: UInt64 = 0
    /// Snapshots checked.
    public var snapshots: Int = 0
    /// The problems, in the order found.
    public var problems: [Problem] = []

    /// Whether every check passed.
    public var isHealthy: Bool { problems.isEmpty }
    /// The seq of the first damaged, missing or altered event.
    public var firstBadSeq: UInt64? { problems.compactMap(\.seq).min() }
}
