/// One entry of the log: the envelope and what happened.
///
/// The log is the only source of truth; every accepted command becomes events, appended
/// atomically and never rewritten.
public struct Event: Sendable, Hashable {
    /// The global, dense sequence number, from 1; the LMDB key.
    public var seq: UInt64
    /// When the engine accepted it; never decreases along the log.
    public var timestamp: Timestamp
    /// The task list it belongs to.
    public var list: String
    /// Who issued it, when known.
    public var actor: String?
    /// A caller's key that makes a retried command take effect once.
    public var idempotencyKey: String?
    /// What happened.
    public var payload: EventPayload

    public init(
        seq: UInt64,
        timestamp: Timestamp,
        list: String,
        actor: String? = nil,
        idempotencyKey: String? = nil,
        payload: EventPayload
    ) {
        self.seq = seq
        self.timestamp = timestamp
        self.list = list
        self.actor = actor
        self.idempotencyKey = idempotencyKey
        self.payload = payload
    }
}

/// What an event records. New cases get new type codes in the binary format; old ones never change.
public enum EventPayload: Sendable, Hashable {
    /// A task was created, pending.
    case taskCreated(TaskCreated)
    /// Fields of a task changed; only the fields that changed are present.
    case taskUpdated(TaskUpdated)
    /// A task was deleted: it leaves the state (and every other task's links), not the log.
    case taskDeleted(id: Int)
    /// `blocker` must complete before `blocked` can start.
    case dependencyAdded(blocker: Int, blocked: Int)
    /// A dependency was removed (cycle repair on import).
    case dependencyRemoved(blocker: Int, blocked: Int)
    /// A workflow run began.
    case workflowStarted(id: String, type: String)
    /// A workflow run began as a copy of run `from` as it was at seq `at` (its tasks follow, as
    /// their own events); both runs' histories hold this event.
    case workflowForked(id: String, type: String, from: String, at: UInt64)
    /// A milestone of a workflow was reached.
    case checkpointRecorded(workflow: String, step: Int, name: String, data: [String: JSONValue])
    /// A workflow run finished.
    case workflowCompleted(id: String)
    /// A workflow run failed at a step.
    case workflowFailed(id: String, step: Int, reason: String)

    /// The event type's name in the JSON form and in audit output.
    public var typeName: String {
        switch self {
        case .taskCreated: "task_created"
        case .taskUpdated: "task_updated"
        case .taskDeleted: "task_deleted"
        case .dependencyAdded: "dependency_added"
        case .dependencyRemoved: "dependency_removed"
        case .workflowStarted: "workflow_started"
        case .workflowForked: "workflow_forked"
        case .checkpointRecorded: "checkpoint_recorded"
        case .workflowCompleted: "workflow_completed"
        case .workflowFailed: "workflow_failed"
        }
    }

    /// Every event type's name.
    public static let typeNames = [
        "task_created", "task_updated", "task_deleted", "dependency_added", "dependency_removed",
        "workflow_started", "checkpoint_recorded", "workflow_completed", "workflow_failed", "workflow_forked",
    ]

    /// The workflow a workflow event is about.
    public var workflowID: String? {
        switch self {
        case .workflowStarted(let id, _), .workflowForked(let id, _, _, _), .workflowCompleted(let id),
            .workflowFailed(let id, _, _):
            id
        case .checkpointRecorded(let workflow, _, _, _): workflow
        default: nil
        }
    }

    /// The ids of the tasks the event touches directly.
    public var taskIDs: [Int] {
        switch self {
        case .taskCreated(let created): [created.id]
        case .taskUpdated(let updated): [updated.id] + updated.addBlocks + updated.addBlockedBy
        case .taskDeleted(let id): [id]
        case .dependencyAdded(let blocker, let blocked), .dependencyRemoved(let blocker, let blocked):
            [blocker, blocked]
        case .workflowStarted, .workflowForked, .checkpointRecorded, .workflowCompleted, .workflowFailed: []
        }
    }
}

/// The payload of ``EventPayload/taskCreated(_:)``.
public struct TaskCreated: Sendable, Hashable {
    public var id: Int
    public var subject: String
    public var description: String
    public var activeForm: String?
    public var owner: String?
    public var metadata: [String: JSONValue]

    public init(
        id: Int,
        subject: String,
        description: String = "",
        activeForm: String? = nil,
        owner: String? = nil,
        metadata: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.subject = subject
        self.description = description
        self.activeForm = activeForm
        self.owner = owner
        self.metadata = metadata
    }
}

/// The payload of ``EventPayload/taskUpdated(_:)``: each field present only if it changed.
public struct TaskUpdated: Sendable, Hashable {
    public var id: Int
    public var subject: String?
    public var description: String?
    public var activeForm: String?
    public var status: TaskStatus?
    /// `.some(nil)` clears the owner.
    public var owner: String??
    /// Keys to set; a key set to `null` is removed.
    public var metadataPatch: [String: JSONValue]?
    /// Tasks this one now blocks.
    public var addBlocks: [Int]
    /// Tasks this one is now blocked by.
    public var addBlockedBy: [Int]

    public init(
        id: Int,
        subject: String? = nil,
        description: String? = nil,
        activeForm: String? = nil,
        status: TaskStatus? = nil,
        owner: String?? = nil,
        metadataPatch: [String: JSONValue]? = nil,
        addBlocks: [Int] = [],
        addBlockedBy: [Int] = []
    ) {
        self.id = id
        self.subject = subject
        self.description = description
        self.activeForm = activeForm
        self.status = status
        self.owner = owner
        self.metadataPatch = metadataPatch
        self.addBlocks = addBlocks
        self.addBlockedBy = addBlockedBy
    }

    /// The names of the fields present, in the agent tools' spelling.
    public var fieldNames: [String] {
        var names: [String] = []
        if subject != nil { names.append("subject") }
        if description != nil { names.append("description") }
        if activeForm != nil { names.append("activeForm") }
        if status != nil { names.append("status") }
        if owner != nil { names.append("owner") }
        if metadataPatch != nil { names.append("metadata") }
        if !addBlocks.isEmpty { names.append("blocks") }
        if !addBlockedBy.isEmpty { names.append("blockedBy") }
        return names
    }
}
