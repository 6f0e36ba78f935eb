/// The folded state of one task list.
public struct TaskListState: Sendable, Hashable {
    /// Live tasks by id (deleted tasks are gone from here; the log keeps them).
    public var tasks: [Int: TaskRecord] = [:]
    /// The highest id ever issued; the next task gets `highWater + 1`.
    public var highWater: Int = 0
    /// Workflow runs by id.
    public var workflows: [String: WorkflowState] = [:]

    public init() {}

    /// Live tasks in id order.
    public var sortedTasks: [TaskRecord] {
        tasks.values.sorted { $0.id < $1.id }
    }

    /// The ids of `task`'s blockers that are not completed yet.
    public func openBlockers(of task: TaskRecord) -> [Int] {
        task.blockedBy.filter { tasks[$0]?.status != .completed }
    }

    /// Pending, unowned tasks whose blockers are all completed, lowest id first.
    public var ready: [TaskRecord] {
        // Filtered before sorting: a long list is mostly completed tasks.
        tasks.values.filter { $0.status == .pending && $0.owner == nil && !hasOpenBlocker($0) }.sorted { $0.id < $1.id }
    }

    private func hasOpenBlocker(_ task: TaskRecord) -> Bool {
        task.blockedBy.contains { id in tasks.index(forKey: id).map { tasks.values[$0].status != .completed } ?? true }
    }
}
