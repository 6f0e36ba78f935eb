/// What a caller asks of a task list; ``Decider`` turns it into events or refuses it.
public enum TaskCommand: Sendable, Hashable {
    case create(NewTask)
    case update(id: Int, TaskChanges)
    /// Moves every task that `owner` holds in progress back to pending, without an owner.
    case release(owner: String)
    /// Adds or removes one dependency directly (import and cycle repair).
    case addDependency(blocker: Int, blocked: Int)
    case removeDependency(blocker: Int, blocked: Int)
    /// Starts a workflow run; without an id, `{type}-{yyyyMMddTHHmm}`, unique.
    case startWorkflow(type: String, id: String?)
    /// Records a milestone of a workflow by hand.
    case checkpoint(workflow: String, step: Int, name: String, data: [String: JSONValue])
    /// Finishes a workflow; with `cleanup`, its remaining tasks are completed first (as events).
    /// A failed run is completed only with `force`: cleanup is for runs that succeeded.
    case completeWorkflow(id: String, cleanup: Bool, force: Bool = false)
    /// Marks a workflow failed at a step.
    case failWorkflow(id: String, step: Int, reason: String)
    /// Starts a run (`id`, or a fresh one) as a copy of `run`, a run as it was at seq `at`: its
    /// tasks (ids mapped, in-progress work back to pending, links kept), its completed tasks and
    /// its checkpoints. The way Temporal resets a workflow: a run that went wrong is re-run from
    /// an earlier state.
    case forkWorkflow(run: WorkflowView, at: UInt64, id: String?)
}

/// The fields of a new task.
public struct NewTask: Sendable, Hashable {
    public var subject: String
    public var description: String
    public var activeForm: String?
    public var owner: String?
    public var metadata: [String: JSONValue]

    public init(
        subject: String,
        description: String = "",
        activeForm: String? = nil,
        owner: String? = nil,
        metadata: [String: JSONValue] = [:]
    ) {
        self.subject = subject
        self.description = description
        self.activeForm = activeForm
        self.owner = owner
        self.metadata = metadata
    }
}

/// The changes of a task update; `nil` leaves a field as it is.
public struct TaskChanges: Sendable, Hashable {
    public var subject: String?
    public var description: String?
    public var activeForm: String?
    public var status: TaskStatus?
    /// The new owner; an empty string clears it.
    public var owner: String?
    /// Tasks that this one blocks from now on.
    public var addBlocks: [Int]
    /// Tasks that block this one from now on.
    public var addBlockedBy: [Int]
    /// Merged one level deep into the metadata; a key set to `null` is removed.
    public var metadata: [String: JSONValue]?
    /// Refuse the update unless the task is still at this version.
    public var expectedVersion: Int?
    /// Refuse a claim by an owner that already holds another task in progress ("agent busy";
    /// `task_tracking.one_task_per_agent`).
    public var exclusive: Bool

    public init(
        subject: String? = nil,
        description: String? = nil,
        activeForm: String? = nil,
        status: TaskStatus? = nil,
        owner: String? = nil,
        addBlocks: [Int] = [],
        addBlockedBy: [Int] = [],
        metadata: [String: JSONValue]? = nil,
        expectedVersion: Int? = nil,
        exclusive: Bool = false
    ) {
        self.subject = subject
        self.description = description
        self.activeForm = activeForm
        self.status = status
        self.owner = owner
        self.addBlocks = addBlocks
        self.addBlockedBy = addBlockedBy
        self.metadata = metadata
        self.expectedVersion = expectedVersion
        self.exclusive = exclusive
    }
}
