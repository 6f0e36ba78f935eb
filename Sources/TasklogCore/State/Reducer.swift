/// The pure, deterministic fold of events into ``TasklogState``.
///
/// Events were validated before they were appended, so the reducer trusts them; it is still total
/// (an event about a task that is not there changes nothing), so any log replays the same way.
public enum Reducer {
    /// Tagged onto snapshots: a snapshot folded by another reducer version is not used.
    public static let version: UInt32 = 1

    /// Folds every event of `events` into a fresh state.
    public static func replay(_ events: some Sequence<Event>) -> TasklogState {
        var state = TasklogState()
        for event in events { apply(event, to: &state) }
        return state
    }

    /// Folds `event` into `state`.
    public static func apply(_ event: Event, to state: inout TasklogState) {
        state.lastSeq = event.seq
        state.lastTimestamp = event.timestamp
        let time = event.timestamp
        apply(event.payload, at: time, to: &state.lists[event.list, default: TaskListState()])
    }

    /// Folds `event` into the state of its list alone (the caller picks the list).
    public static func apply(_ event: Event, toList list: inout TaskListState) {
        apply(event.payload, at: event.timestamp, to: &list)
    }

    static func apply(_ payload: EventPayload, at time: Timestamp, to list: inout TaskListState) {
        switch payload {
        case .taskCreated(let created):
            insert(
                created: TaskRecord(
                    id: created.id,
                    subject: created.subject,
                    description: created.description,
                    activeForm: created.activeForm,
                    owner: created.owner,
                    metadata: created.metadata,
                    createdAt: time,
                    updatedAt: time
                ),
                into: &list
            )
        case .taskUpdated(let updated):
            guard list.tasks.modify(updated.id, { update(&$0, with: updated, at: time) }) != nil else { return }
            for blocked in updated.addBlocks {
                link(blocker: updated.id, blocked: blocked, at: time, in: &list, touched: updated.id)
            }
            for blocker in updated.addBlockedBy {
                link(blocker: blocker, blocked: updated.id, at: time, in: &list, touched: updated.id)
            }
        case .taskDeleted(let id):
            guard let task = list.tasks.remove(id) else { return }
            for other in Set(task.blocks + task.blockedBy) {
                list.tasks.modify(other) { other in
                    modify(&other, at: time) { other in
                        remove(id, from: &other.blocks)
                        remove(id, from: &other.blockedBy)
                    }
                }
            }
        case .dependencyAdded(let blocker, let blocked):
            link(blocker: blocker, blocked: blocked, at: time, in: &list, touched: nil)
        case .dependencyRemoved(let blocker, let blocked):
            guard list.tasks.contains(blocker), list.tasks.contains(blocked) else { return }
            list.tasks.modify(blocker) { modify(&$0, at: time) { remove(blocked, from: &$0.blocks) } }
            list.tasks.modify(blocked) { modify(&$0, at: time) { remove(blocker, from: &$0.blockedBy) } }
        case .workflowStarted(let id, let type), .workflowForked(let id, let type, _, _):
            if list.workflows[id] == nil { list.workflows[id] = WorkflowState(id: id, type: type, startedAt: time) }
        case .checkpointRecorded(let id, let step, let name, let data):
            // In place (`default:`), so that the checkpoints are not copied on every event.
            modifyWorkflow(id, default: implicitWorkflow(id, at: time), in: &list) { workflow in
                let checkpoint = Checkpoint(step: step, name: name, completedAt: time, data: data)
                // One checkpoint per step and name (a step done again keeps the newest), in step order.
                if let index = workflow.checkpoints.firstIndex(where: { $0.step == step && $0.name == name }) {
                    workflow.checkpoints[index] = checkpoint
                } else {
                    let index = workflow.checkpoints.lastIndex(where: { $0.step <= step }).map { $0 + 1 } ?? 0
                    workflow.checkpoints.insert(checkpoint, at: index)
                }
                if workflow.status == .failed {
                    // Progress after a failure: the run was resumed.
                    workflow.status = .inProgress
                    workflow.failedStep = nil
                    workflow.failureReason = nil
                    workflow.endedAt = nil
                }
            }
        case .workflowCompleted(let id):
            modifyWorkflow(id, default: implicitWorkflow(id, at: time), in: &list) { workflow in
                workflow.status = .completed
                workflow.endedAt = time
            }
        case .workflowFailed(let id, let step, let reason):
            modifyWorkflow(id, default: implicitWorkflow(id, at: time), in: &list) { workflow in
                workflow.status = .failed
                workflow.failedStep = step
                workflow.failureReason = reason
                workflow.endedAt = time
            }
        }
    }

    /// Folds a task's creation: `task` as created (the fold from bytes builds it from them).
    static func insert(created task: TaskRecord, into list: inout TaskListState) {
        list.highWater = max(list.highWater, task.id)
        list.tasks[task.id] = task
    }

    /// A workflow known only from its events (never started explicitly).
    private static func implicitWorkflow(_ id: String, at time: Timestamp) -> WorkflowState {
        WorkflowState(id: id, type: WorkflowID.type(of: id), startedAt: time)
    }

    /// Changes workflow `id` in place; `implicit` (a workflow known only from its events) is
    /// built only when the list does not have it.
    private static func modifyWorkflow(
        _ id: String,
        default implicit: @autoclosure () -> WorkflowState,
        in list: inout TaskListState,
        _ change: (inout WorkflowState) -> Void
    ) {
        change(&list.workflows[id, default: implicit()])
    }

    private static func update(_ task: inout TaskRecord, with updated: TaskUpdated, at time: Timestamp) {
        if let subject = updated.subject { task.subject = subject }
        if let description = updated.description { task.description = description }
        if let activeForm = updated.activeForm { task.activeForm = activeForm }
        if let patch = updated.metadataPatch { merge(patch, into: &task.metadata) }
        update(&task, status: updated.status, owner: updated.owner, at: time)
    }

    /// Sets the status and the owner an update carries (`.some(nil)` clears the owner), and
    /// counts the update; the fold from bytes calls it for an update of these fields alone.
    static func update(_ task: inout TaskRecord, status: TaskStatus?, owner: String??, at time: Timestamp) {
        if let status { task.status = status }
        if let owner { task.owner = owner }
        task.version += 1
        task.updatedAt = time
    }

    /// Merges a metadata patch one level deep; a key set to `null` is removed.
    public static func merge(_ patch: [String: JSONValue], into metadata: inout [String: JSONValue]) {
        for (key, value) in patch {
            if value == .null { metadata[key] = nil } else { metadata[key] = value }
        }
    }

    /// Writes the link on both tasks, and only when both exist; bumps the version of each task
    /// that changed, except `touched`, whose own update carries the link and was bumped already.
    private static func link(
        blocker: Int,
        blocked: Int,
        at time: Timestamp,
        in list: inout TaskListState,
        touched: Int?
    ) {
        guard blocker != blocked, list.tasks.contains(blocker), list.tasks.contains(blocked) else { return }
        list.tasks.modify(blocker) { task in
            if insert(blocked, into: &task.blocks), blocker != touched { touch(&task, at: time) }
        }
        list.tasks.modify(blocked) { task in
            if insert(blocker, into: &task.blockedBy), blocked != touched { touch(&task, at: time) }
        }
    }

    private static func modify(_ task: inout TaskRecord, at time: Timestamp, _ change: (inout TaskRecord) -> Void) {
        let before = (task.blocks, task.blockedBy)
        change(&task)
        if before != (task.blocks, task.blockedBy) { touch(&task, at: time) }
    }

    private static func touch(_ task: inout TaskRecord, at time: Timestamp) {
        task.version += 1
        task.updatedAt = time
    }

    /// Inserts `id` into the sorted `ids`; returns whether it was new.
    @discardableResult
    static func insert(_ id: Int, into ids: inout [Int]) -> Bool {
        var low = 0
        var high = ids.count
        while low < high {
            let mid = (low + high) / 2
            if ids[mid] < id { low = mid + 1 } else { high = mid }
        }
        guard low == ids.count || ids[low] != id else { return false }
        ids.insert(id, at: low)
        return true
    }

    static func remove(_ id: Int, from ids: inout [Int]) {
        if let index = ids.firstIndex(of: id) { ids.remove(at: index) }
    }
}
