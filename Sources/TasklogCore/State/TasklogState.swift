/// The whole folded state of a store: every task list, and where in the log it stands.
///
/// It is a pure value: ``Reducer/apply(_:to:)`` folds an event into it, and two states folded
/// from the same events are equal, byte for byte once encoded.
public struct TasklogState: Sendable, Hashable {
    /// Task lists by id.
    public var lists: [String: TaskListState] = [:]
    /// The seq of the last event folded in (0 for none).
    public var lastSeq: UInt64 = 0
    /// The timestamp of the last event folded in.
    public var lastTimestamp: Timestamp = Timestamp(rawValue: 0)

    public init() {}

    /// The list `id`, empty if it has no events yet.
    public func list(_ id: String) -> TaskListState {
        lists[id] ?? TaskListState()
    }

    /// The number of live tasks in all lists.
    public var taskCount: Int {
        lists.values.reduce(0) { $0 + $1.tasks.count }
    }
}
