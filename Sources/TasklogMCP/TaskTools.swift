import Foundation
public import Tasklog
public import TasklogCore

/// The handlers of the tools over one task list of a ``Tasklog/TaskStore``, apart from any
/// transport: arguments in, a ``ToolResult`` out.
///
/// Every refusal (bad arguments, not found, blocked, conflict, cycle, storage) is a result with
/// ``ToolResult/isError`` set and a one-sentence reason; only a tool name the server does not
/// have throws.
public struct TaskTools: Sendable {
    /// A tool name the server does not have.
    public struct UnknownTool: Error, Sendable, CustomStringConvertible {
        public var name: String
        public var description: String {
            "there is no tool \(name); the tools are \(ToolCatalog.tools.map(\.name).joined(separator: ", "))"
        }
    }

    public let store: TaskStore
    /// The task list, sanitized.
    public let list: String
    /// Whether completing a workflow completes its remaining tasks (`task_tracking.auto_cleanup`).
    public let autoCleanup: Bool
    /// Whether every claim refuses an agent that already holds a task in progress
    /// (`task_tracking.one_task_per_agent`); else only a claim with `exclusive: true` does.
    public let oneTaskPerAgent: Bool

    public init(store: TaskStore, list: String, autoCleanup: Bool = true, oneTaskPerAgent: Bool = false) throws {
        self.store = store
        self.list = try TaskListID.sanitized(list)
        self.autoCleanup = autoCleanup
        self.oneTaskPerAgent = oneTaskPerAgent
    }

    /// Runs tool `name` with `arguments` (a JSON object; `nil` is `{}`) as `actor`.
    public func call(_ name: String, arguments: JSONValue?, actor: String) async throws(UnknownTool) -> ToolResult {
        guard let tool = ToolCatalog.tool(named: name) else { throw UnknownTool(name: name) }
        let arguments = arguments ?? .object([:])
        do {
            try ArgumentValidator.validate(arguments, for: tool)
            let values = arguments.objectValue ?? [:]
            switch tool.name {
            case "TaskCreate": return try await create(values, actor: actor)
            case "TaskUpdate": return try await update(values, actor: actor)
            case "TaskGet": return try get(values)
            case "TaskList": return try listTasks(values)
            case "TaskReady": return try ready()
            case "TaskHistory": return try history(values)
            case "TaskStateAt": return try stateAt(values)
            case "WorkflowLedger": return try ledger(values)
            case "WorkflowResume": return try resume(values)
            case "WorkflowStart": return try await startWorkflow(values, actor: actor)
            case "WorkflowCheckpoint": return try await checkpoint(values, actor: actor)
            case "WorkflowFail": return try await failWorkflow(values, actor: actor)
            case "WorkflowComplete": return try await completeWorkflow(values, actor: actor)
            case "WorkflowShow": return try showWorkflow(values)
            case "WorkflowFork": return try forkWorkflow(values, actor: actor)
            default: throw UnknownTool(name: name)
            }
        } catch let unknown as UnknownTool {
            throw unknown
        } catch {
            let refusal =
                error as? TasklogError
                ?? TasklogError(.storage, "the store failed: \(error); retry, and run `tasklog verify` if it persists")
            return Self.refused(refusal, tool: tool.name, arguments: arguments)
        }
    }

    // MARK: The four agent tools

    private func create(_ arguments: [String: JSONValue], actor: String) async throws -> ToolResult {
        try Self.checkNesting(arguments["metadata"])
        let new = NewTask(
            subject: arguments["subject"]?.stringValue ?? "",
            description: arguments["description"]?.stringValue ?? "",
            activeForm: arguments["activeForm"]?.stringValue,
            metadata: arguments["metadata"]?.objectValue ?? [:]
        )
        let task = try await store.create(new, in: list, actor: actor)
        return ToolResult(
            text: "Task #\(task.id) created successfully: \(task.subject)",
            structured: ["task": task.json]
        )
    }

    private func get(_ arguments: [String: JSONValue]) throws -> ToolResult {
        let id = try Self.taskID(arguments["taskId"], field: "taskId")
        guard let task = try store.get(id, in: list) else {
            return ToolResult(text: "Task not found", structured: ["task": .null])
        }
        var lines = [
            "Task #\(task.id): \(task.subject)", "Status: \(task.status.name)", "Description: \(task.description)",
        ]
        if !task.blockedBy.isEmpty { lines.append("Blocked by: \(Self.names(task.blockedBy))") }
        if !task.blocks.isEmpty { lines.append("Blocks: \(Self.names(task.blocks))") }
        return ToolResult(text: lines.joined(separator: "\n"), structured: ["task": task.json])
    }

    private func listTasks(_ filters: [String: JSONValue]) throws -> ToolResult {
        let all = try store.tasks(in: list)
        let status = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.status) })
        // The filters are metadata keys of the workflow layer: a task matches when each is equal.
        // A whole double (`"step": 4.0`, which the schema takes as an integer) matches the integer.
        let wanted = filters.mapValues { value in Self.wholeNumber(value).map { JSONValue.int(Int64($0)) } ?? value }
        let visible = all.filter { task in
            !Self.isInternal(task) && wanted.allSatisfy { key, value in task.metadata[key] == value }
        }
        var lines: [String] = []
        var items: [JSONValue] = []
        for task in visible {
            let open = task.blockedBy.filter { status[$0] != .completed }
            var line = "#\(task.id) [\(task.status.name)] \(task.subject)"
            if let owner = task.owner { line += " (\(owner))" }
            if !open.isEmpty { line += " [blocked by \(Self.names(open))]" }
            lines.append(line)
            var item: [String: JSONValue] = [
                "id": .string(String(task.id)), "subject": .string(task.subject), "status": .string(task.status.name),
                "blockedBy": .array(open.map { .string(String($0)) }),
            ]
            if let owner = task.owner { item["owner"] = .string(owner) }
            items.append(.object(item))
        }
        return ToolResult(
            text: lines.isEmpty ? "No tasks found" : lines.joined(separator: "\n"),
            structured: ["tasks": .array(items)]
        )
    }

    private func update(_ arguments: [String: JSONValue], actor: String) async throws -> ToolResult {
        let id = try Self.taskID(arguments["taskId"], field: "taskId")
        try Self.checkNesting(arguments["metadata"])
        var changes = TaskChanges(
            subject: arguments["subject"]?.stringValue,
            description: arguments["description"]?.stringValue,
            activeForm: arguments["activeForm"]?.stringValue,
            owner: arguments["owner"]?.stringValue,
            addBlocks: try Self.taskIDs(arguments["addBlocks"], field: "addBlocks"),
            addBlockedBy: try Self.taskIDs(arguments["addBlockedBy"], field: "addBlockedBy"),
            metadata: arguments["metadata"]?.objectValue,
            expectedVersion: Self.wholeNumber(arguments["expectedVersion"]),
            exclusive: oneTaskPerAgent || arguments["exclusive"] == .bool(true)
        )
        if let status = arguments["status"]?.stringValue {
            changes.status = TaskStatus(name: status)
        }
        let outcome = try await store.update(id, changes, in: list, actor: actor)
        var object: [String: JSONValue] = [
            "success": true, "taskId": .string(String(id)),
            "updatedFields": .array(outcome.updatedFields.map(JSONValue.string)),
        ]
        if let change = outcome.statusChange {
            object["statusChange"] = ["from": .string(change.from.name), "to": .string(change.to.name)]
        }
        if let task = outcome.task { object["task"] = task.json }
        // The agents' text names the fields changed; with none, it says so, as the CLI does.
        let text =
            outcome.updatedFields.isEmpty
            ? "Task #\(id) unchanged"
            : "Updated task #\(id) \(outcome.updatedFields.joined(separator: ", "))"
        return ToolResult(text: text, structured: .object(object))
    }

    // MARK: Beyond the four

    private func ready() throws -> ToolResult {
        let tasks = try store.ready(in: list).filter { !Self.isInternal($0) }
        let lines = tasks.map { task in "#\(task.id) [\(task.status.name)] \(task.subject)" }
        return ToolResult(
            text: lines.isEmpty ? "No tasks ready to claim" : lines.joined(separator: "\n"),
            structured: ["tasks": .array(tasks.map(\.json))]
        )
    }

    private func history(_ arguments: [String: JSONValue]) throws -> ToolResult {
        let id = try Self.taskID(arguments["taskId"], field: "taskId")
        let limit = Self.wholeNumber(arguments["limit"]) ?? 100
        let (total, shown) = try TaskHistory.newest(limit, of: id, in: list, store: store)
        guard total > 0 else {
            throw TasklogError(
                .notFound,
                "task #\(id) has no history in this list: no task with that id was ever created"
            )
        }
        var lines = ["Task #\(id): \(total) event\(total == 1 ? "" : "s")"]
        if shown.count < total { lines.append("(\(total - shown.count) earlier not shown)") }
        lines += shown.map(\.line)
        return ToolResult(
            text: lines.joined(separator: "\n"),
            structured: [
                "taskId": .string(String(id)), "total": .int(Int64(total)), "events": .array(shown.map(\.json)),
            ]
        )
    }

    // MARK: Time travel and workflows

    private func stateAt(_ arguments: [String: JSONValue]) throws -> ToolResult {
        let point = try Point(parsing: arguments["at"]?.stringValue ?? "")
        let seq = try store.seq(at: point)
        if arguments["taskId"] != nil {
            let id = try Self.taskID(arguments["taskId"], field: "taskId")
            guard let task = try store.get(id, in: list, at: .seq(seq)) else {
                return ToolResult(
                    text: "Task #\(id) did not exist at seq \(seq)",
                    structured: ["seq": .int(Int64(seq)), "task": .null]
                )
            }
            return ToolResult(
                text:
                    "Task #\(id) at seq \(seq): \(task.subject) [\(task.status.name)]\(task.owner.map { " (\($0))" } ?? "")",
                structured: ["seq": .int(Int64(seq)), "task": task.json]
            )
        }
        let tasks = try store.tasks(in: list, at: .seq(seq))
        let lines = tasks.map { "#\($0.id) [\($0.status.name)] \($0.subject)\($0.owner.map { " (\($0))" } ?? "")" }
        return ToolResult(
            text: (["At seq \(seq): \(tasks.count) task\(tasks.count == 1 ? "" : "s")"] + lines).joined(
                separator: "\n"
            ),
            structured: ["seq": .int(Int64(seq)), "tasks": .array(tasks.map(\.json))]
        )
    }

    private func ledger(_ arguments: [String: JSONValue]) throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let point = try arguments["at"]?.stringValue.map { try Point(parsing: $0) }
        let yaml = try store.ledger(id, in: try listOfWorkflow(id), at: point)
        return ToolResult(text: yaml, structured: ["workflowId": .string(id), "yaml": .string(yaml)])
    }

    private func resume(_ arguments: [String: JSONValue]) throws -> ToolResult {
        let id = arguments["workflowId"]?.stringValue ?? ""
        let plan = try store.resumePlan(id, in: try listOfWorkflow(id))
        var text = plan.reason
        if let other = plan.taskListID, other != list { text += "\nThe run is in task list \(other)." }
        for conflict in plan.conflicts { text += "\nTasks win: \(conflict)" }
        if plan.decision == .resume {
            text += "\nskip: \(plan.skip.isEmpty ? "nothing" : plan.skip.map(String.init).joined(separator: ", "))"
            text += "\nrun: \(plan.run.map(String.init).joined(separator: ", "))"
        }
        return ToolResult(text: text, structured: plan.json)
    }

    // MARK: Helpers

    /// A refusal: the reason as the text, and for `TaskUpdate` the agents' failure shape.
    static func refused(_ error: TasklogError, tool: String, arguments: JSONValue) -> ToolResult {
        let message = modelMessage(error)
        var structured: [String: JSONValue] = ["error": .string(message), "code": .string(error.code.rawValue)]
        if tool == "TaskUpdate" {
            structured["success"] = false
            structured["taskId"] = arguments["taskId"]?.stringValue.map(JSONValue.string) ?? .null
            structured["updatedFields"] = []
        }
        return ToolResult(text: message, structured: .object(structured), isError: true)
    }

    /// The engine's sentence, told to a model: tools instead of command lines, a capital first letter.
    static func modelMessage(_ error: TasklogError) -> String {
        var message = error.message
            .replacingOccurrences(of: "`tasklog list` shows the tasks", with: "TaskList shows the tasks")
            .replacingOccurrences(
                of: "release it first, or pass the version you read to take it over",
                with: "choose another task (TaskReady lists the ones you can claim), or ask its owner to release it"
            )
            .replacingOccurrences(
                of: "take it over by passing the version you read",
                with: "take it over by passing the version TaskGet gave you as expectedVersion"
            )
        switch error.remedy {
        case .force: message += " (pass force: true)"
        case .freshWorkflowID: message += " (leave the id argument out)"
        case .anotherList, .anotherConfiguration, nil: break  // the server's own settings, not a tool's
        }
        // A sentence starts with a capital, but a field name (taskId, metadata.step) keeps its spelling.
        let firstWord = message.prefix { $0.isLetter }
        if ["task", "the", "this", "a", "an", "too", "there", "it", "another"].contains(firstWord) {
            message = message.prefix(1).uppercased() + message.dropFirst()
        }
        return message
    }

    /// The deepest metadata the tools take, counting the metadata object as one level.
    ///
    /// The store's event codec reads JSON nested at most 64 levels, while the SDK's decoder
    /// lets 512 through; anything deeper than this is refused here, before it reaches the log.
    static let maximumMetadataDepth = 32

    static func checkNesting(_ metadata: JSONValue?) throws(TasklogError) {
        guard let metadata else { return }
        func depth(_ value: JSONValue) -> Int {
            switch value {
            case .array(let elements): 1 + (elements.map(depth).max() ?? 0)
            case .object(let members): 1 + (members.values.map(depth).max() ?? 0)
            default: 0
            }
        }
        let levels = depth(metadata)
        guard levels <= maximumMetadataDepth else {
            throw TasklogError(
                .invalidInput,
                "metadata is nested \(levels) levels deep, more than the limit of \(maximumMetadataDepth); flatten it"
            )
        }
    }

    static func isInternal(_ task: TaskRecord) -> Bool {
        guard let flag = task.metadata("_internal") else { return false }
        return flag != .null && flag != .bool(false)
    }

    static func taskID(_ value: JSONValue?, field: String) throws(TasklogError) -> Int {
        let text = value?.stringValue ?? ""
        let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let id = Int(digits), id > 0
        else {
            throw TasklogError(
                .invalidInput,
                "\(field) must be a task id like \"3\", not \(value?.serialized() ?? "nothing")"
            )
        }
        return id
    }

    /// An `integer` argument the schema checked (a JSON number may arrive as `3.0`), or `nil`.
    static func wholeNumber(_ value: JSONValue?) -> Int? {
        switch value {
        case .int(let number)?: Int(number)
        case .double(let number)?: Int(exactly: number.rounded(.towardZero))  // nil beyond Int, never a trap
        default: nil
        }
    }

    static func taskIDs(_ value: JSONValue?, field: String) throws(TasklogError) -> [Int] {
        guard let elements = value?.arrayValue else { return [] }
        var ids: [Int] = []
        for (index, element) in elements.enumerated() { ids.append(try taskID(element, field: "\(field)[\(index)]")) }
        return ids
    }

    static func names(_ ids: [Int]) -> String {
        ids.map { "#\($0)" }.joined(separator: ", ")
    }
}
