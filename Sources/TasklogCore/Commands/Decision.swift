/// What the decider decided for a command: the events that record it, and what the command does
/// in the terms its caller reports (the task it is about, the fields it changes, the status it
/// moves, the tasks it releases, the workflow and checkpoints it records).
///
/// The engine appends ``payloads`` and reports the rest with the task as it is after them, so it
/// never works out again from the events what the decider already knew.
public struct Decision: Sendable, Hashable {
    /// A task's status before and after the command.
    public struct StatusChange: Sendable, Hashable {
        public var from: TaskStatus
        public var to: TaskStatus

        public init(from: TaskStatus, to: TaskStatus) {
            self.from = from
            self.to = to
        }
    }

    /// A checkpoint the command records, by what names it in its workflow (a step done again keeps
    /// one checkpoint per step and name, the newest).
    public struct RecordedCheckpoint: Sendable, Hashable {
        public var workflow: String
        public var step: Int
        public var name: String
    }

    /// The events that record the command, in order (none when it changes nothing).
    public let payloads: [EventPayload]
    /// The task the command is about: the one it creates or updates, or the blocker of a link.
    public var taskID: Int?
    /// The fields it changes, in the agent tools' spelling (`deleted` for a delete, `blocks` for a
    /// link added or removed).
    public var updatedFields: [String] = []
    /// The status it moves the task from and to, when it does.
    public var statusChange: StatusChange?
    /// For a release: the tasks it moves back to pending.
    public var releasedTaskIDs: [Int] = []
    /// The workflow its events are about (the last one named, for a command that names several).
    public private(set) var workflowID: String?
    /// The checkpoints its events record, in order.
    public private(set) var checkpoints: [RecordedCheckpoint] = []

    /// A decision to append `payloads`; the workflow and checkpoints are those the payloads name.
    public init(_ payloads: [EventPayload], taskID: Int? = nil) {
        self.payloads = payloads
        self.taskID = taskID
        for payload in payloads {
            if case .checkpointRecorded(let workflow, let step, let name, _) = payload {
                checkpoints.append(RecordedCheckpoint(workflow: workflow, step: step, name: name))
            }
            if let workflow = payload.workflowID { workflowID = workflow }
        }
    }
}
