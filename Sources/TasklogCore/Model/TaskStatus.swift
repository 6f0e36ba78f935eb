/// Where a task is in its life: pending → in_progress → completed, or deleted.
public enum TaskStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pending = 0
    case inProgress = 1
    case completed = 2
    case deleted = 3

    /// The name agents and the CLI use: `pending`, `in_progress`, `completed`, `deleted`.
    public var name: String {
        switch self {
        case .pending: "pending"
        case .inProgress: "in_progress"
        case .completed: "completed"
        case .deleted: "deleted"
        }
    }

    /// The status named `name`, or `nil`.
    public init?(name: String) {
        guard let status = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = status
    }

    public var description: String { name }
}
