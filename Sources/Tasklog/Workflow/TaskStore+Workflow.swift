import Foundation
import TasklogCore

extension TaskStore {
    /// Starts a workflow run of `type`; returns its id (`{type}-{yyyyMMddTHHmm}` unless given, unique).
    public func startWorkflow(
        type: String,
        id: String? = nil,
        in list: String = "default",
        actor: String? = nil
    )
        throws -> String
    {
        let outcome = try execute(.startWorkflow(type: type, id: id), in: list, actor: actor)
        guard let id = outcome.workflowID else { throw TasklogError(.storage, "the workflow was not started") }
        return id
    }

    /// Records a checkpoint of workflow `id` by hand.
    @discardableResult
    public func checkpoint(
        _ id: String,
        step: Int,
        name: String,
        data: [String: JSONValue] = [:],
        in list: String = "default",
        actor: String? = nil
    ) throws -> CommandOutcome {
        try execute(.checkpoint(workflow: id, step: step, name: name, data: data), in: list, actor: actor)
    }

    /// Completes workflow `id`; with `cleanup`, its remaining tasks are completed first, as events.
    @discardableResult
    public func completeWorkflow(
        _ id: String,
        cleanup: Bool = true,
        in list: String = "default",
        actor: String? = nil
    )
        throws -> CommandOutcome
    {
        try execute(.completeWorkflow(id: id, cleanup: cleanup), in: list, actor: actor)
    }

    /// Marks workflow `id` failed at `step`.
    @discardableResult
    public func failWorkflow(
        _ id: String,
        step: Int,
        reason: String = "",
        in list: String = "default",
        actor: String? = nil
    ) throws -> CommandOutcome {
        try execute(.failWorkflow(id: id, step: step, reason: reason), in: list, actor: actor)
    }

    /// Workflow `id` of `list`, now or as of `point`; `nil` if neither events nor tasks name it.
    public func workflow(_ id: String, in list: String = "default", at point: Point? = nil) throws -> WorkflowView? {
        let state = try point.map { try self.list(list, at: $0) } ?? self.list(list)
        return WorkflowView(id: id, in: state)
    }

    /// The YAML ledger of workflow `id`, now or as of `point`.
    public func ledger(_ id: String, in list: String = "default", at point: Point? = nil) throws -> String {
        guard let view = try workflow(id, in: list, at: point) else {
            throw TasklogError(.notFound, "workflow \(id) not found in list \(list)\(point.map { " at \($0)" } ?? "")")
        }
        return Ledger.render(view)
    }

    /// The recovery decision for workflow `id`, from the log (which the ledger only mirrors).
    public func resumePlan(_ id: String, in list: String = "default") throws -> ResumePlan {
        guard let view = try workflow(id, in: list) else { return ResumePlan.decide(nil) }
        return ResumePlan.decide(
            LedgerDocument(view),
            totalSteps: core.options.milestones.rules[view.workflow.type]?.totalSteps
        )
    }

    /// How the ledger file at `path` differs from the log's projection of its workflow, or `nil`
    /// when it matches (or there is no file). `ledger --write` repairs it: the log wins.
    public func ledgerDrift(at path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { return "the ledger \(path) cannot be read" }
        let document: LedgerDocument
        do {
            document = try LedgerDocument.parse(text, file: path)
        } catch {
            return "the ledger \(path) does not parse (\(error.message))"
        }
        let state = try state()
        for list in state.lists.keys.sorted() {
            guard let view = WorkflowView(id: document.workflowID, in: state.list(list)) else { continue }
            let expected = Ledger.render(view)
            if expected == text { return nil }
            return
                "the ledger \(path) differs from the log's projection of \(document.workflowID) (file: \(document.status.name), step \(document.currentStep); log: \(view.workflow.status.name), step \(view.workflow.ledgerStep)); `tasklog ledger \(document.workflowID) --write` repairs it"
        }
        return "the ledger \(path) names workflow \(document.workflowID), which the log does not know"
    }
}
