import Synchronization
import TasklogCore

/// The checks that make a task's index trustworthy before a read answers from it.
///
/// `index_task` lists the events that changed each task; a read that folds a task from it alone
/// (`get --at`, `history` of a task) would silently leave out an event whose entry is lost. So
/// each entry must lead to an event of that task's list that names it, and the task folded from
/// its entries up to the last event must have the version (the number of events that changed it)
/// of the same task in the state, which is loaded from snapshots and the log, not from the index.
extension TaskStore {
    /// The event at `seq`, which the index of task `id` of `list` names; throws unless it is an
    /// event of that list about that task (or a deletion, which names only the deleted task).
    func indexedEvent(at seq: UInt64, task id: Int, in list: String, _ txn: any StorageReader) throws -> Event {
        let event = try EventLog.event(at: seq, txn)
        let names: Bool
        if case .taskDeleted = event.payload { names = true } else { names = event.payload.taskIDs.contains(id) }
        guard event.list == list, names else {
            throw TasklogError(
                .corrupt,
                "the index of task \(id) in list \(list) names event \(seq), which is not about it; run `tasklog reindex`, then `tasklog verify`"
            )
        }
        return event
    }

    /// Throws unless `folded`, task `id` of `list` folded from its index through seq `high`, has
    /// the version of the task in the state at the last event `txn` sees, less the index entries
    /// after `high` (a page of history folds only its part; each later entry is one version
    /// more). A task deleted by then is in neither, and is checked only entry by entry
    /// (``indexedEvent(at:task:in:_:)``); so is one created after `high`.
    func checkIndex(
        of id: Int,
        in list: String,
        folded: TaskRecord?,
        through high: UInt64 = .max,
        _ txn: any StorageReader
    ) throws {
        let last = try EventLog.lastSeq(txn)
        var later = 0
        if high < last {
            later = try txn.indexSeqs(
                .task(list: list, id: id),
                from: high + 1,
                through: last,
                newestFirst: false,
                limit: .max
            ).count
            if later > 0 && folded == nil { return }
        }
        // The loaded state, taken inside this read transaction (the lock order of
        // Concurrency.md). A state that another reader caught up past this transaction, or that
        // holds a batch being committed, is left as it is; the list is then folded at this
        // transaction's last event.
        let cached: Int?? = try core.loaded.withLock { engine -> Int?? in
            guard engine.batch == nil, engine.dirty || engine.state.lastSeq <= last else { return nil }
            try core.catchUp(&engine, txn)
            try core.load(.list(list), &engine, txn)
            return .some(engine.state.lists[list]?.tasks[id]?.version)
        }
        let live = try cached ?? core.listState(list, at: last, txn).0.tasks[id]?.version
        if later > 0 && live == nil { return }
        guard folded.map({ $0.version + later }) != live else { return }
        throw TasklogError(
            .corrupt,
            "the index of task \(id) in list \(list) has lost events: folded from it the task is at version \(folded?.version ?? 0), in the log at \(live ?? 0); run `tasklog reindex`, then `tasklog verify`"
        )
    }
}
