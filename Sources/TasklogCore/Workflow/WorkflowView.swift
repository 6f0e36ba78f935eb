/// A workflow run as people look at it: its state, and what its tasks say (steps, phases,
/// parallel groups and their aggregation). Derived from a list's state; nothing here is stored.
public struct WorkflowView: Sendable, Hashable {
    /// A named phase: its tasks, the phases it waits for, and how far it is.
    public struct Phase: Sendable, Hashable {
        public var name: String
        public var taskIDs: [Int]
        /// Phases with a task that blocks a task of this one.
        public var dependsOn: [String]
        public var status: TaskStatus
    }

    /// Tasks launched in parallel, and the aggregation of their results, by the skill's rule:
    /// FAILED is every member whose status is not completed (pending, in progress or deleted);
    /// only when FAILED is empty are the results of the completed members aggregated.
    public struct Group: Sendable, Hashable {
        public var id: String
        /// Every member, in id order, deleted ones included.
        public var members: [Int]
        public var completed: [Int]
        /// Members not completed: pending, in progress, or deleted.
        public var failed: [Int]
        /// Members deleted (they count as failed).
        public var deleted: [Int]
        /// When ``failed`` is empty: each completed member's `metadata.result` (`null` where it
        /// has none), by task id. `nil` while a member is not completed.
        public var results: [Int: JSONValue]?
    }

    public var workflow: WorkflowState
    /// The run's tasks (`metadata.workflow` is its id), in id order.
    public var tasks: [TaskRecord]
    public var currentStep: Int
    /// Task ids by step.
    public var steps: [Int: [Int]]
    public var phases: [Phase]
    public var groups: [Group]

    /// The view of workflow `id` in `list`, or `nil` if neither events nor tasks name it.
    /// `deleted` holds the run's deleted tasks as they were before their deletion (the list no
    /// longer has them), so that a group shows its deleted members; `policy` numbers the steps of
    /// tasks that carry none (``MilestonePolicy``).
    public init?(
        id: String,
        in list: TaskListState,
        deleted: [TaskRecord] = [],
        policy: MilestonePolicy = .standard
    ) {
        let tasks = list.sortedTasks.filter { $0.metadata("workflow") == .string(id) }
        guard
            let workflow = list.workflows[id]
                ?? tasks.first.map({ WorkflowState(id: id, type: WorkflowID.type(of: id), startedAt: $0.createdAt) })
        else { return nil }
        self.workflow = workflow
        self.tasks = tasks

        var steps: [Int: [Int]] = [:]
        let stepOf = policy.steps(of: tasks, type: workflow.type)
        for task in tasks { if let step = stepOf[task.id] { steps[step, default: []].append(task.id) } }
        self.steps = steps
        if let failed = workflow.failedStep, workflow.status == .failed {
            currentStep = failed
        } else {
            let reached = tasks.filter { $0.status != .pending }.compactMap { stepOf[$0.id] }
            currentStep = (reached + workflow.checkpoints.map(\.step)).max() ?? 0
        }

        var phaseOf: [Int: String] = [:]
        var phaseNames: [String] = []
        for task in tasks {
            guard case .string(let phase)? = task.metadata("phase") else { continue }
            phaseOf[task.id] = phase
            if !phaseNames.contains(phase) { phaseNames.append(phase) }
        }
        phases = phaseNames.map { name in
            let members = tasks.filter { phaseOf[$0.id] == name }
            var depends: [String] = []
            for task in members {
                for blocker in task.blockedBy {
                    if let other = phaseOf[blocker], other != name, !depends.contains(other) { depends.append(other) }
                }
            }
            let status: TaskStatus =
                members.allSatisfy { $0.status == .completed }
                ? .completed
                : members.contains { $0.status != .pending } ? .inProgress : .pending
            return Phase(name: name, taskIDs: members.map(\.id), dependsOn: depends, status: status)
        }

        let gone = deleted.filter { $0.metadata("workflow") == .string(id) && list.tasks[$0.id] == nil }
        var groupNames: [String] = []
        for task in tasks + gone {
            if case .string(let group)? = task.metadata("parallel_group"), !groupNames.contains(group) {
                groupNames.append(group)
            }
        }
        groups = groupNames.map { name in
            let live = tasks.filter { $0.metadata("parallel_group") == .string(name) }
            let deletedIDs = gone.filter { $0.metadata("parallel_group") == .string(name) }.map(\.id).sorted()
            let completed = live.filter { $0.status == .completed }
            let failed = (live.filter { $0.status != .completed }.map(\.id) + deletedIDs).sorted()
            return Group(
                id: name,
                members: (live.map(\.id) + deletedIDs).sorted(),
                completed: completed.map(\.id),
                failed: failed,
                deleted: deletedIDs,
                results: failed.isEmpty
                    ? Dictionary(uniqueKeysWithValues: completed.map { ($0.id, $0.metadata("result") ?? .null) })
                    : nil
            )
        }
    }

    /// The JSON form (`tasklog workflow show --json`).
    public var json: JSONValue {
        func ids(_ list: [Int]) -> JSONValue { .array(list.map { .string(String($0)) }) }
        return [
            "id": .string(workflow.id),
            "type": .string(workflow.type),
            "status": .string(workflow.status.name),
            "startedAt": .string(workflow.startedAt.iso8601),
            "currentStep": .int(Int64(currentStep)),
            "failedStep": workflow.failedStep.map { .int(Int64($0)) } ?? .null,
            "failureReason": workflow.failureReason.map(JSONValue.string) ?? .null,
            "checkpoints": .array(
                workflow.checkpoints.map {
                    [
                        "step": .int(Int64($0.step)), "name": .string($0.name),
                        "completedAt": .string($0.completedAt.iso8601), "data": .object($0.data),
                    ]
                }
            ),
            "steps": .object(Dictionary(uniqueKeysWithValues: steps.map { (String($0.key), ids($0.value)) })),
            "phases": .array(
                phases.map {
                    [
                        "name": .string($0.name), "tasks": ids($0.taskIDs),
                        "dependsOn": .array($0.dependsOn.map(JSONValue.string)), "status": .string($0.status.name),
                    ]
                }
            ),
            "parallelGroups": .array(groups.map(\.json)),
            "tasks": .array(tasks.map(\.json)),
        ]
    }
}

extension WorkflowView.Group {
    /// The JSON form: the members by status, and the aggregated results (`null` while FAILED is not empty).
    public var json: JSONValue {
        func ids(_ list: [Int]) -> JSONValue { .array(list.map { .string(String($0)) }) }
        let results: JSONValue =
            self.results.map { results in
                .object(Dictionary(uniqueKeysWithValues: results.map { (String($0.key), $0.value) }))
            } ?? .null
        return [
            "id": .string(id), "members": ids(members), "completed": ids(completed), "failed": ids(failed),
            "deleted": ids(deleted), "results": results,
        ]
    }
}
