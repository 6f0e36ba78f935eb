extension Decider {
    /// The checkpoint that completing a milestone task of a workflow records, if `event` does.
    static func milestone(after event: EventPayload, in list: TaskListState, policy: MilestonePolicy) -> [EventPayload]
    {
        guard case .taskUpdated(let updated) = event, updated.status == .completed,
            var task = list.tasks[updated.id]
        else { return [] }
        if let patch = updated.metadataPatch { Reducer.merge(patch, into: &task.metadata) }
        if let subject = updated.subject { task.subject = subject }
        guard case .string(let workflow)? = task.metadata["workflow"] else { return [] }
        let type = list.workflows[workflow]?.type ?? WorkflowID.type(of: workflow)
        guard policy.isMilestone(task, type: type) else { return [] }
        let step = task.metadata["step"]?.intValue.map(Int.init) ?? 0
        let data = task.metadata.filter { typedMetadataKeys[$0.key] == nil }
        return [.checkpointRecorded(workflow: workflow, step: step, name: task.subject, data: data)]
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
                        "workflow \(id) exists already; start it without --id for a fresh one"
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
        case .completeWorkflow(let id, let cleanup):
            let workflow = try existingWorkflow(id, in: list)
            guard workflow.status != .completed else { return [] }
            var events: [EventPayload] = []
            if cleanup {
                for task in list.sortedTasks where task.metadata["workflow"] == .string(id) && task.status != .completed
                {
                    events.append(.taskUpdated(TaskUpdated(id: task.id, status: .completed)))
                }
            }
            if policy.rules[workflow.type]?.onComplete == true {
                let steps =
                    workflow.checkpoints.map(\.step)
                    + list.tasks.values.compactMap {
                        $0.metadata["workflow"] == .string(id) ? $0.metadata["step"]?.intValue.map(Int.init) : nil
                    }
                events.append(
                    .checkpointRecorded(workflow: id, step: steps.max() ?? 0, name: "Final verdict", data: [:])
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
        default:
            return []
        }
    }

    /// The workflow `id`: started, or known from its tasks' metadata.
    static func existingWorkflow(_ id: String, in list: TaskListState) throws(TasklogError) -> WorkflowState {
        if let workflow = list.workflows[id] { return workflow }
        if let first = list.sortedTasks.first(where: { $0.metadata["workflow"] == .string(id) }) {
            return WorkflowState(id: id, type: WorkflowID.type(of: id), startedAt: first.createdAt)
        }
        throw TasklogError(.notFound, "workflow \(id) not found in this list; `tasklog workflow start TYPE` starts one")
    }

    static func checkStep(_ step: Int) throws(TasklogError) {
        guard step >= 0 && step <= 1_000_000 else {
            throw TasklogError(.invalidInput, "step \(step) is out of range; steps are numbers from 0")
        }
    }
}
