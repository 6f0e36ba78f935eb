extension Event {
    /// The JSON form of `schemas/event.schema.json` (exports, history, MCP).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "seq": .int(Int64(seq)),
            "timestamp": .string(timestamp.iso8601),
            "timestampMicros": .int(timestamp.rawValue),
            "list": .string(list),
            "type": .string(payload.typeName),
            "data": payload.json,
        ]
        object["actor"] = actor.map(JSONValue.string) ?? .null
        if let idempotencyKey { object["idempotencyKey"] = .string(idempotencyKey) }
        return .object(object)
    }

    /// Reads the JSON form back; the error says which field is wrong.
    public init(json: JSONValue) throws(TasklogError) {
        guard case .object(let object) = json else { throw Self.bad("an event must be a JSON object") }
        guard case .int(let seq)? = object["seq"], seq > 0 else { throw Self.bad("seq must be a positive integer") }
        let timestamp: Timestamp
        if case .int(let micros)? = object["timestampMicros"] {
            timestamp = Timestamp(rawValue: micros)
        } else if case .string(let text)? = object["timestamp"], let parsed = Timestamp(iso8601: text) {
            timestamp = parsed
        } else {
            throw Self.bad("timestamp must be an ISO 8601 UTC time")
        }
        guard case .string(let list)? = object["list"] else { throw Self.bad("list must be a string") }
        let actor = try Self.optionalString(object["actor"], "actor")
        let key = try Self.optionalString(object["idempotencyKey"], "idempotencyKey")
        guard case .string(let type)? = object["type"] else { throw Self.bad("type must be a string") }
        guard case .object(let data)? = object["data"] else { throw Self.bad("data must be an object") }
        self.init(
            seq: UInt64(seq),
            timestamp: timestamp,
            list: list,
            actor: actor,
            idempotencyKey: key,
            payload: try EventPayload(type: type, data: data)
        )
    }

    static func bad(_ message: String) -> TasklogError {
        TasklogError(.invalidInput, "invalid event: \(message)")
    }

    static func optionalString(_ value: JSONValue?, _ field: String) throws(TasklogError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw bad("\(field) must be a string or null")
        }
    }
}

extension EventPayload {
    /// The `data` object of the JSON form.
    public var json: JSONValue {
        func id(_ value: Int) -> JSONValue { .string(String(value)) }
        switch self {
        case .taskCreated(let created):
            var object: [String: JSONValue] = [
                "id": id(created.id), "subject": .string(created.subject),
                "description": .string(created.description), "metadata": .object(created.metadata),
            ]
            if let activeForm = created.activeForm { object["activeForm"] = .string(activeForm) }
            if let owner = created.owner { object["owner"] = .string(owner) }
            return .object(object)
        case .taskUpdated(let updated):
            var object: [String: JSONValue] = ["id": id(updated.id)]
            if let subject = updated.subject { object["subject"] = .string(subject) }
            if let description = updated.description { object["description"] = .string(description) }
            if let activeForm = updated.activeForm { object["activeForm"] = .string(activeForm) }
            if let status = updated.status { object["status"] = .string(status.name) }
            if let owner = updated.owner { object["owner"] = owner.map(JSONValue.string) ?? .null }
            if let patch = updated.metadataPatch { object["metadata"] = .object(patch) }
            if !updated.addBlocks.isEmpty { object["addBlocks"] = .array(updated.addBlocks.map(id)) }
            if !updated.addBlockedBy.isEmpty { object["addBlockedBy"] = .array(updated.addBlockedBy.map(id)) }
            return .object(object)
        case .taskDeleted(let task):
            return .object(["id": id(task)])
        case .dependencyAdded(let blocker, let blocked), .dependencyRemoved(let blocker, let blocked):
            return .object(["blocker": id(blocker), "blocked": id(blocked)])
        case .workflowStarted(let workflow, let type):
            return .object(["workflow": .string(workflow), "workflowType": .string(type)])
        case .workflowForked(let workflow, let type, let from, let at):
            return .object([
                "workflow": .string(workflow), "workflowType": .string(type), "from": .string(from),
                "at": .int(Int64(clamping: at)),
            ])
        case .checkpointRecorded(let workflow, let step, let name, let data):
            return .object([
                "workflow": .string(workflow), "step": .int(Int64(step)), "name": .string(name), "data": .object(data),
            ])
        case .workflowCompleted(let workflow):
            return .object(["workflow": .string(workflow)])
        case .workflowFailed(let workflow, let step, let reason):
            return .object(["workflow": .string(workflow), "step": .int(Int64(step)), "reason": .string(reason)])
        }
    }

    /// Reads the `type` and `data` of the JSON form.
    public init(type: String, data: [String: JSONValue]) throws(TasklogError) {
        func taskID(_ field: String) throws(TasklogError) -> Int {
            switch data[field] {
            case .string(let text)?:
                if let value = Int(text), value > 0 { return value }
            case .int(let value)? where value > 0:
                return Int(value)
            default: break
            }
            throw Event.bad("data.\(field) must be a task id")
        }
        func ids(_ field: String) throws(TasklogError) -> [Int] {
            guard let value = data[field] else { return [] }
            guard case .array(let items) = value else { throw Event.bad("data.\(field) must be an array of ids") }
            var result: [Int] = []
            for item in items {
                guard case .string(let text) = item, let id = Int(text), id > 0 else {
                    throw Event.bad("data.\(field) must hold task ids as strings")
                }
                result.append(id)
            }
            return result
        }
        func string(_ field: String) throws(TasklogError) -> String? {
            switch data[field] {
            case nil: return nil
            case .string(let text)?: return text
            default: throw Event.bad("data.\(field) must be a string")
            }
        }
        func object(_ field: String) throws(TasklogError) -> [String: JSONValue]? {
            switch data[field] {
            case nil: return nil
            case .object(let object)?: return object
            default: throw Event.bad("data.\(field) must be an object")
            }
        }
        switch type {
        case "task_created":
            guard let subject = try string("subject") else { throw Event.bad("data.subject is missing") }
            self = .taskCreated(
                TaskCreated(
                    id: try taskID("id"),
                    subject: subject,
                    description: try string("description") ?? "",
                    activeForm: try string("activeForm"),
                    owner: try string("owner"),
                    metadata: try object("metadata") ?? [:]
                )
            )
        case "task_updated":
            var updated = TaskUpdated(id: try taskID("id"))
            updated.subject = try string("subject")
            updated.description = try string("description")
            updated.activeForm = try string("activeForm")
            if let name = try string("status") {
                guard let status = TaskStatus(name: name) else { throw Event.bad("data.status \(name) is unknown") }
                updated.status = status
            }
            switch data["owner"] {
            case nil: break
            case .null?: updated.owner = .some(nil)
            case .string(let owner)?: updated.owner = .some(owner)
            default: throw Event.bad("data.owner must be a string or null")
            }
            updated.metadataPatch = try object("metadata")
            updated.addBlocks = try ids("addBlocks")
            updated.addBlockedBy = try ids("addBlockedBy")
            self = .taskUpdated(updated)
        case "task_deleted":
            self = .taskDeleted(id: try taskID("id"))
        case "dependency_added":
            self = .dependencyAdded(blocker: try taskID("blocker"), blocked: try taskID("blocked"))
        case "dependency_removed":
            self = .dependencyRemoved(blocker: try taskID("blocker"), blocked: try taskID("blocked"))
        case "workflow_started":
            guard let workflow = try string("workflow"), let type = try string("workflowType") else {
                throw Event.bad("data.workflow and data.workflowType are required")
            }
            self = .workflowStarted(id: workflow, type: type)
        case "workflow_forked":
            guard let workflow = try string("workflow"), let type = try string("workflowType"),
                let from = try string("from"), case .int(let at)? = data["at"], at >= 0
            else { throw Event.bad("data.workflow, data.workflowType, data.from and data.at are required") }
            self = .workflowForked(id: workflow, type: type, from: from, at: UInt64(at))
        case "checkpoint_recorded":
            guard let workflow = try string("workflow"), let name = try string("name"),
                case .int(let step)? = data["step"], step >= 0
            else { throw Event.bad("data.workflow, data.step and data.name are required") }
            self = .checkpointRecorded(workflow: workflow, step: Int(step), name: name, data: try object("data") ?? [:])
        case "workflow_completed":
            guard let workflow = try string("workflow") else { throw Event.bad("data.workflow is required") }
            self = .workflowCompleted(id: workflow)
        case "workflow_failed":
            guard let workflow = try string("workflow"), case .int(let step)? = data["step"], step >= 0 else {
                throw Event.bad("data.workflow and data.step are required")
            }
            self = .workflowFailed(id: workflow, step: Int(step), reason: try string("reason") ?? "")
        default:
            throw Event.bad("type \(type) is unknown")
        }
    }
}
