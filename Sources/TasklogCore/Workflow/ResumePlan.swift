/// The recovery decision for a workflow: start afresh, or resume, and which steps to skip and run.
///
/// The skill's table: no ledger → fresh start; completed → fresh start; in_progress → resume
/// after the last checkpoint; failed → resume from the failed step; a ledger that does not
/// parse → a warning and a fresh start.
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
    /// Set when the ledger could not be read.
    public var warning: String?

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
            run: []
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
        ]
    }
}
