/// What the audit indexes are keyed by: each event is indexed under the tasks whose state it
/// changed, the workflows of those tasks, its actor and its type (``IndexEntries``), so that one
/// walk of a key lists a task's, a workflow's, an actor's or a type's events in log order.
public enum IndexKey: Hashable, Sendable {
    /// Task `id` of `list`: every event that changed it.
    case task(list: String, id: Int)
    /// Workflow `name` of `list`: events of tasks with that `metadata.workflow`, before or after.
    case workflow(list: String, name: String)
    /// Every event an actor recorded.
    case actor(String)
    /// Every event of a type (``EventPayload/typeName``).
    case type(String)

    /// The four indexes.
    public enum Kind: String, Sendable, CaseIterable {
        case task, workflow, actor, type
    }

    public var kind: Kind {
        switch self {
        case .task: .task
        case .workflow: .workflow
        case .actor: .actor
        case .type: .type
        }
    }
}
