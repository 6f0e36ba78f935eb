/// One task of a task list, as folded from the log.
///
/// `blocks` and `blockedBy` are kept symmetric and sorted; `version` counts the events that
/// changed the task (1 after creation).
public struct TaskRecord: Sendable, Hashable {
    /// The task's id in its list: 1, 2, 3, … never reused.
    public var id: Int
    public var subject: String
    public var description: String
    /// The present-continuous form shown while the task runs ("Running tests").
    public var activeForm: String?
    public var status: TaskStatus
    /// Who claimed the task.
    public var owner: String?
    /// Tasks that cannot start before this one completes.
    public var blocks: [Int]
    /// Tasks that must complete before this one can start.
    public var blockedBy: [Int]
    /// Free JSON object; `workflow`, `step`, `milestone`, `phase` and `parallel_group` are typed.
    public var metadata: [String: JSONValue]
    public var version: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: Int,
        subject: String,
        description: String = "",
        activeForm: String? = nil,
        status: TaskStatus = .pending,
        owner: String? = nil,
        blocks: [Int] = [],
        blockedBy: [Int] = [],
        metadata: [String: JSONValue] = [:],
        version: Int = 1,
        createdAt: Timestamp,
        updatedAt: Timestamp
    ) {
        self.id = id
        self.subject = subject
        self.description = description
        self.activeForm = activeForm
        self.status = status
        self.owner = owner
        self.blocks = blocks
        self.blockedBy = blockedBy
        self.metadata = metadata
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
