import TasklogCore

/// The tools of `tasklog mcp`, in the order `tools/list` gives them.
public enum ToolCatalog {
    /// Every tool, with its input schema parsed from ``ToolSchemas``.
    public static let tools: [ToolDefinition] = [
        tool(
            "TaskCreate",
            title: "Create a task",
            readOnly: false,
            """
            Create a task in the shared, durable task list. It starts pending, with no owner and no \
            dependencies; link it to others with TaskUpdate (addBlocks, addBlockedBy). Use it to plan \
            multi-step work that other agents may share.
            """
        ),
        tool(
            "TaskUpdate",
            title: "Update a task",
            readOnly: false,
            """
            Update a task. status in_progress claims it: refused while a blocker is not completed or \
            another owner holds it, and without owner you become the owner. completed finishes it, \
            deleted removes it (and its links). Also edits subject, description, activeForm, owner \
            (an empty string clears it), adds dependencies (addBlocks, addBlockedBy) and merges \
            metadata (a key set to null is removed).
            """
        ),
        tool(
            "TaskGet",
            title: "Get a task",
            readOnly: true,
            "Get one task by id: subject, description, status, owner, and the tasks it blocks and is blocked by."
        ),
        tool(
            "TaskList",
            title: "List tasks",
            readOnly: true,
            """
            List the tasks: id, status, subject, owner, and the blockers that are not completed yet. \
            A task is available when it is pending, has no owner and no open blockers; prefer the \
            lowest id.
            """
        ),
        tool(
            "TaskReady",
            title: "Claimable tasks",
            readOnly: true,
            """
            List the tasks that can be claimed now: pending, no owner, every blocker completed, \
            lowest id first. Claim one with TaskUpdate status in_progress.
            """
        ),
        tool(
            "TaskHistory",
            title: "History of a task",
            readOnly: true,
            """
            The audit trail of one task, deleted or not: every event that touched it, oldest first, \
            with its sequence number, time, who made it and what changed (before → after).
            """
        ),
        tool(
            "TaskStateAt",
            title: "Tasks at a point in time",
            readOnly: true,
            """
            The task list (or one task) as it was at a point: an event seq or a UTC time. Use it to \
            see what the plan looked like before a change, or to compare with now.
            """
        ),
        tool(
            "WorkflowLedger",
            title: "Workflow ledger",
            readOnly: true,
            """
            The YAML ledger of a workflow run (version, status, current step, checkpoints), rendered \
            from the log, now or at a point.
            """
        ),
        tool(
            "WorkflowResume",
            title: "Resume a workflow",
            readOnly: true,
            """
            After a crash or a new session: whether to start a workflow afresh or resume it, and which \
            steps to skip and which to run (completed: fresh start; in progress: after the last \
            checkpoint; failed: from the failed step).
            """
        ),
    ]

    /// The tool named `name`, if the server has it.
    public static func tool(named name: String) -> ToolDefinition? {
        tools.first { $0.name == name }
    }

    private static func tool(_ name: String, title: String, readOnly: Bool, _ description: String) -> ToolDefinition {
        guard let text = ToolSchemas.text[name], let schema = try? JSONValue(parsing: text) else {
            preconditionFailure("the input schema of \(name) is missing or is not valid JSON")
        }
        return ToolDefinition(
            name: name,
            title: title,
            description: description,
            inputSchema: schema,
            readOnly: readOnly
        )
    }
}
