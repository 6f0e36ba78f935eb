import TasklogCore

/// What a batch's events changed in the loaded state, as it was before them.
///
/// The writer applies a batch's events to the loaded state inside its write transaction, then
/// lets go of the state's lock while the backend commits (on LMDB: two fsyncs). Meanwhile the
/// state holds events that are not committed, which are never served: a reader gets the state
/// before the batch instead, made from this record (``committed(_:)``), and never waits for the
/// disk. The record holds the old value of each task and workflow the events touch, not a copy
/// of their lists, so that the writer changes its lists in place (a copy kept of a list would make
/// every batch copy the whole list); a reader that comes during a commit pays for its copy.
struct BatchUndo {
    /// Where the state stood before the batch.
    var lastSeq: UInt64
    var lastTimestamp: Timestamp
    var lastLink: ChainLink
    /// The store was empty (an import, or the first command): the committed state is empty.
    var wasEmpty: Bool

    /// One list's values before the batch: whether it existed, its high-water mark, and the old
    /// value of every task and workflow the batch touched (`nil`: it did not exist).
    struct ListUndo {
        var existed: Bool
        var highWater: Int
        var tasks: [Int: TaskRecord?] = [:]
        var workflows: [String: WorkflowState?] = [:]
    }

    var lists: [String: ListUndo] = [:]

    init(before engine: borrowing LoadedState) {
        lastSeq = engine.state.lastSeq
        lastTimestamp = engine.state.lastTimestamp
        lastLink = engine.lastLink
        wasEmpty = engine.state.lastSeq == 0
    }

    /// Records what `event` is about to change in `state` (call it before the reducer runs).
    mutating func record(before event: Event, in state: borrowing TasklogState) {
        guard !wasEmpty else { return }
        guard let index = state.lists.index(forKey: event.list) else {
            if lists[event.list] == nil { lists[event.list] = ListUndo(existed: false, highWater: 0) }
            return
        }
        // By index, so that no copy of the list is held while the reducer changes it.
        let list = state.lists.values[index]
        var undo = lists.removeValue(forKey: event.list) ?? ListUndo(existed: true, highWater: list.highWater)
        if undo.existed {
            for id in IndexEntries.affectedTasks(event.payload, in: list) where undo.tasks.index(forKey: id) == nil {
                undo.tasks[id] = .some(list.tasks[id])
            }
            if let workflow = event.payload.workflowID, undo.workflows.index(forKey: workflow) == nil {
                undo.workflows[workflow] = .some(list.workflows[workflow])
            }
        }
        lists[event.list] = undo
    }

    /// `engine` as it was before the batch: what a reader is served while the batch commits.
    func committed(_ engine: borrowing LoadedState) -> LoadedState {
        var view = copy engine
        view.batch = nil
        view.lastLink = lastLink
        guard !wasEmpty else {
            view.state = TasklogState()
            view.unloaded = []
            return view
        }
        view.state.lastSeq = lastSeq
        view.state.lastTimestamp = lastTimestamp
        for (id, undo) in lists {
            guard undo.existed else {
                view.state.lists[id] = nil
                continue
            }
            guard let index = view.state.lists.index(forKey: id) else { continue }
            view.state.lists.values[index].highWater = undo.highWater
            for (task, old) in undo.tasks { view.state.lists.values[index].tasks[task] = old }
            for (workflow, old) in undo.workflows { view.state.lists.values[index].workflows[workflow] = old }
        }
        return view
    }
}
