/// Which task completions of a workflow record a checkpoint, per workflow type (configuration).
public struct MilestonePolicy: Sendable, Hashable {
    /// The rule of one workflow type.
    public struct Rule: Sendable, Hashable {
        /// Completing a task of one of these steps is a milestone.
        public var steps: Set<Int>
        /// Every task completion is a milestone (run-blueprint).
        public var everyTask: Bool
        /// Every completion of a parallel group's member is a milestone (quality-gate reviewers).
        public var everyGroupMember: Bool
        /// Completing the workflow records a final checkpoint (quality-gate's verdict).
        public var onComplete: Bool
        /// How many steps the workflow has, when known (resume lists the steps to run).
        public var totalSteps: Int?

        public init(
            steps: Set<Int> = [],
            everyTask: Bool = false,
            everyGroupMember: Bool = false,
            onComplete: Bool = false,
            totalSteps: Int? = nil
        ) {
            self.steps = steps
            self.everyTask = everyTask
            self.everyGroupMember = everyGroupMember
            self.onComplete = onComplete
            self.totalSteps = totalSteps
        }
    }

    public var rules: [String: Rule]

    public init(rules: [String: Rule]) { self.rules = rules }

    /// The skill's table: build-task 1, 4, 5, 7, 9; blueprint 1, 4, 6, 9; run-blueprint task
    /// creation (2) and each task completion; quality-gate each reviewer and the final verdict.
    public static let standard = MilestonePolicy(rules: [
        "build-task": Rule(steps: [1, 4, 5, 7, 9], totalSteps: 9),
        "blueprint": Rule(steps: [1, 4, 6, 9], totalSteps: 9),
        "run-blueprint": Rule(steps: [2], everyTask: true),
        "quality-gate": Rule(everyGroupMember: true, onComplete: true),
    ])

    /// Whether completing `task` of a workflow of `type` is a milestone. `metadata.milestone`
    /// decides when set; otherwise the type's rule does.
    public func isMilestone(_ task: TaskRecord, type: String) -> Bool {
        if case .bool(let flag)? = task.metadata["milestone"] { return flag }
        guard let rule = rules[type] else { return false }
        if rule.everyTask { return true }
        if rule.everyGroupMember, task.metadata["parallel_group"] != nil { return true }
        if case .int(let step)? = task.metadata["step"] { return rule.steps.contains(Int(step)) }
        return false
    }
}
