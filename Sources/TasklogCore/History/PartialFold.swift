/// A fold of some tasks' own events, without the rest of their list: the real ``Reducer`` over a
/// small list that holds the followed tasks and stand-ins for the other tasks the events name.
///
/// An event changes a task only through what it names (the task, and the tasks it links with or
/// unlinks from), and a link takes effect only when both tasks exist. So a followed task comes out
/// of its own events (every event its index holds) exactly as from the whole log, provided a
/// stand-in exists for each other named task exactly when the real one did. Two rules say when:
///
/// - ``StandIns/whenNamed``: a task an event names exists then. The decider refuses a command
///   that names a missing task, so this holds for every event it decided, and needs nothing more
///   than the events themselves.
/// - ``StandIns/lifetimes(_:)``: a task exists from its creation to its deletion, as its own
///   events say; this holds for any log, imported ones included, at the cost of reading them.
///
/// A stand-in carries only its id (its subject is `#id`, its times those of the first event that
/// needs it) and the links that the tasks in the fold have with it, so that its deletion unlinks
/// them as the real one does. Those links matter only to a fold that starts from a task with
/// links (a history page of a long-lived task); from an empty list, every link in the fold is
/// between tasks in it.
public struct PartialFold: Sendable {
    /// When a stand-in for a task the events name exists.
    public enum StandIns: Sendable, Hashable {
        /// Whenever an event names the task (and does not create it).
        case whenNamed
        /// During the task's lifetime, for the tasks listed (a stand-in is taken out once the task is
        /// gone); the tasks not listed, such as the followed ones, are left to the events.
        case lifetimes([Int: Lifetime])
    }

    /// When a task was created and deleted (`nil`: not in the events read).
    public struct Lifetime: Sendable, Hashable {
        public var created: UInt64?
        public var deleted: UInt64?

        public init(created: UInt64?, deleted: UInt64?) {
            self.created = created
            self.deleted = deleted
        }

        /// The lifetime of task `id` along `events` (its own events, in seq order).
        public init(of id: Int, along events: some Sequence<Event>) {
            for event in events {
                switch event.payload {
                case .taskCreated(let task) where task.id == id && created == nil: created = event.seq
                case .taskDeleted(let task) where task == id && deleted == nil: deleted = event.seq
                default: break
                }
            }
        }

        /// Whether the task exists for the event at `seq`: created before it, and not deleted
        /// before it (the event that deletes it still finds it).
        public func contains(_ seq: UInt64) -> Bool {
            guard let created, created < seq else { return false }
            return deleted.map { seq <= $0 } ?? true
        }
    }

    /// The followed tasks and the stand-ins, after the events applied so far.
    public private(set) var list: TaskListState
    public let standIns: StandIns

    /// A fold that starts from `list` (the followed tasks as they were before the first event to
    /// apply; empty to fold from the first event of the log).
    public init(_ list: TaskListState = TaskListState(), standIns: StandIns = .whenNamed) {
        self.list = list
        self.standIns = standIns
    }

    /// Puts in or takes out the stand-ins `event` needs, then folds it.
    public mutating func apply(_ event: Event) {
        for id in event.payload.taskIDs {
            if case .taskCreated(let created) = event.payload, created.id == id { continue }
            let present = list.tasks.contains(id)
            switch standIns {
            case .whenNamed:
                if !present { list.tasks[id] = standIn(id, at: event.timestamp) }
            case .lifetimes(let lifetimes):
                guard let lifetime = lifetimes[id] else { continue }
                let exists = lifetime.contains(event.seq)
                if exists && !present {
                    list.tasks[id] = standIn(id, at: event.timestamp)
                } else if !exists && present {
                    list.tasks[id] = nil
                }
            }
        }
        Reducer.apply(event, toList: &list)
    }

    /// A stand-in for task `id`, linked as the tasks in the fold are linked with it.
    private func standIn(_ id: Int, at time: Timestamp) -> TaskRecord {
        var task = TaskRecord(id: id, subject: "#\(id)", createdAt: time, updatedAt: time)
        for other in list.tasks {
            if other.blockedBy.contains(id) { Reducer.insert(other.id, into: &task.blocks) }
            if other.blocks.contains(id) { Reducer.insert(other.id, into: &task.blockedBy) }
        }
        return task
    }
}
