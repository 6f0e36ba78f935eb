/// What an event is indexed under: the one place that decides it, for appends, index rebuilds
/// and `verify` alike.
///
/// An event is indexed under every task whose state it changed (a deletion also changes the
/// tasks it was linked with), the workflows of those tasks before or after it (plus the workflow a
/// workflow event names, and the run a fork starts from), its actor and its type.
public struct IndexEntries: Sendable, Hashable {
    public var tasks: [Int]
    public var workflows: Set<String>

    /// Folds `event` into `state` and returns what it is indexed under.
    public static func apply(_ event: Event, to state: inout TasklogState) -> IndexEntries {
        let tasks = affectedTasks(event.payload, in: state.lists[event.list])
        var workflows = self.workflows(of: tasks, in: state.lists[event.list])
        Reducer.apply(event, to: &state)
        workflows.formUnion(self.workflows(of: tasks, in: state.lists[event.list]))
        if let workflow = event.payload.workflowID { workflows.insert(workflow) }
        if case .workflowForked(_, _, let from, _) = event.payload { workflows.insert(from) }
        return IndexEntries(tasks: tasks, workflows: workflows)
    }

    /// The keys of `event`'s index entries, `self` describing its effects.
    public func keys(of event: Event) -> [IndexKey] {
        var keys = tasks.map { IndexKey.task(list: event.list, id: $0) }
        keys.reserveCapacity(tasks.count + workflows.count + 2)
        for workflow in workflows { keys.append(.workflow(list: event.list, name: workflow)) }
        if let actor = event.actor { keys.append(.actor(actor)) }
        keys.append(.type(event.payload.typeName))
        return keys
    }

    /// The tasks whose state `payload` changes, given the list before it.
    package static func affectedTasks(_ payload: EventPayload, in list: TaskListState?) -> [Int] {
        switch payload {
        case .taskDeleted(let id):
            guard let task = list?.tasks[id] else { return [id] }
            return Array(Set([id] + task.blocks + task.blockedBy)).sorted()
        case .taskCreated(let created):
            return [created.id]
        case .taskUpdated(let updated) where updated.addBlocks.isEmpty && updated.addBlockedBy.isEmpty:
            return [updated.id]
        default:
            return Array(Set(payload.taskIDs)).sorted()
        }
    }

    static func workflows(of ids: [Int], in list: TaskListState?) -> Set<String> {
        var names: Set<String> = []
        guard let list else { return names }
        for id in ids {
            // The one key: `metadata["workflow"]` would decode the whole object first.
            if case .string(let name)? = list.tasks[id]?.metadata("workflow") { names.insert(name) }
        }
        return names
    }
}
