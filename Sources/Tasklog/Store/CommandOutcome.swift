public import TasklogCore

/// What a command did: the task as it is now, and what changed.
public struct CommandOutcome: Sendable, Hashable {
    /// The task after the command (`nil` once deleted, or for a release).
    public var task: TaskRecord?
    /// The task's id.
    public var taskID: Int?
    /// Fields whose value really changed, in the agent tools' spelling (`deleted` for a delete).
    public var updatedFields: [String]
    /// The status before and after, when it changed.
    public var statusChange: StatusChange?
    /// The seqs of the events written (empty when nothing changed).
    public var seqs: [UInt64]
    /// For a release: the tasks moved back to pending.
    public var releasedTaskIDs: [Int]
    /// Whether an earlier command with the same idempotency key had already done this.
    public var deduplicated: Bool
    /// For a workflow command: the workflow's id.
    public var workflowID: String?
    /// Checkpoints recorded by the command (a milestone task completed, or by hand).
    public var checkpoints: [Checkpoint] = []

    /// A task's status before and after the command, as the decider decided it.
    public typealias StatusChange = Decision.StatusChange
}
