public import TasklogCore

/// Which events of the log to list, in which order, how many.
public struct HistoryQuery: Sendable, Hashable {
    /// The task list (needed with ``taskID`` or ``workflow``; otherwise `nil` means every list).
    public var list: String?
    /// Only events that changed this task (its own, and links written by others).
    public var taskID: Int?
    /// Only events of tasks whose `metadata.workflow` is this (before or after the event).
    public var workflow: String?
    /// Only events issued by this actor.
    public var actor: String?
    /// Only events of this type (`task_created`, `task_updated`, …).
    public var type: String?
    /// From this point on (a seq, inclusive, or a time).
    public var since: Point?
    /// Up to this point (a seq, inclusive, or a time).
    public var until: Point?
    /// Newest first instead of oldest first.
    public var newestFirst = false
    /// At most this many entries in a page.
    public var limit = 100
    /// Continue after the entry with this seq (the ``HistoryPage/nextCursor`` of the page before).
    public var cursor: UInt64?

    public init(
        list: String? = nil,
        taskID: Int? = nil,
        workflow: String? = nil,
        actor: String? = nil,
        type: String? = nil,
        since: Point? = nil,
        until: Point? = nil,
        newestFirst: Bool = false,
        limit: Int = 100,
        cursor: UInt64? = nil
    ) {
        self.list = list
        self.taskID = taskID
        self.workflow = workflow
        self.actor = actor
        self.type = type
        self.since = since
        self.until = until
        self.newestFirst = newestFirst
        self.limit = limit
        self.cursor = cursor
    }
}

/// One event of the history with what it changed, task by task, field by field.
public struct HistoryEntry: Sendable, Hashable {
    /// The changes of one task.
    public struct TaskChange: Sendable, Hashable {
        public var taskID: Int
        public var fields: [FieldChange]

        public init(taskID: Int, fields: [FieldChange]) {
            self.taskID = taskID
            self.fields = fields
        }
    }

    public var event: Event
    public var changes: [TaskChange]

    public init(event: Event, changes: [TaskChange]) {
        self.event = event
        self.changes = changes
    }

    /// The JSON form: the event (schemas/event.schema.json) plus `changes`.
    public var json: JSONValue {
        guard case .object(var object) = event.json else { return event.json }
        object["changes"] = .array(
            changes.map { change in
                ["taskId": .string(String(change.taskID)), "fields": .array(change.fields.map(\.json))]
            }
        )
        return .object(object)
    }
}

/// A page of history; pass ``nextCursor`` as the next query's cursor to read on.
public struct HistoryPage: Sendable, Hashable {
    public var entries: [HistoryEntry]
    /// `nil` when there is nothing more.
    public var nextCursor: UInt64?
}
