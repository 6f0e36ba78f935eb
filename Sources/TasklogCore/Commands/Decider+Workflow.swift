extension Decider {
    /// The checkpoint that completing a task of a workflow records, if `event` completes a
    /// milestone: the task is its own milestone (a reviewer of quality-gate, a task of
    /// run-blueprint), or it is the last task of a milestone step to complete.
    static func milestone(after event: EventPayload, in list: TaskListState, policy: MilestonePolicy) -> [EventPayload]
    {
        guard case .taskUpdated(let updated) = event, updated.status == .completed,
            var task = list.tasks[updated.id]
        else { return [] }
        if let patch = updated.metadataPatch { Reducer.merge(patch, into: &task.metadata) }
        if let subject = updated.subject { task.subject = subject }
        task.status = .completed
        guard case .string(let workflow)? = task.metadata("workflow") else { return [] }
        let type = list.workflows[workflow]?.type ?? WorkflowID.type(of: workflow)
        guard policy.isMilestone(task, type: type) else { return [] }

        var run = runTasks(workflow, in: list)
        if let index = run.firstIndex(where: { $0.id == task.id }) { run[index] = task }
        let stepOf = policy.steps(of: run, type: type)
        let rule = policy.rule(for: type)
        guard let step = stepOf[task.id] else {
            // A milestone by its own flag with no step: the step after every step the run knows.
            let known = stepOf.values.max() ?? 0
            let checkpointed = list.workflows[workflow]?.checkpoints.map(\.step).max() ?? 0
            return [
                .checkpointRecorded(
                    workflow: workflow,
                    step: max(known, checkpointed) + 1,
                    name: task.subject,
                    data: ownData(task)
                )
            ]
        }
        if rule.isOwnMilestone(task) {
            return [.checkpointRecorded(workflow: workflow, step: step, name: task.subject, data: ownData(task))]
        }
        let members = run.filter { stepOf[$0.id] == step }
        guard members.allSatisfy({ $0.status == .completed }) else { return [] }
        if members.count == 1 {
            return [.checkpointRecorded(workflow: workflow, step: step, name: task.subject, data: ownData(task))]
        }
        var results: [String: JSONValue] = [:]
        for member in members { if let result = member.metadata("result") { results[String(member.id)] = result } }
        var data: [String: JSONValue] = ["tasks": .array(members.map { .string(String($0.id)) })]
        if !results.isEmpty { data["results"] = .object(results) }
        return [
            .checkpointRecorded(
                workflow: workflow,
                step: step,
                name: rule.stepNames[step] ?? "Step \(step)",
                data: data
            )
        ]
    }

    /// The tasks of run `workflow` (`metadata.workflow`), in id order.
    static func runTasks(_ workflow: String, in list: TaskListState) -> [TaskRecord] {
        list.sortedTasks.filter { $0.metadata("workflow") == .string(workflow) }
    }

    /// What a checkpoint of one task keeps: its metadata but the workflow layer's own keys.
    private static func ownData(_ task: TaskRecord) -> [String: JSONValue] {
        task.metadata.filter { typedMetadataKeys[$0.key] == nil }
    }

    static func decideWorkflow(
        _ command: TaskCommand,
        in list: TaskListState,
        policy: MilestonePolicy,
        now: Timestamp
    )
        throws(TasklogError) -> [EventPayload]
    {
        switch command {
        case .startWorkflow(let type, let id):
            try WorkflowID.check(type)
            let taken = { (id: String) in list.workflows[id] != nil }
            if let id {
                try WorkflowID.check(id)
                guard !taken(id) else {
                    throw TasklogError(
                        .conflict,
                        "workflow \(id) exists already; start it without an id for a fresh one",
                        remedy: .freshWorkflowID
                    )
                }
                return [.workflowStarted(id: id, type: type)]
            }
            return [.workflowStarted(id: WorkflowID.make(type: type, at: now, taken: taken), type: type)]
        case .checkpoint(let id, let step, let name, let data):
            let workflow = try existingWorkflow(id, in: list)
            guard workflow.status != .completed else {
                throw TasklogError(.conflict, "workflow \(id) is completed; start a new run instead")
            }
            try checkStep(step)
            try checkSubject(name)
            try checkMetadataSize(data)
            return [.checkpointRecorded(workflow: id, step: step, name: name, data: data)]
        case .completeWorkflow(let id, let cleanup, let force):
            let workflow = try existingWorkflow(id, in: list)
            guard workflow.status != .completed else { return [] }
            if workflow.status == .failed && !force {
                throw TasklogError(
                    .conflict,
                    "workflow \(id) failed at step \(workflow.failedStep ?? 0)\(workflow.failureReason.map { $0.isEmpty ? "" : " (\($0))" } ?? ""): cleanup is only for a run that succeeded; resume it from that step, or complete it anyway, forced",
                    remedy: .force
                )
            }
            let run = runTasks(id, in: list)
            var events: [EventPayload] = []
            if cleanup {
                for task in run where task.status != .completed {
                    events.append(.taskUpdated(TaskUpdated(id: task.id, status: .completed)))
                }
            }
            if policy.rule(for: workflow.type).onComplete {
                let steps = policy.steps(of: run, type: workflow.type).values.max() ?? 0
                let checkpointed = workflow.checkpoints.map(\.step).max() ?? 0
                events.append(
                    .checkpointRecorded(
                        workflow: id,
                        step: max(steps, checkpointed) + 1,
                        name: "Final verdict",
                        data: [:]
                    )
                )
            }
            return events + [.workflowCompleted(id: id)]
        case .failWorkflow(let id, let step, let reason):
            let workflow = try existingWorkflow(id, in: list)
            guard workflow.status != .completed else {
                throw TasklogError(.conflict, "workflow \(id) is completed; it cannot fail any more")
            }
            try checkStep(step)
            try checkLength(reason, Limits.description, "reason")
            return [.workflowFailed(id: id, step: step, reason: reason)]
        case .forkWorkflow(let run, let at, let id):
            return try fork(run, at: at, id: id, in: list, now: now)
        default:
            return []
        }
    }

    /// The events of a fork: the new run, a copy of each task of `run` under a new id (with its
    /// links, its completion, none of its claims), and `run`'s checkpoints, in one command.
    static func fork(
        _ run: WorkflowView,
        at seq: UInt64,
        id: String?,
        in list: TaskListState,
        now: Timestamp
    ) throws(TasklogError) -> [EventPayload] {
        let source = run.workflow
        let taken = { (id: String) in list.workflows[id] != nil }
        let forkID: String
        if let id {
            try WorkflowID.check(id)
            guard !taken(id) else {
                throw TasklogError(
                    .conflict,
                    "workflow \(id) exists already; fork without an id for a fresh one",
                    remedy: .freshWorkflowID
                )
            }
            forkID = id
        } else {
            forkID = WorkflowID.make(type: source.type, at: now, taken: taken)
        }
        var events: [EventPayload] = [.workflowForked(id: forkID, type: source.type, from: source.id, at: seq)]
        var newID: [Int: Int] = [:]
        for (offset, task) in run.tasks.enumerated() { newID[task.id] = list.highWater + 1 + offset }
        // The run's own names (its id, a group named after it) follow the run.
        func renamed(_ metadata: [String: JSONValue]) -> [String: JSONValue] {
            var metadata = metadata
            for key in ["workflow", "parallel_group"] {
                if case .string(let text)? = metadata[key] {
                    metadata[key] = .string(text.replacing(source.id, with: forkID))
                }
            }
            return metadata
        }
        for task in run.tasks {
            events.append(
                .taskCreated(
                    TaskCreated(
                        id: newID[task.id]!,
                        subject: task.subject,
                        description: task.description,
                        activeForm: task.activeForm,
                        metadata: renamed(task.metadata)
                    )
                )
            )
        }
        for task in run.tasks {
            for blocker in task.blockedBy {
                // A blocker of the run is its copy; one outside the run stays, if it is still there.
                guard let to = newID[blocker] ?? (list.tasks[blocker] != nil ? blocker : nil) else { continue }
                events.append(.dependencyAdded(blocker: to, blocked: newID[task.id]!))
            }
        }
        for task in run.tasks where task.status == .completed {
            events.append(.taskUpdated(TaskUpdated(id: newID[task.id]!, status: .completed)))
        }
        for checkpoint in source.checkpointsAsRecorded {
            events.append(
                .checkpointRecorded(
                    workflow: forkID,
                    step: checkpoint.step,
                    name: checkpoint.name,
                    data: checkpoint.data
                )
            )
        }
        return events
    }

    /// The workflow `id`: started, or known from its tasks' metadata.
    static func existingWorkflow(_ id: String, in list: TaskListState) throws(TasklogError) -> WorkflowState {
        if let workflow = list.workflows[id] { return workflow }
        if let first = list.sortedTasks.first(where: { $0.metadata("workflow") == .string(id) }) {
            return WorkflowState(id: id, type: WorkflowID.type(of: id), startedAt: first.createdAt)
        }
        throw TasklogError(.notFound, "workflow \(id) not found in this list; `tasklog workflow start TYPE` starts one")
    }

    /// Steps count from 1.
    static func checkStep(_ step: Int) throws(TasklogError) {
        guard step >= 1 && step <= Limits.step else {
            throw TasklogError(
                .invalidInput,
                "step \(step) is out of range; steps are numbers from 1 to \(Limits.step)"
            )
        }
    }
}
