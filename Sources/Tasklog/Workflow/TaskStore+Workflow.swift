import Foundation
public import TasklogCore

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
    /// A failed run is refused unless `force`: cleanup is for a run that succeeded.
    @discardableResult
    public func completeWorkflow(
        _ id: String,
        cleanup: Bool = true,
        force: Bool = false,
        in list: String = "default",
        actor: String? = nil
    )
        throws -> CommandOutcome
    {
        try execute(.completeWorkflow(id: id, cleanup: cleanup, force: force), in: list, actor: actor)
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

    /// Starts a new run as a copy of run `id` as it was at `point`: its tasks under new ids (in
    /// progress back to pending), their links, their completions and the run's checkpoints, in
    /// one atomic command. The fork is recorded in both runs' histories (`workflow_forked`).
    /// Returns the new run's id and its task list (the list of run `id`, found in any list).
    public func forkWorkflow(
        _ id: String,
        at point: Point,
        newID: String? = nil,
        preferring list: String = "default",
        actor: String? = nil
    ) throws -> (id: String, list: String) {
        guard let list = try listOfWorkflow(id, preferring: list) else {
            throw TasklogError(.notFound, "workflow \(id) not found in any task list")
        }
        let seq = try self.seq(at: point)
        // Folded from the log alone, not through the indexes as time travel may: the fork writes
        // new events from it.
        let state = try core.read { txn in try core.listState(list, at: seq, txn).0 }
        guard let run = try workflow(id, in: list, state: state, until: .seq(seq)) else {
            throw TasklogError(.notFound, "workflow \(id) did not exist yet at seq \(seq); fork it at a later point")
        }
        let outcome = try execute(.forkWorkflow(run: run, at: seq, id: newID), in: list, actor: actor)
        guard let forked = outcome.workflowID else { throw TasklogError(.storage, "the fork was not recorded") }
        return (forked, list)
    }

    /// Workflow `id` of `list`, now or as of `point`; `nil` if neither events nor tasks name it.
    /// Its groups show their deleted members, and its steps are numbered by the store's
    /// milestone policy.
    public func workflow(_ id: String, in list: String = "default", at point: Point? = nil) throws -> WorkflowView? {
        let state = try point.map { try self.list(list, at: $0) } ?? self.list(list)
        return try workflow(id, in: list, state: state, until: point)
    }

    /// Workflow `id` of `list` from `state`, the list already loaded as of `point` (`nil`: now),
    /// for a caller that shows several runs of one list and reads the list once.
    public func workflow(
        _ id: String,
        in list: String,
        state: TaskListState,
        until point: Point?
    ) throws -> WorkflowView? {
        guard Self.holds(state, run: id) else { return nil }
        return WorkflowView(
            id: id,
            in: state,
            deleted: try deletedTasks(ofRun: id, in: list, until: point),
            policy: core.options.milestones
        )
    }

    /// Whether `list` knows run `id`: it started there, or a task there names it.
    private static func holds(_ list: TaskListState, run id: String) -> Bool {
        list.workflows[id] != nil || list.tasks.contains { $0.metadata("workflow") == .string(id) }
    }

    /// The run's tasks deleted up to `point`, each as it was just before its deletion.
    private func deletedTasks(ofRun id: String, in list: String, until point: Point?) throws -> [TaskRecord] {
        var query = HistoryQuery(list: list, workflow: id, type: "task_deleted", until: point, limit: 256)
        var deleted: [TaskRecord] = []
        while true {
            let page = try history(query)
            for entry in page.entries {
                guard case .taskDeleted(let taskID) = entry.event.payload, entry.event.seq > 1,
                    let task = try get(taskID, in: list, at: .seq(entry.event.seq - 1))
                else { continue }
                deleted.append(task)
            }
            guard let next = page.nextCursor else { return deleted }
            query.cursor = next
        }
    }

    /// The task list that holds workflow run `id`: `preferred` when the run is there, else the
    /// list whose `workflow start` (or fork) event named it (the newest, if several did); `nil` when no list
    /// has it. A new session finds its run this way without `CLAUDE_CODE_TASK_LIST_ID`.
    public func listOfWorkflow(_ id: String, preferring preferred: String = "default") throws -> String? {
        if Self.holds(try self.list(preferred), run: id) { return preferred }
        for type in ["workflow_started", "workflow_forked"] {
            var query = HistoryQuery(type: type, newestFirst: true, limit: 256)
            while true {
                let page = try history(query)
                for entry in page.entries where entry.event.payload.workflowID == id { return entry.event.list }
                guard let next = page.nextCursor else { break }
                query.cursor = next
            }
        }
        return nil
    }

    /// The YAML ledger of workflow `id`, now or as of `point`.
    public func ledger(_ id: String, in list: String = "default", at point: Point? = nil) throws -> String {
        guard let view = try workflow(id, in: list, at: point) else {
            throw TasklogError(.notFound, "workflow \(id) not found in list \(list)\(point.map { " at \($0)" } ?? "")")
        }
        return Ledger.render(view, taskList: list)
    }

    /// The recovery decision for workflow `id`, from the log (which the ledger only mirrors): the
    /// run's tasks decide each step that has tasks, its checkpoints the steps that have none.
    public func resumePlan(_ id: String, in list: String = "default") throws -> ResumePlan {
        guard let view = try workflow(id, in: list) else { return ResumePlan.decide(nil) }
        return ResumePlan.decide(
            view,
            totalSteps: core.options.milestones.rules[view.workflow.type]?.totalSteps,
            taskList: list
        )
    }

    /// The recovery decision for the ledger file at `path`. The file only names the run: when this
    /// store has that run (in the list the file names, `preferred`, or any other), the log decides,
    /// and the plan warns where the file disagrees with it; otherwise the file decides.
    public func resumePlan(ledgerAt path: String, preferring preferred: String = "default") throws -> ResumePlan {
        let fromFile = LedgerFile.resumePlan(at: path, policy: core.options.milestones)
        guard let id = fromFile.workflowID else { return fromFile }
        guard let list = try listOfWorkflow(id, preferring: fromFile.taskListID ?? preferred) else {
            var plan = fromFile
            plan.warning = "the store has no run \(id): the ledger \(path) decides alone"
            return plan
        }
        var plan = try resumePlan(id, in: list)
        plan.warning = try ledgerDrift(at: path)
        return plan
    }

    /// How the ledger file at `path` differs from the log's projection of its workflow, or `nil`
    /// when it matches (or there is no file). Writing the ledger from the log (`tasklog ledger ID
    /// --write`) repairs it: the log wins.
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
        guard let list = try listOfWorkflow(document.workflowID, preferring: document.taskListID ?? "default"),
            let view = try workflow(document.workflowID, in: list)
        else {
            return "the ledger \(path) names workflow \(document.workflowID), which the log does not know"
        }
        if Ledger.render(view, taskList: list) == text { return nil }
        return
            "the ledger \(path) differs from the log's projection of \(document.workflowID) (file: \(document.status.name), step \(document.currentStep); log: \(view.workflow.status.name), step \(view.workflow.ledgerStep)); the log wins, and writing the ledger from the log repairs the file"
    }
}
