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

    /// Tasks launched in parallel, and the aggregation of their results.
    public struct Group: Sendable, Hashable {
        public var id: String
        public var completed: [Int]
        /// Members whose `metadata.result` is `"failed"`.
        public var failed: [Int]
        /// Members not completed yet.
        public var open: [Int]
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
    public init?(id: String, in list: TaskListState) {
        let tasks = list.sortedTasks.filter { $0.metadata["workflow"] == .string(id) }
        guard
            let workflow = list.workflows[id]
                ?? tasks.first.map({ WorkflowState(id: id, type: WorkflowID.type(of: id), startedAt: $0.createdAt) })
        else { return nil }
        self.workflow = workflow
        self.tasks = tasks

        var steps: [Int: [Int]] = [:]
        for task in tasks {
            if let step = task.metadata["step"]?.intValue { steps[Int(step), default: []].append(task.id) }
        }
        self.steps = steps
        if let failed = workflow.failedStep, workflow.status == .failed {
            currentStep = failed
        } else {
            let reached = tasks.filter { $0.status != .pending }.compactMap {
                $0.metadata["step"]?.intValue.map(Int.init)
            }
            currentStep = (reached + workflow.checkpoints.map(\.step)).max() ?? 0
        }

        var phaseOf: [Int: String] = [:]
        var phaseNames: [String] = []
        for task in tasks {
            guard case .string(let phase)? = task.metadata["phase"] else { continue }
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

        var groupNames: [String] = []
        for task in tasks {
            if case .string(let group)? = task.metadata["parallel_group"], !groupNames.contains(group) {
                groupNames.append(group)
            }
        }
        groups = groupNames.map { name in
            let members = tasks.filter { $0.metadata["parallel_group"] == .string(name) }
            let failed = members.filter { $0.metadata["result"] == .string("failed") }.map(\.id)
            return Group(
                id: name,
                completed: members.filter { $0.status == .completed && !failed.contains($0.id) }.map(\.id),
                failed: failed,
                open: members.filter { $0.status != .completed && !failed.contains($0.id) }.map(\.id)
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
            "parallelGroups": .array(
                groups.map {
                    [
                        "id": .string($0.id), "completed": ids($0.completed), "failed": ids($0.failed),
                        "open": ids($0.open),
                    ]
                }
            ),
            "tasks": .array(tasks.map(\.json)),
        ]
    }
}
