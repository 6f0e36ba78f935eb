/// Validates a command against the current state and decides the events that record it.
///
/// Pure: the same state and command always give the same events or the same refusal.
public enum Decider {
    /// The events that record `command` on `list`, or the reason it is refused: the
    /// ``Decision/payloads`` of ``decision(_:in:actor:policy:now:)``.
    ///
    /// An update that changes nothing decides no event.
    public static func decide(
        _ command: TaskCommand,
        in list: TaskListState,
        actor: String?,
        policy: MilestonePolicy = .standard,
        now: Timestamp = Timestamp(rawValue: 0)
    ) throws(TasklogError) -> [EventPayload] {
        try decision(command, in: list, actor: actor, policy: policy, now: now).payloads
    }

    /// The events that record `command` on `list` and what the command does, or the reason it
    /// is refused.
    ///
    /// - Parameters:
    ///   - policy: which task completions of a workflow record a checkpoint.
    ///   - now: the time the events will carry (for a workflow's default id).
    public static func decision(
        _ command: TaskCommand,
        in list: TaskListState,
        actor: String?,
        policy: MilestonePolicy = .standard,
        now: Timestamp = Timestamp(rawValue: 0)
    ) throws(TasklogError) -> Decision {
        switch command {
        case .create(let new):
            let created = try create(new, in: list)
            return Decision([.taskCreated(created)], taskID: created.id)
        case .update(let id, let changes):
            guard let event = try update(id, changes, in: list, actor: actor), let task = list.tasks[id] else {
                return Decision([], taskID: id)
            }
            var decision = Decision([event] + milestone(after: event, in: list, policy: policy), taskID: id)
            switch event {
            case .taskUpdated(let updated):
                decision.updatedFields = updated.fieldNames
                if let status = updated.status { decision.statusChange = .init(from: task.status, to: status) }
            case .taskDeleted:
                decision.updatedFields = ["deleted"]
                if task.status != .deleted { decision.statusChange = .init(from: task.status, to: .deleted) }
            default:
                break
            }
            return decision
        case .startWorkflow, .checkpoint, .completeWorkflow, .failWorkflow, .forkWorkflow:
            return Decision(try decideWorkflow(command, in: list, policy: policy, now: now))
        case .release(let owner):
            let released = list.sortedTasks.filter { $0.status == .inProgress && $0.owner == owner }.map(\.id)
            var decision = Decision(
                released.map { .taskUpdated(TaskUpdated(id: $0, status: .pending, owner: .some(nil))) }
            )
            decision.releasedTaskIDs = released
            return decision
        case .addDependency(let blocker, let blocked):
            let blockerTask = try existing(blocker, in: list)
            _ = try existing(blocked, in: list)
            guard blocker != blocked else { throw selfDependency(blocker) }
            guard !blockerTask.blocks.contains(blocked) else { return Decision([], taskID: blocker) }
            if let cycle = cycle(adding: [(blocker, blocked)], to: list) { throw cycleError(cycle) }
            return linkChanged(.dependencyAdded(blocker: blocker, blocked: blocked), blocker: blocker)
        case .removeDependency(let blocker, let blocked):
            let blockerTask = try existing(blocker, in: list)
            guard blockerTask.blocks.contains(blocked) else { return Decision([], taskID: blocker) }
            return linkChanged(.dependencyRemoved(blocker: blocker, blocked: blocked), blocker: blocker)
        }
    }

    /// A link added or removed: a change of the blocker's `blocks`.
    private static func linkChanged(_ event: EventPayload, blocker: Int) -> Decision {
        var decision = Decision([event], taskID: blocker)
        decision.updatedFields = ["blocks"]
        return decision
    }

    // MARK: Create

    static func create(_ new: NewTask, in list: TaskListState) throws(TasklogError) -> TaskCreated {
        try checkSubject(new.subject)
        try checkLength(new.description, Limits.description, "description")
        if let activeForm = new.activeForm { try checkLength(activeForm, Limits.activeForm, "activeForm") }
        if let owner = new.owner { try checkLength(owner, Limits.owner, "owner") }
        try checkMetadata(new.metadata, patch: false)
        guard list.highWater < Int.max else {
            // Only a log imported before imports were checked can hold such an id.
            throw TasklogError(.invalidInput, "this task list has issued every id; create the task in another list")
        }
        return TaskCreated(
            id: list.highWater + 1,
            subject: new.subject,
            description: new.description,
            activeForm: new.activeForm,
            owner: new.owner?.isEmpty == true ? nil : new.owner,
            metadata: new.metadata.filter { $0.value != .null }
        )
    }

    // MARK: Update

    static func update(
        _ id: Int,
        _ changes: TaskChanges,
        in list: TaskListState,
        actor: String?
    )
        throws(TasklogError) -> EventPayload?
    {
        let task = try existing(id, in: list)
        if let expected = changes.expectedVersion, expected != task.version {
            throw TasklogError(
                .conflict,
                "task #\(id) is at version \(task.version), not \(expected): it changed since you read it; get it again and retry"
            )
        }
        if changes.status == .deleted {
            try checkHolder(of: task, actor: actor, changes: changes)
            return .taskDeleted(id: id)
        }

        var updated = TaskUpdated(id: id)
        if let subject = changes.subject, subject != task.subject {
            try checkSubject(subject)
            updated.subject = subject
        }
        if let description = changes.description, description != task.description {
            try checkLength(description, Limits.description, "description")
            updated.description = description
        }
        if let activeForm = changes.activeForm, activeForm != task.activeForm {
            try checkLength(activeForm, Limits.activeForm, "activeForm")
            updated.activeForm = activeForm
        }
        if let patch = changes.metadata {
            try checkMetadata(patch, patch: true)
            var merged = task.metadata
            Reducer.merge(patch, into: &merged)
            if merged != task.metadata {
                try checkMetadataSize(merged)
                updated.metadataPatch = patch.filter { task.metadata[$0.key] != ($0.value == .null ? nil : $0.value) }
            }
        }

        // Dependencies: both tasks must exist; a link that closes a cycle is refused.
        guard changes.addBlocks.count + changes.addBlockedBy.count <= Limits.dependencies else {
            throw TasklogError(.invalidInput, "too many dependencies in one update (at most \(Limits.dependencies))")
        }
        var edges: [(blocker: Int, blocked: Int)] = []
        for other in changes.addBlocks {
            guard other != id else { throw selfDependency(id) }
            _ = try existing(other, in: list)
            if !task.blocks.contains(other) && !updated.addBlocks.contains(other) {
                updated.addBlocks.append(other)
                edges.append((id, other))
            }
        }
        for other in changes.addBlockedBy {
            guard other != id else { throw selfDependency(id) }
            _ = try existing(other, in: list)
            if !task.blockedBy.contains(other) && !updated.addBlockedBy.contains(other) {
                updated.addBlockedBy.append(other)
                edges.append((other, id))
            }
        }
        if let cycle = cycle(adding: edges, to: list) { throw cycleError(cycle) }
        // Ownership and status: a claim is a compare-and-set on the owner.
        var newOwner = task.owner
        if let owner = changes.owner {
            try checkLength(owner, Limits.owner, "owner")
            newOwner = owner.isEmpty ? nil : owner
        }
        let newStatus = changes.status ?? task.status
        let claiming = changes.status == .inProgress
        if claiming && changes.owner == nil, let actor {
            newOwner = actor  // a claim without an owner is made by the actor
        }
        if newStatus == .pending && task.status != .pending && changes.owner == nil {
            newOwner = nil  // reopened or released: ready for anyone again (the history keeps who had it)
        }
        // The holder may hand its task over; anyone else's claim needs the holder's consent (a
        // release). Other changes to a held task are refused below, by `checkHolder`.
        if newOwner != task.owner, let holder = task.owner, holder != actor, claiming, changes.expectedVersion == nil {
            let state = task.status == .inProgress ? "already claimed by" : "assigned to"
            throw TasklogError(
                .conflict,
                "task #\(id) is \(state) \(holder); release it first, or pass the version you read to take it over"
            )
        }
        if changes.exclusive && newStatus == .inProgress && (newOwner != task.owner || task.status != .inProgress),
            let owner = newOwner,
            let held = list.sortedTasks.first(where: { $0.id != id && $0.status == .inProgress && $0.owner == owner })
        {
            throw TasklogError(
                .conflict,
                "\(owner) is busy: it holds #\(held.id) (\(held.subject)) in progress, and an agent holds one task at a time; complete or release #\(held.id) first"
            )
        }
        if newStatus != task.status {
            if newStatus == .inProgress && task.status == .completed {
                throw TasklogError(
                    .conflict,
                    "task #\(id) is already completed; set it to pending first to reopen it"
                )
            }
            if newStatus == .inProgress || newStatus == .completed {
                let open = (task.blockedBy + updated.addBlockedBy).filter { list.tasks[$0]?.status != .completed }
                if !open.isEmpty {
                    throw TasklogError(
                        .blocked,
                        "task #\(id) is blocked by \(names(open)), which \(open.count == 1 ? "is" : "are") not completed; complete \(open.count == 1 ? "it" : "them") first"
                    )
                }
            }
            updated.status = newStatus
        }
        try checkRunningWork(
            task,
            becoming: newStatus,
            blockedBy: updated.addBlockedBy,
            blocks: updated.addBlocks,
            in: list
        )
        if newOwner != task.owner { updated.owner = .some(newOwner) }

        guard !updated.fieldNames.isEmpty else { return nil }
        try checkHolder(of: task, actor: actor, changes: changes)
        return .taskUpdated(updated)
    }

    /// Refuses a change to a task in progress by anyone but its holder, unless the change names
    /// the version it read (an explicit takeover).
    ///
    /// A holder whose lease ran out has already been released by the store, so its task is
    /// pending again by the time the change is decided.
    static func checkHolder(of task: TaskRecord, actor: String?, changes: TaskChanges) throws(TasklogError) {
        guard task.status == .inProgress, let holder = task.owner, holder != actor, changes.expectedVersion == nil
        else { return }
        throw TasklogError(
            .conflict,
            "task #\(task.id) is in progress, held by \(holder): only its holder changes it; "
                + "ask \(holder) to release it, or take it over by passing the version you read"
        )
    }

    /// Refuses a change that would put an open blocker in front of a task in progress: a new
    /// blocker that is not completed, or a completed blocker reopened. Running work is never
    /// blocked behind its holder's back; the holder moves it back to pending first.
    static func checkRunningWork(
        _ task: TaskRecord,
        becoming status: TaskStatus,
        blockedBy: [Int],
        blocks: [Int],
        in list: TaskListState
    ) throws(TasklogError) {
        if task.status == .inProgress && status == .inProgress {
            let open = blockedBy.filter { list.tasks[$0]?.status != .completed }
            if !open.isEmpty {
                throw TasklogError(
                    .conflict,
                    "task #\(task.id) is in progress, and \(names(open)) \(open.count == 1 ? "is" : "are") not completed: running work takes no open blocker; complete \(names(open)) first, or move #\(task.id) back to pending"
                )
            }
        }
        let running =
            status == .completed
            ? []
            : (task.status == .completed ? task.blocks + blocks : blocks).filter {
                list.tasks[$0]?.status == .inProgress
            }
        if !running.isEmpty {
            let what = task.status == .completed && status != .completed ? "reopening" : "blocking it by"
            throw TasklogError(
                .conflict,
                "\(names(running)) \(running.count == 1 ? "is" : "are") in progress, and \(what) #\(task.id) would block running work; move \(names(running)) back to pending first (\(running.count == 1 ? "its holder" : "their holders") can)"
            )
        }
    }

    // MARK: Cycles

    /// The cycle that adding `edges` (blocker → blocked) would close, as ids from a blocker back
    /// to itself, or `nil`.
    public static func cycle(adding edges: [(blocker: Int, blocked: Int)], to list: TaskListState) -> [Int]? {
        var extra: [Int: [Int]] = [:]
        for (blocker, blocked) in edges {
            // A path blocked ⇒ … ⇒ blocker means the new edge closes a cycle.
            if let path = path(from: blocked, to: blocker, in: list, extra: extra) {
                return [blocker] + path
            }
            extra[blocker, default: []].append(blocked)
        }
        return nil
    }

    private static func path(from start: Int, to goal: Int, in list: TaskListState, extra: [Int: [Int]]) -> [Int]? {
        var parent: [Int: Int] = [start: start]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            if node == goal {
                var path = [goal]
                var current = goal
                while current != start {
                    current = parent[current]!
                    path.append(current)
                }
                return path.reversed()
            }
            for next in (list.tasks[node]?.blocks ?? []) + (extra[node] ?? []) where parent[next] == nil {
                parent[next] = node
                queue.append(next)
            }
        }
        return nil
    }

    private static func cycleError(_ cycle: [Int]) -> TasklogError {
        TasklogError(
            .cycle,
            "this dependency would close the cycle \(cycle.map { "#\($0)" }.joined(separator: " → ")) (each blocks the next); leave one link out"
        )
    }

    // MARK: Checks

    static func existing(_ id: Int, in list: TaskListState) throws(TasklogError) -> TaskRecord {
        guard let task = list.tasks[id] else {
            let hint = id > 0 && id <= list.highWater ? "it was deleted" : "no task has that id in this list"
            throw TasklogError(.notFound, "task #\(id) not found: \(hint); `tasklog list` shows the tasks")
        }
        return task
    }

    private static func selfDependency(_ id: Int) -> TasklogError {
        TasklogError(.invalidInput, "task #\(id) cannot block or be blocked by itself")
    }

    private static func names(_ ids: [Int]) -> String {
        ids.map { "#\($0)" }.joined(separator: ", ")
    }

    static func checkSubject(_ subject: String) throws(TasklogError) {
        guard subject.contains(where: { !$0.isWhitespace }) else {
            throw TasklogError(.invalidInput, "the subject is empty; give the task a short imperative title")
        }
        try checkLength(subject, Limits.subject, "subject")
    }

    static func checkLength(_ text: String, _ limit: Int, _ field: String) throws(TasklogError) {
        let count = text.utf8.count
        guard count <= limit else {
            throw TasklogError(
                .invalidInput,
                "the \(field) is \(count) bytes, more than the limit of \(limit); shorten it"
            )
        }
        guard !text.utf8.contains(0) else {
            throw TasklogError(.invalidInput, "the \(field) contains a NUL character; remove it")
        }
    }

    /// The typed keys of the workflow layer, and the JSON type each must have.
    public static let typedMetadataKeys: [String: String] = [
        "workflow": "string", "step": "integer", "milestone": "boolean", "phase": "string",
        "parallel_group": "string",
    ]

    /// How deep metadata may nest: the stored form decodes up to 64 levels, with room to spare.
    public static let metadataDepth = 32

    static func checkMetadata(_ metadata: [String: JSONValue], patch: Bool) throws(TasklogError) {
        func depth(_ value: JSONValue) -> Int {
            switch value {
            case .array(let items): 1 + (items.map(depth).max() ?? 0)
            case .object(let object): 1 + (object.values.map(depth).max() ?? 0)
            default: 0
            }
        }
        guard depth(.object(metadata)) <= metadataDepth else {
            throw TasklogError(.invalidInput, "the metadata nests deeper than \(metadataDepth) levels; flatten it")
        }
        for (key, value) in metadata {
            guard let expected = typedMetadataKeys[key], value != .null else { continue }
            let ok =
                switch (expected, value) {
                case ("string", .string(let text)): !text.isEmpty && !text.utf8.contains(0) && text.utf8.count <= 128
                case ("integer", .int(let number)): number >= 1 && number <= Limits.step
                case ("boolean", .bool): true
                default: false
                }
            guard ok else {
                throw TasklogError(
                    .invalidInput,
                    expected == "integer"
                        ? "metadata.\(key) must be a whole number from 1 to \(Limits.step) (steps count from 1), not \(value.typeName) \(value)"
                        : "metadata.\(key) must be a\(expected == "string" ? " non-empty" : "") \(expected), not \(value.typeName) \(value)"
                )
            }
        }
        try checkMetadataSize(metadata)
    }

    static func checkMetadataSize(_ metadata: [String: JSONValue]) throws(TasklogError) {
        let size = JSONValue.object(metadata).serialized().utf8.count
        guard size <= Limits.metadata else {
            throw TasklogError(
                .invalidInput,
                "the metadata is \(size) bytes as JSON, more than the limit of \(Limits.metadata); shrink it"
            )
        }
    }
}
