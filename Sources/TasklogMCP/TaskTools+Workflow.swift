import Tasklog
import TasklogCore

/// The workflow tools: the CLI's `workflow` commands, with the same rules, for an agent.
extension TaskTools {
    /// The task list of run `id`: the server's list when the run is there, else the list that
    /// started it (a run is found again without its list id), else the server's.
    func listOfWorkflow(_ id: String) throws -> String {
        try store.listOfWorkflow(id, preferring: list) ?? list
    }

    func startWorkflow(_ arguments: [String: JSONValue], actor: String) async throws -> ToolResult {
        let type = arguments["type"]?.stringValue ?? ""
        let requested = arguments["workflowId"]?.stringValue
        let outcome = try await store.execute(.startWorkflow(type: type, id: requested), in: list, actor: actor)
        guard let id = outcome.workflowID else { throw TasklogError(.storage, "the workflow was not started") }
        return ToolResult(
            text: "Workflow \(id) started in task list \(list). Tag its tasks with metadata {\"workflow\": \"\(id)\"}.",
            structured: ["workflowId": .string(id), "type": .string(type), "taskListId": .string(list)]
        )
    }

    func checkpoint(_ arguments: [String: JSONValue], actor: String) async throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let step = Self.wholeNumber(arguments["step"]) ?? 0
        let name = arguments["name"]?.stringValue ?? ""
        try Self.checkNesting(arguments["data"])
        let data = arguments["data"]?.objectValue ?? [:]
        let outcome = try await store.execute(
            .checkpoint(workflow: id, step: step, name: name, data: data),
            in: try listOfWorkflow(id),
            actor: actor
        )
        return ToolResult(
            text: "Checkpoint of \(id) at step \(step): \(name)",
            structured: [
                "workflowId": .string(id), "step": .int(Int64(step)), "seq": .int(Int64(outcome.seqs.last ?? 0)),
            ]
        )
    }

    func failWorkflow(_ arguments: [String: JSONValue], actor: String) async throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let step = Self.wholeNumber(arguments["step"]) ?? 0
        let reason = arguments["reason"]?.stringValue ?? ""
        _ = try await store.execute(
            .failWorkflow(id: id, step: step, reason: reason),
            in: try listOfWorkflow(id),
            actor: actor
        )
        return ToolResult(
            text: "Workflow \(id) failed at step \(step). WorkflowResume resumes it from that step.",
            structured: ["workflowId": .string(id), "status": "failed", "step": .int(Int64(step))]
        )
    }

    func completeWorkflow(_ arguments: [String: JSONValue], actor: String) async throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let force = arguments["force"] == .bool(true)
        let outcome = try await store.execute(
            .completeWorkflow(id: id, cleanup: autoCleanup, force: force),
            in: try listOfWorkflow(id),
            actor: actor
        )
        return ToolResult(
            text: outcome.seqs.isEmpty ? "Workflow \(id) was already completed" : "Workflow \(id) completed",
            structured: ["workflowId": .string(id), "status": "completed", "events": .int(Int64(outcome.seqs.count))]
        )
    }

    func forkWorkflow(_ arguments: [String: JSONValue], actor: String) throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let point = try Point(parsing: arguments["at"]?.stringValue ?? "")
        let forked = try store.forkWorkflow(
            id,
            at: point,
            newID: arguments["newWorkflowId"]?.stringValue,
            preferring: list,
            actor: actor
        )
        let tasks = try store.workflow(forked.id, in: forked.list)?.tasks ?? []
        return ToolResult(
            text:
                "Workflow \(forked.id) forked from \(id) at \(point): \(tasks.count) tasks. WorkflowResume says where to go on.",
            structured: [
                "workflowId": .string(forked.id), "from": .string(id), "taskListId": .string(forked.list),
                "tasks": .array(tasks.map(\.json)),
            ]
        )
    }

    func showWorkflow(_ arguments: [String: JSONValue]) throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let point = try arguments["at"]?.stringValue.map { try Point(parsing: $0) }
        let list = try listOfWorkflow(id)
        guard let view = try store.workflow(id, in: list, at: point) else {
            throw TasklogError(.notFound, "workflow \(id) not found in any task list; WorkflowStart starts one")
        }
        let workflow = view.workflow
        var lines = ["\(workflow.id) (\(workflow.type)) \(workflow.status.name), step \(view.currentStep)"]
        for checkpoint in workflow.checkpointsAsRecorded {
            lines.append("checkpoint: step \(checkpoint.step) \(checkpoint.name)")
        }
        for step in view.steps.keys.sorted() {
            let tasks = view.steps[step]!.map { id in
                "#\(id) \(view.tasks.first { $0.id == id }?.status.name ?? "?")"
            }
            lines.append("step \(step): \(tasks.joined(separator: ", "))")
        }
        for group in view.groups {
            var line = "group \(group.id): \(group.completed.count) of \(group.members.count) completed"
            if !group.failed.isEmpty { line += "; FAILED \(Self.names(group.failed))" }
            if !group.deleted.isEmpty { line += " (deleted: \(Self.names(group.deleted)))" }
            if let results = group.results {
                line += "; results: "
                line += results.sorted { $0.key < $1.key }.map { "#\($0.key) \($0.value.serialized())" }
                    .joined(separator: ", ")
            }
            lines.append(line)
        }
        var structured = view.json
        if case .object(var object) = structured {
            object["taskListId"] = .string(list)
            structured = .object(object)
        }
        return ToolResult(text: lines.joined(separator: "\n"), structured: structured)
    }
}
