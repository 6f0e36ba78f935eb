import TasklogCore

/// The tools of `tasklog mcp`, in the order `tools/list` gives them.
public enum ToolCatalog {
    /// Every tool, with its input and output schemas: the files `Schemas/<Tool>.input.json` and
    /// `Schemas/<Tool>.output.json` beside this one, which SwiftPM embeds in the binary
    /// (`.embedInCode`), so that the schemas exist once and the binary needs no file at run time.
    public static let tools: [ToolDefinition] = [
        tool(
            "TaskCreate",
            input: PackageResources.TaskCreate_input_json,
            output: PackageResources.TaskCreate_output_json,
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
            input: PackageResources.TaskUpdate_input_json,
            output: PackageResources.TaskUpdate_output_json,
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
            input: PackageResources.TaskGet_input_json,
            output: PackageResources.TaskGet_output_json,
            title: "Get a task",
            readOnly: true,
            "Get one task by id: subject, description, status, owner, and the tasks it blocks and is blocked by."
        ),
        tool(
            "TaskList",
            input: PackageResources.TaskList_input_json,
            output: PackageResources.TaskList_output_json,
            title: "List tasks",
            readOnly: true,
            """
            List the tasks: id, status, subject, owner, and the blockers that are not completed yet. \
            A task is available when it is pending, has no owner and no open blockers; prefer the \
            lowest id. Filter by the workflow layer's metadata: workflow, step, phase, parallel_group.
            """
        ),
        tool(
            "TaskReady",
            input: PackageResources.TaskReady_input_json,
            output: PackageResources.TaskReady_output_json,
            title: "Claimable tasks",
            readOnly: true,
            """
            List the tasks that can be claimed now: pending, no owner, every blocker completed, \
            lowest id first. Claim one with TaskUpdate status in_progress.
            """
        ),
        tool(
            "TaskHistory",
            input: PackageResources.TaskHistory_input_json,
            output: PackageResources.TaskHistory_output_json,
            title: "History of a task",
            readOnly: true,
            """
            The audit trail of one task, deleted or not: every event that touched it, oldest first, \
            with its sequence number, time, who made it and what changed (before → after).
            """
        ),
        tool(
            "TaskStateAt",
            input: PackageResources.TaskStateAt_input_json,
            output: PackageResources.TaskStateAt_output_json,
            title: "Tasks at a point in time",
            readOnly: true,
            """
            The task list (or one task) as it was at a point: an event seq or a UTC time. Use it to \
            see what the plan looked like before a change, or to compare with now.
            """
        ),
        tool(
            "WorkflowLedger",
            input: PackageResources.WorkflowLedger_input_json,
            output: PackageResources.WorkflowLedger_output_json,
            title: "Workflow ledger",
            readOnly: true,
            """
            The YAML ledger of a workflow run (version, status, current step, checkpoints), rendered \
            from the log, now or at a point.
            """
        ),
        tool(
            "WorkflowResume",
            input: PackageResources.WorkflowResume_input_json,
            output: PackageResources.WorkflowResume_output_json,
            title: "Resume a workflow",
            readOnly: true,
            """
            After a crash or a new session: whether to start a workflow afresh or resume it, and which \
            steps to skip and which to run. The tasks win: a step is done when all its tasks are \
            completed; checkpoints decide only steps without tasks (completed: fresh start; failed: \
            from the failed step). Finds the run in any task list.
            """
        ),
        tool(
            "WorkflowStart",
            input: PackageResources.WorkflowStart_input_json,
            output: PackageResources.WorkflowStart_output_json,
            title: "Start a workflow run",
            readOnly: false,
            """
            Start a workflow run and get its id ({type}-{yyyyMMddTHHmm}). Tag the run's tasks with \
            metadata {workflow: id, step: N}; completing every task of a milestone step records its \
            checkpoint in the ledger.
            """
        ),
        tool(
            "WorkflowCheckpoint",
            input: PackageResources.WorkflowCheckpoint_input_json,
            output: PackageResources.WorkflowCheckpoint_output_json,
            title: "Record a checkpoint",
            readOnly: false,
            "Record a milestone of a workflow run by hand, for a step that has no task to complete."
        ),
        tool(
            "WorkflowFail",
            input: PackageResources.WorkflowFail_input_json,
            output: PackageResources.WorkflowFail_output_json,
            title: "Fail a workflow run",
            readOnly: false,
            "Mark a workflow run failed at a step; WorkflowResume then resumes from that step."
        ),
        tool(
            "WorkflowComplete",
            input: PackageResources.WorkflowComplete_input_json,
            output: PackageResources.WorkflowComplete_output_json,
            title: "Complete a workflow run",
            readOnly: false,
            """
            Complete a workflow run that succeeded: its remaining tasks are completed (auto_cleanup) \
            and the ledger says completed. A failed run is refused unless force is true.
            """
        ),
        tool(
            "WorkflowFork",
            input: PackageResources.WorkflowFork_input_json,
            output: PackageResources.WorkflowFork_output_json,
            title: "Fork a workflow run",
            readOnly: false,
            """
            Re-run a run from an earlier point: a new run whose tasks are the run's as of that point \
            (new ids, work in progress back to pending, completions, links and checkpoints kept). Use \
            it when a run went wrong at a step: fork it at the point before that step.
            """
        ),
        tool(
            "WorkflowShow",
            input: PackageResources.WorkflowShow_input_json,
            output: PackageResources.WorkflowShow_output_json,
            title: "Show a workflow run",
            readOnly: true,
            """
            A workflow run now or at a point: status, current step, checkpoints, tasks by step and \
            phase, and each parallel group's aggregation (FAILED: every member not completed; the \
            completed members' results once FAILED is empty).
            """
        ),
    ]

    /// The tool named `name`, if the server has it.
    public static func tool(named name: String) -> ToolDefinition? {
        tools.first { $0.name == name }
    }

    private static func tool(
        _ name: String,
        input: [UInt8],
        output: [UInt8],
        title: String,
        readOnly: Bool,
        _ description: String
    ) -> ToolDefinition {
        func schema(_ bytes: [UInt8], _ kind: String) -> JSONValue {
            guard let schema = try? bytes.withUnsafeBytes({ try JSONValue(parsing: $0) }) else {
                preconditionFailure("Schemas/\(name).\(kind).json is not valid JSON")
            }
            return schema
        }
        return ToolDefinition(
            name: name,
            title: title,
            description: description,
            inputSchema: schema(input, "input"),
            outputSchema: schema(output, "output"),
            readOnly: readOnly
        )
    }
}
