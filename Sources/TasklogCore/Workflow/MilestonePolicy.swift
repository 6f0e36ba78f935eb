/// Which task completions of a workflow record a checkpoint, per workflow type (configuration),
/// and how the steps of each type are numbered.
///
/// ## Step numbering
///
/// Steps count from 1. A task's step is its `metadata.step`. A task without one gets a step only
/// where its type's rule numbers tasks itself:
///
/// - **quality-gate** (`every_group_member`): the reviewers, the members of the run's parallel
///   groups, are steps 1, 2, … in the order they were created; the final verdict is the step
///   after the last reviewer.
/// - **run-blueprint** (`every_task`, `first_task_step: 3`): step 2 is task creation; the blueprint
///   tasks are steps 3, 4, … in the order they were created.
///
/// A step of a `steps` rule (build-task, blueprint) is a milestone that is reached when *every*
/// task of that step in the run is completed, so a step run as a parallel group is checkpointed
/// once, when its last member completes. A numbered task (a reviewer, a blueprint task) is a step
/// of its own, so each one's completion is its own checkpoint.
public struct MilestonePolicy: Sendable, Hashable {
    /// The rule of one workflow type.
    public struct Rule: Sendable, Hashable {
        /// Completing every task of one of these steps is a milestone.
        public var steps: Set<Int>
        /// Every task completion is a milestone (run-blueprint).
        public var everyTask: Bool
        /// Every completion of a parallel group's member is a milestone (quality-gate reviewers).
        public var everyGroupMember: Bool
        /// Completing the workflow records a final checkpoint (quality-gate's verdict).
        public var onComplete: Bool
        /// How many steps the workflow has, when known (resume lists the steps to run).
        public var totalSteps: Int?
        /// The step of the first task that the rule numbers itself (a task without `metadata.step`
        /// that ``everyTask`` or ``everyGroupMember`` makes a milestone); the next is one more.
        public var firstTaskStep: Int
        /// The names of the type's steps, for the checkpoints they record.
        public var stepNames: [Int: String]

        public init(
            steps: Set<Int> = [],
            everyTask: Bool = false,
            everyGroupMember: Bool = false,
            onComplete: Bool = false,
            totalSteps: Int? = nil,
            firstTaskStep: Int = 1,
            stepNames: [Int: String] = [:]
        ) {
            self.steps = steps
            self.everyTask = everyTask
            self.everyGroupMember = everyGroupMember
            self.onComplete = onComplete
            self.totalSteps = totalSteps
            self.firstTaskStep = firstTaskStep
            self.stepNames = stepNames
        }

        /// Whether completing `task` is a milestone of its own, whatever the other tasks of its step
        /// do: every task is one, or every group member is and `task` is one.
        func isOwnMilestone(_ task: TaskRecord) -> Bool {
            everyTask || (everyGroupMember && task.metadata("parallel_group") != nil)
        }

        /// Whether the rule numbers `task` itself: it has no `metadata.step` and is its own milestone.
        func numbers(_ task: TaskRecord) -> Bool {
            task.metadata("step")?.intValue == nil && isOwnMilestone(task)
        }
    }

    public var rules: [String: Rule]

    public init(rules: [String: Rule]) { self.rules = rules }

    /// The skill's table: build-task 1, 4, 5, 7, 9; blueprint 1, 4, 6, 9; run-blueprint task
    /// creation (2) and each task completion; quality-gate each reviewer and the final verdict.
    public static let standard = MilestonePolicy(rules: [
        "build-task": Rule(
            steps: [1, 4, 5, 7, 9],
            totalSteps: 9,
            stepNames: [1: "Workspace setup", 4: "Build", 5: "Verify", 7: "Quality", 9: "Ship"]
        ),
        "blueprint": Rule(
            steps: [1, 4, 6, 9],
            totalSteps: 9,
            stepNames: [1: "Discovery", 4: "Architecture", 6: "Plan written", 9: "Execution"]
        ),
        "run-blueprint": Rule(steps: [2], everyTask: true, firstTaskStep: 3, stepNames: [2: "Task creation"]),
        "quality-gate": Rule(everyGroupMember: true, onComplete: true),
    ])

    /// The rule of `type`, or a rule with no milestones.
    public func rule(for type: String) -> Rule { rules[type] ?? Rule() }

    /// The step of every task of `tasks` (one run's tasks) that has one: its `metadata.step`, or
    /// the number the type's rule gives it (see the type's documentation).
    public func steps(of tasks: [TaskRecord], type: String) -> [Int: Int] {
        let rule = rule(for: type)
        var steps: [Int: Int] = [:]
        var next = rule.firstTaskStep
        for task in tasks.sorted(by: { $0.id < $1.id }) {
            if let step = task.metadata("step")?.intValue {
                steps[task.id] = Int(step)
            } else if rule.numbers(task) {
                steps[task.id] = next
                next += 1
            }
        }
        return steps
    }

    /// Whether completing `task` of a workflow of `type` is a milestone. `metadata.milestone`
    /// decides when set; otherwise the type's rule does.
    public func isMilestone(_ task: TaskRecord, type: String) -> Bool {
        if case .bool(let flag)? = task.metadata("milestone") { return flag }
        guard let rule = rules[type] else { return false }
        if rule.everyTask { return true }
        if rule.everyGroupMember, task.metadata("parallel_group") != nil { return true }
        if case .int(let step)? = task.metadata("step") { return rule.steps.contains(Int(step)) }
        return false
    }
}
