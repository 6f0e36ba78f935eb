/// The folded state of one task list.
public struct TaskListState: Sendable, Hashable {
    /// Live tasks by id, in id order (deleted tasks are gone from here; the log keeps them).
    public var tasks = TaskTable()
    /// The highest id ever issued; the next task gets `highWater + 1`.
    public var highWater: Int = 0
    /// Workflow runs by id.
    public var workflows: [String: WorkflowState] = [:]

    public init() {}

    /// Live tasks in id order.
    public var sortedTasks: [TaskRecord] {
        Array(tasks)
    }

    /// The ids of `task`'s blockers that are not completed yet.
    public func openBlockers(of task: TaskRecord) -> [Int] {
        task.blockedBy.filter { tasks[$0]?.status != .completed }
    }

    /// Pending, unowned tasks whose blockers are all completed, lowest id first.
    public var ready: [TaskRecord] {
        tasks.filter { $0.status == .pending && $0.owner == nil && !hasOpenBlocker($0) }
    }

    private func hasOpenBlocker(_ task: TaskRecord) -> Bool {
        task.blockedBy.contains { tasks[$0]?.status != .completed }
    }
}
