import LMDB
import TasklogCore

/// The secondary indexes of the log, written in the same transaction as each event.
///
/// Each is a set of keys with empty values; a key ends with the event's seq (8 bytes big-endian),
/// so one prefix scan walks an index in log order.
///
/// | database | key |
/// | --- | --- |
/// | `index_task` | list · 0 · task id (8 bytes) · seq: every task whose state the event changed |
/// | `index_workflow` | list · 0 · workflow · 0 · seq: events of tasks with that `metadata.workflow`, before or after |
/// | `index_actor` | actor · 0 · seq |
/// | `index_type` | type name · 0 · seq |
enum EventIndex {
    static let databaseNames = ["index_task", "index_workflow", "index_actor", "index_type"]
    /// Bumped when what is indexed changes; a store with another version rebuilds its indexes.
    static let version = "1"

    /// The tasks whose state `payload` changes, given the list before it.
    static func affectedTasks(_ payload: EventPayload, in list: TaskListState?) -> [Int] {
        switch payload {
        case .taskDeleted(let id):
            guard let list, let index = list.tasks.index(forKey: id) else { return [id] }
            let task = list.tasks.values[index]
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
            // By index: `tasks[id]?.metadata` would copy the whole record first.
            guard let index = list.tasks.index(forKey: id) else { continue }
            if case .string(let name)? = list.tasks.values[index].metadata["workflow"] { names.insert(name) }
        }
        return names
    }

    /// What `event` is indexed under: the tasks whose state it changes, and the workflows of those
    /// tasks before or after it (plus the workflow a workflow event names).
    struct Entries {
        var tasks: [Int]
        var workflows: Set<String>
    }

    /// Folds `event` into `state` and returns what it is indexed under: the one place that decides
    /// it, for appends, index rebuilds and `verify` alike.
    static func apply(_ event: Event, to state: inout TasklogState) -> Entries {
        let tasks = affectedTasks(event.payload, in: state.lists[event.list])
        var workflows = self.workflows(of: tasks, in: state.lists[event.list])
        Reducer.apply(event, to: &state)
        workflows.formUnion(self.workflows(of: tasks, in: state.lists[event.list]))
        if let workflow = event.payload.workflowID { workflows.insert(workflow) }
        if case .workflowForked(_, _, let from, _) = event.payload { workflows.insert(from) }
        return Entries(tasks: tasks, workflows: workflows)
    }

    static func taskPrefix(list: String, id: Int) -> [UInt8] {
        Array(list.utf8) + [0] + Key.uint64(UInt64(id))
    }

    static func workflowPrefix(list: String, workflow: String) -> [UInt8] {
        Array(list.utf8) + [0] + Array(workflow.utf8) + [0]
    }

    static func actorPrefix(_ actor: String) -> [UInt8] {
        Array(actor.utf8) + [0]
    }

    static func typePrefix(_ type: String) -> [UInt8] {
        Array(type.utf8) + [0]
    }

    /// Writes the index keys of `event` (whose effects are described by `entries`).
    static func write(_ event: Event, _ entries: Entries, to log: EventLog, _ txn: borrowing WriteTransaction) throws {
        let seq = Key.uint64(event.seq)
        for id in entries.tasks {
            try txn.put(in: log.indexTask, key: taskPrefix(list: event.list, id: id) + seq, value: [])
        }
        for workflow in entries.workflows {
            try txn.put(
                in: log.indexWorkflow,
                key: workflowPrefix(list: event.list, workflow: workflow) + seq,
                value: []
            )
        }
        if let actor = event.actor {
            try txn.put(in: log.indexActor, key: actorPrefix(actor) + seq, value: [])
        }
        try txn.put(in: log.indexType, key: typePrefix(event.payload.typeName) + seq, value: [])
    }

    /// The seqs under `prefix` in `database`, between `low` and `high` inclusive, in order
    /// (newest first if `reverse`), at most `limit`.
    static func seqs(
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        in database: Database,
        prefix: [UInt8],
        low: UInt64,
        high: UInt64,
        reverse: Bool,
        limit: Int
    ) throws -> [UInt64] {
        var seqs: [UInt64] = []
        guard low <= high, limit > 0 else { return seqs }
        let start = prefix + Key.uint64(reverse ? high : low)
        try txn.forEach(in: database, from: start, reverse: reverse) { key, _ in
            guard key.byteCount == prefix.count + 8 else { return false }
            let matches = key.withUnsafeBytes { bytes in bytes.prefix(prefix.count).elementsEqual(prefix) }
            guard matches else { return false }
            let seq = key.withUnsafeBytes {
                UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: prefix.count, as: UInt64.self))
            }
            guard seq >= low && seq <= high else { return false }
            seqs.append(seq)
            return seqs.count < limit
        }
        return seqs
    }
}
