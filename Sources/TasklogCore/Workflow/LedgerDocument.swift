import Yams

/// A ledger file read back, for `resume --ledger` and for `verify`'s drift check. The log stays
/// the truth; this is only what the file says.
public struct LedgerDocument: Sendable, Hashable {
    public var workflowID: String
    public var workflowType: String
    /// The task list the run lives in (`task_list_id`), when the ledger names it.
    public var taskListID: String?
    public var status: WorkflowStatus
    public var currentStep: Int
    /// The steps of the checkpoints whose status is `completed`.
    public var completedSteps: [Int]
    public var failedStep: Int?

    public init(
        workflowID: String,
        workflowType: String,
        status: WorkflowStatus,
        currentStep: Int,
        completedSteps: [Int],
        failedStep: Int? = nil,
        taskListID: String? = nil
    ) {
        self.workflowID = workflowID
        self.workflowType = workflowType
        self.taskListID = taskListID
        self.status = status
        self.currentStep = currentStep
        self.completedSteps = completedSteps
        self.failedStep = failedStep
    }

    /// What the log's projection would write for `view`.
    public init(_ view: WorkflowView) {
        self.init(
            workflowID: view.workflow.id,
            workflowType: view.workflow.type,
            status: view.workflow.status,
            currentStep: view.workflow.ledgerStep,
            completedSteps: view.workflow.checkpointsAsRecorded.map(\.step),
            failedStep: view.workflow.status == .failed ? view.workflow.ledgerStep : nil
        )
    }

    /// Reads a ledger's text; the error names the file, the line and the key.
    public static func parse(_ text: String, file: String) throws(TasklogError) -> LedgerDocument {
        let document = try YAMLDocument(text, file: file)
        guard let root = document.root else { throw TasklogError(.invalidInput, "\(file) is empty") }
        var fields: [String: Node] = [:]
        for (key, _, value) in try document.mapping(root, "the ledger") { fields[key] = value }
        func required(_ key: String) throws(TasklogError) -> Node {
            guard let node = fields[key] else { throw document.error(root, key, "is missing") }
            return node
        }
        guard try document.int(try required("version"), "version") == 1 else {
            throw document.error(fields["version"], "version", "must be 1")
        }
        let statusText = try document.string(try required("status"), "status")
        guard let status = WorkflowStatus(name: statusText) else {
            throw document.error(
                fields["status"],
                "status",
                "must be in_progress, completed or failed, not \(statusText)"
            )
        }
        var steps: [Int] = []
        if let checkpoints = fields["checkpoints"] {
            guard case .sequence(let items) = checkpoints else {
                throw document.error(checkpoints, "checkpoints", "must be a list")
            }
            for item in items {
                var entry: [String: Node] = [:]
                for (key, _, value) in try document.mapping(item, "a checkpoint") { entry[key] = value }
                guard let step = entry["step"] else { throw document.error(item, "checkpoints[].step", "is missing") }
                var done = "completed"
                if let status = entry["status"] { done = try document.string(status, "checkpoints[].status") }
                if done == "completed" { steps.append(try document.int(step, "checkpoints[].step")) }
            }
        }
        var failedStep: Int?
        if let node = fields["failed_step"] { failedStep = try document.int(node, "failed_step") }
        return LedgerDocument(
            workflowID: try document.string(try required("workflow_id"), "workflow_id"),
            workflowType: try document.string(try required("workflow_type"), "workflow_type"),
            status: status,
            currentStep: try document.int(try required("current_step"), "current_step"),
            completedSteps: steps,
            failedStep: failedStep,
            taskListID: try fields["task_list_id"].map { node throws(TasklogError) in
                try document.string(node, "task_list_id")
            }
        )
    }
}
