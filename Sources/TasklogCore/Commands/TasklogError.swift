/// A refused command or a failed operation: a code to match and one sentence that says what was
/// wrong and what to do.
public struct TasklogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure; codes can grow, so match the named constants.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The input is malformed or out of bounds.
        public static let invalidInput = Code(rawValue: "invalid_input")
        /// The task (or store, or list) does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// A stale expected version, or a task claimed by someone else.
        public static let conflict = Code(rawValue: "conflict")
        /// The task has blockers that are not completed.
        public static let blocked = Code(rawValue: "blocked")
        /// The dependency would close a cycle.
        public static let cycle = Code(rawValue: "cycle")
        /// The storage failed (disk full, I/O error, permissions).
        public static let storage = Code(rawValue: "storage")
        /// The store is damaged; `tasklog verify` says where.
        public static let corrupt = Code(rawValue: "corrupt")

        public var description: String { rawValue }
    }

    public var code: Code
    /// One sentence: what was wrong and what to do.
    public var message: String
    /// The error of the layer below that caused this one (a storage engine's, the system's), kept
    /// so that an embedder can tell an I/O error from damage without reading the message.
    public var underlying: (any Error)?
    /// What the caller can change for the operation to succeed, for a front end to name in its
    /// own terms (the CLI its flags): the message already says it in plain words.
    public var remedy: Remedy?

    /// A change of input that makes a refused operation succeed.
    public enum Remedy: String, Sendable, Hashable {
        /// Another task list (the CLI's `--list`).
        case anotherList
        /// No workflow id, so that a fresh one is made (the CLI without `--id`).
        case freshWorkflowID
        /// Forcing the operation (the CLI's `--force`).
        case force
        /// Another configuration file (the CLI's `--config` and `TASKLOG_CONFIG`).
        case anotherConfiguration
    }

    public init(_ code: Code, _ message: String, remedy: Remedy? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.remedy = remedy
        self.underlying = underlying
    }

    /// Two errors are equal when their code and message are: the cause is not compared.
    public static func == (lhs: TasklogError, rhs: TasklogError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public var description: String { message }
}
