/// The recovery decision for a workflow: start afresh, or resume, and which steps to skip and run.
///
/// The skill's table: no ledger → fresh start; completed → fresh start; in_progress → resume
/// after the last checkpoint; failed → resume from the failed step; a ledger that does not
/// parse → a warning and a fresh start.
///
/// When the run's tasks are known, the tasks win ("If conflict: Tasks win. Ledger is advisory
/// only."): a step with tasks is done when every one of them is completed, whatever its
/// checkpoint says; the checkpoints decide only the steps that have no task (tracking was off for
/// them).
public struct ResumePlan: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable {
        case freshStart = "fresh_start"
        case resume
    }

    public var decision: Decision
    /// Why, in one sentence.
    public var reason: String
    public var workflowID: String?
    public var workflowType: String?
    /// Steps done already.
    public var skip: [Int]
    /// Steps to run, in order (from ``resumeFrom`` to the last known step).
    public var run: [Int]
    /// The first step to run when resuming.
    public var resumeFrom: Int?
    /// Set when the ledger could not be read, or when it disagrees with the log.
    public var warning: String?
    /// The task list the run lives in, when known: a new session sets `CLAUDE_CODE_TASK_LIST_ID` to it.
    public var taskListID: String?
    /// Where the tasks and the checkpoints disagree, one sentence each; the tasks won.
    public var conflicts: [String] = []

    /// The decision for what a ledger (or the log's projection of it) says; `totalSteps` is the
    /// workflow type's number of steps when known.
    public static func decide(_ ledger: LedgerDocument?, totalSteps: Int? = nil) -> ResumePlan {
        guard let ledger else {
            return ResumePlan(decision: .freshStart, reason: "there is no ledger: start afresh", skip: [], run: [])
        }
        var plan = ResumePlan(
            decision: .resume,
            reason: "",
            workflowID: ledger.workflowID,
            workflowType: ledger.workflowType,
            skip: [],
            run: [],
            taskListID: ledger.taskListID
        )
        let from: Int
        switch ledger.status {
        case .completed:
            plan.decision = .freshStart
            plan.reason = "workflow \(ledger.workflowID) completed: the previous run finished, start afresh"
            return plan
        case .inProgress:
            let last = ledger.completedSteps.max() ?? 0
            from = last + 1
            plan.reason =
                last == 0
                ? "workflow \(ledger.workflowID) is in progress with no checkpoint yet: resume from step 1"
                : "workflow \(ledger.workflowID) is in progress: resume after the last checkpoint, step \(last)"
        case .failed:
            from = max(1, ledger.failedStep ?? ledger.currentStep)
            plan.reason = "workflow \(ledger.workflowID) failed at step \(from): resume from that step"
        }
        let last = max(totalSteps ?? 0, ledger.currentStep, ledger.completedSteps.max() ?? 0, from)
        plan.resumeFrom = from
        plan.skip = from > 1 ? Array(1..<from) : []
        plan.run = Array(from...last)
        return plan
    }

    /// The decision for run `view` from the log: the tasks decide each step that has tasks, the
    /// checkpoints the steps that have none. `totalSteps` is the workflow type's number of steps
    /// when known.
    public static func decide(_ view: WorkflowView, totalSteps: Int? = nil, taskList: String? = nil) -> ResumePlan {
        let workflow = view.workflow
        var plan = ResumePlan(
            decision: .resume,
            reason: "",
            workflowID: workflow.id,
            workflowType: workflow.type,
            skip: [],
            run: [],
            taskListID: taskList
        )
        if workflow.status == .completed {
            plan.decision = .freshStart
            plan.reason = "workflow \(workflow.id) completed: the previous run finished, start afresh"
            return plan
        }
        let byID = Dictionary(uniqueKeysWithValues: view.tasks.map { ($0.id, $0) })
        let checkpointed = Set(workflow.checkpoints.map(\.step))
        let lastCheckpoint = checkpointed.max() ?? 0
        let failedStep = workflow.status == .failed ? max(1, workflow.ledgerStep) : nil
        let last = max(
            totalSteps ?? 0,
            view.steps.keys.max() ?? 0,
            lastCheckpoint,
            failedStep ?? 0
        )
        for step in last >= 1 ? Array(1...last) : [] {
            let done: Bool
            if let ids = view.steps[step], !ids.isEmpty {
                let open = ids.filter { byID[$0]?.status != .completed }
                done = open.isEmpty && step != failedStep
                if !open.isEmpty && checkpointed.contains(step) {
                    plan.conflicts.append(
                        "step \(step) has a checkpoint, but its task\(open.count == 1 ? "" : "s") \(open.map { "#\($0)" }.joined(separator: ", ")) \(open.count == 1 ? "is" : "are") not completed: the tasks win, the step runs again"
                    )
                }
            } else if let failedStep {
                done = step < failedStep
            } else {
                done = step <= lastCheckpoint
            }
            if done { plan.skip.append(step) } else { plan.run.append(step) }
        }
        plan.resumeFrom = plan.run.first
        switch (failedStep, plan.resumeFrom) {
        case (let failed?, _):
            plan.reason =
                "workflow \(workflow.id) failed at step \(failed): resume from the first step not done, step \(plan.resumeFrom ?? failed)"
        case (nil, nil):
            plan.reason =
                "workflow \(workflow.id) is in progress and every step is done: complete it (`tasklog workflow complete \(workflow.id)`)"
        case (nil, 1):
            plan.reason = "workflow \(workflow.id) is in progress with no step done yet: resume from step 1"
        case (nil, let from?):
            plan.reason = "workflow \(workflow.id) is in progress: resume from the first step not done, step \(from)"
        }
        return plan
    }

    /// The decision when the ledger file exists but does not parse: a warning and a fresh start.
    public static func unreadable(_ problem: String) -> ResumePlan {
        ResumePlan(
            decision: .freshStart,
            reason: "the ledger cannot be read: start afresh",
            skip: [],
            run: [],
            warning: problem
        )
    }

    /// The JSON form (`tasklog resume --json`).
    public var json: JSONValue {
        [
            "decision": .string(decision.rawValue), "reason": .string(reason),
            "workflowId": workflowID.map(JSONValue.string) ?? .null,
            "workflowType": workflowType.map(JSONValue.string) ?? .null,
            "skip": .array(skip.map { .int(Int64($0)) }), "run": .array(run.map { .int(Int64($0)) }),
            "resumeFrom": resumeFrom.map { .int(Int64($0)) } ?? .null,
            "warning": warning.map(JSONValue.string) ?? .null,
            "taskListId": taskListID.map(JSONValue.string) ?? .null,
            "conflicts": .array(conflicts.map(JSONValue.string)),
        ]
    }
}
